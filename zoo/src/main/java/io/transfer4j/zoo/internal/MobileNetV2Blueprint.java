package io.transfer4j.zoo.internal;

import java.util.List;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.nd4j.linalg.activations.Activation;

import io.transfer4j.zoo.Architecture;

/**
 * Keras' {@code keras.applications.MobileNetV2} at alpha 1.0 with Keras' layer names: {@code Conv1} (3x3, stride 2,
 * no bias) + {@code bn_Conv1} + {@code Conv1_relu} (ReLU6); 17 inverted residual blocks ({@code expanded_conv_*},
 * then {@code block_1_*} ... {@code block_16_*}: 1x1 {@code expand} + BN + ReLU6, 3x3 {@code depthwise} + BN +
 * ReLU6, 1x1 {@code project} + BN, and {@code block_N_add} when shape allows); {@code Conv_1} (1x1, 1280) +
 * {@code Conv_1_bn} + {@code out_relu}; {@code global_average_pooling2d}, then {@code predictions} (softmax) with
 * the top. BatchNormalization epsilon 1e-3 throughout.
 *
 * <p>Padding follows Keras exactly: a stride-2 3x3 layer pads {@code correct_pad} (Keras' {@code ZeroPadding2D}
 * before a 'valid' depthwise convolution, and TensorFlow's 'same' for {@code Conv1}, which is the same thing): one
 * pixel at the bottom/right only when the input size is even, one on each side when it is odd. A symmetric pad of
 * one (torchvision's {@code mobilenet_v2}) shifts every stride-2 output by a pixel. The pads are computed from the
 * input size the graph is built for, so they are right at every size. Pixels are expected in [-1, 1]
 * ({@code x / 127.5 - 1}, Keras' "tf" mode).
 */
final class MobileNetV2Blueprint implements NetworkBlueprint {
    static final double BN_EPSILON = 1e-3;
    /** {expansion, output channels, repeats, first stride} per stage, as in the paper's table 2. */
    private static final int[][] STAGES = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
        {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    static final int LAST_CHANNELS = 1280;

    @Override
    public Architecture architecture() {
        return Architecture.MOBILENETV2;
    }

    @Override
    public int minInputSize() {
        return 32;
    }

    @Override
    public ComputationGraphConfiguration configuration(BuildOptions options) {
        GraphPlan plan = new GraphPlan(options.input(), options.seed());
        int[] hw = {options.input().height(), options.input().width()};
        hw = strideTwoPad(plan, "Conv1_pad", hw);
        plan.layer("Conv1", conv(3, 2, options.input().channels(), 32));
        plan.layer("bn_Conv1", ResNet50Blueprint.bn(32, BN_EPSILON));
        plan.layer("Conv1_relu", relu6());
        int in = 32;
        int block = 0;
        for (int[] stage : STAGES) {
            for (int r = 0; r < stage[2]; r++) {
                int stride = r == 0 ? stage[3] : 1;
                String prefix = block == 0 ? "expanded_conv_" : "block_" + block + "_";
                String input = plan.last();
                int channels = in;
                if (block != 0) {
                    channels = in * stage[0];
                    plan.layer(prefix + "expand", conv(1, 1, in, channels));
                    plan.layer(prefix + "expand_BN", ResNet50Blueprint.bn(channels, BN_EPSILON));
                    plan.layer(prefix + "expand_relu", relu6());
                }
                if (stride == 2) {
                    hw = strideTwoPad(plan, prefix + "pad", hw);
                }
                plan.layer(prefix + "depthwise", new DepthwiseConvolution2D.Builder(3, 3).stride(stride, stride)
                        .padding(stride == 1 ? 1 : 0, stride == 1 ? 1 : 0).depthMultiplier(1)
                        .nIn(channels).nOut(channels).hasBias(false).activation(Activation.IDENTITY).build());
                plan.layer(prefix + "depthwise_BN", ResNet50Blueprint.bn(channels, BN_EPSILON));
                plan.layer(prefix + "depthwise_relu", relu6());
                plan.layer(prefix + "project", conv(1, 1, channels, stage[1]));
                String projected = plan.layer(prefix + "project_BN", ResNet50Blueprint.bn(stage[1], BN_EPSILON));
                if (stride == 1 && in == stage[1]) {
                    plan.vertex(prefix + "add", new ElementWiseVertex(ElementWiseVertex.Op.Add), input, projected);
                }
                in = stage[1];
                block++;
            }
        }
        plan.layer("Conv_1", conv(1, 1, in, LAST_CHANNELS));
        plan.layer("Conv_1_bn", ResNet50Blueprint.bn(LAST_CHANNELS, BN_EPSILON));
        plan.layer("out_relu", relu6());
        plan.layer("global_average_pooling2d", new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
        if (options.top()) {
            plan.layer("predictions", new DenseLayer.Builder().nIn(LAST_CHANNELS).nOut(options.classes())
                    .activation(Activation.SOFTMAX).build());
        }
        return plan.build();
    }

    /**
     * Keras' {@code correct_pad(inputs, 3)}: ((h % 2, 1), (w % 2, 1)) rows/columns of zeros before/after,
     * for the 'valid' stride-2 3x3 layer that follows; returns that layer's output size.
     */
    static int[] strideTwoPad(GraphPlan plan, String name, int[] hw) {
        int top = hw[0] % 2; // 1 - adjust, adjust = 1 - size % 2
        int left = hw[1] % 2;
        plan.layer(name, new ZeroPaddingLayer.Builder(top, 1, left, 1).build());
        return new int[] {(hw[0] + top + 1 - 3) / 2 + 1, (hw[1] + left + 1 - 3) / 2 + 1};
    }

    private static ConvolutionLayer conv(int kernel, int stride, int in, int out) {
        return new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).padding(0, 0).nIn(in).nOut(out)
                .hasBias(false).activation(Activation.IDENTITY).build();
    }

    private static ActivationLayer relu6() {
        return new ActivationLayer.Builder().activation(Activation.RELU6).build();
    }

    @Override
    public List<GroupRule> groupRules() {
        return List.of(
                new GroupRule("stem", n -> n.startsWith("Conv1") || n.equals("bn_Conv1")
                        || n.startsWith("expanded_conv_")),
                new GroupRule("stage2", n -> inBlocks(n, 1, 2)),
                new GroupRule("stage3", n -> inBlocks(n, 3, 5)),
                new GroupRule("stage4", n -> inBlocks(n, 6, 12)),
                new GroupRule("stage5", n -> inBlocks(n, 13, 16) || n.startsWith("Conv_1") || n.equals("out_relu")
                        || n.equals("global_average_pooling2d")),
                new GroupRule("fc", topLayers()::contains));
    }

    /** Whether {@code name} belongs to {@code block_<from>_} ... {@code block_<to>_}. */
    private static boolean inBlocks(String name, int from, int to) {
        if (!name.startsWith("block_")) {
            return false;
        }
        int end = name.indexOf('_', 6);
        if (end < 0) {
            return false;
        }
        try {
            int block = Integer.parseInt(name.substring(6, end));
            return block >= from && block <= to;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public List<String> topLayers() {
        return List.of("predictions");
    }
}
