package io.transfer4j.zoo.internal;

import java.util.List;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;

import io.transfer4j.zoo.Architecture;

/**
 * Keras' ResNet50 (v1) with the layer names of Keras' original weight files, which are also the names in
 * DL4J's pretrained ResNet50 zip: {@code conv1}, {@code bn_conv1}, {@code res2a_branch2a}, {@code bn2a_branch2a},
 * ..., {@code res5c_branch2c}. Layers without weights, which Keras numbers ({@code activation_12}, {@code add_3}),
 * get stable descriptive names instead: {@code conv1_relu}, {@code pool1}, {@code res2a_branch2a_relu},
 * {@code res2a_add}, {@code res2a_relu}. The stride-2 convolution of a stage is its first 1x1 (as in Keras), stage
 * 2 has none; the stem's max pool pads by one (Keras 2.2+). The head is {@code avg_pool} (global average pooling,
 * so any input from 32 px works) and {@code flatten_1} (2048), then {@code fc1000} (softmax) with the top.
 */
final class ResNet50Blueprint implements NetworkBlueprint {
    private static final Set<String> STEM = Set.of("conv1", "bn_conv1", "conv1_relu", "pool1");

    @Override
    public Architecture architecture() {
        return Architecture.RESNET50;
    }

    @Override
    public int minInputSize() {
        return 32;
    }

    @Override
    public ComputationGraphConfiguration configuration(BuildOptions options) {
        GraphPlan plan = new GraphPlan(options.input(), options.seed());
        double eps = options.bnEpsilon();
        plan.layer("conv1", new ConvolutionLayer.Builder(7, 7).stride(2, 2).padding(3, 3)
                .nIn(options.input().channels()).nOut(64).activation(Activation.IDENTITY).build());
        plan.layer("bn_conv1", bn(64, eps));
        plan.layer("conv1_relu", relu());
        plan.layer("pool1", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                .padding(1, 1).build());
        int in = 64;
        in = stage(plan, 2, "abc", 64, 256, 1, in, eps);
        in = stage(plan, 3, "abcd", 128, 512, 2, in, eps);
        in = stage(plan, 4, "abcdef", 256, 1024, 2, in, eps);
        in = stage(plan, 5, "abc", 512, 2048, 2, in, eps);
        plan.layer("avg_pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
        plan.vertex("flatten_1", new ReshapeVertex('c', new int[] {-1, in}, null), plan.last());
        if (options.top()) {
            plan.layer("fc1000", new DenseLayer.Builder().nIn(in).nOut(options.classes())
                    .activation(Activation.SOFTMAX).build());
        }
        return plan.build();
    }

    private static int stage(GraphPlan plan, int stage, String blocks, int width, int out, int stride, int in,
                             double eps) {
        for (int i = 0; i < blocks.length(); i++) {
            String id = stage + "" + blocks.charAt(i);
            String input = plan.last();
            int s = i == 0 ? stride : 1;
            String conv = "res" + id + "_branch";
            String bn = "bn" + id + "_branch";
            plan.layer(conv + "2a", conv(1, s, in, width), input);
            plan.layer(bn + "2a", bn(width, eps));
            plan.layer(conv + "2a_relu", relu());
            plan.layer(conv + "2b", conv(3, 1, width, width));
            plan.layer(bn + "2b", bn(width, eps));
            plan.layer(conv + "2b_relu", relu());
            plan.layer(conv + "2c", conv(1, 1, width, out));
            String main = plan.layer(bn + "2c", bn(out, eps));
            String shortcut = input;
            if (i == 0) {
                plan.layer(conv + "1", conv(1, s, in, out), input);
                shortcut = plan.layer(bn + "1", bn(out, eps));
            }
            plan.vertex("res" + id + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), main, shortcut);
            plan.layer("res" + id + "_relu", relu());
            in = out;
        }
        return in;
    }

    private static ConvolutionLayer conv(int kernel, int stride, int in, int out) {
        int pad = kernel / 2;
        return new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).padding(pad, pad)
                .nIn(in).nOut(out).activation(Activation.IDENTITY).build();
    }

    static BatchNormalization bn(int channels, double eps) {
        return new BatchNormalization.Builder().nIn(channels).nOut(channels).eps(eps).useLogStd(false).build();
    }

    static ActivationLayer relu() {
        return new ActivationLayer.Builder().activation(Activation.RELU).build();
    }

    /**
     * tf.keras' names ({@code keras.applications.ResNet50}) for the vertices that exist one to one here:
     * {@code conv1_conv}, {@code conv1_bn}, {@code pool1_pool}, {@code convS_blockB_K_conv|bn} (K 0 = shortcut),
     * {@code convS_blockB_1_relu}, {@code convS_blockB_2_relu}, {@code convS_blockB_add}, {@code convS_blockB_out},
     * {@code predictions}. Its padding layers ({@code conv1_pad}, {@code pool1_pad}) have no counterpart.
     */
    @Override
    public String vertexName(String name) {
        if (name.equals("pool1_pool")) {
            return "pool1";
        }
        java.util.regex.Matcher m = TF_BLOCK.matcher(name);
        if (m.matches()) {
            String id = m.group(1) + (char) ('a' + Integer.parseInt(m.group(2)) - 1);
            return switch (m.group(3)) {
                case "1_relu" -> "res" + id + "_branch2a_relu";
                case "2_relu" -> "res" + id + "_branch2b_relu";
                case "add" -> "res" + id + "_add";
                default -> "res" + id + "_relu";
            };
        }
        return KerasH5Weights.fromNewResNetName(name);
    }

    private static final java.util.regex.Pattern TF_BLOCK =
            java.util.regex.Pattern.compile("conv([2-5])_block([1-6])_(1_relu|2_relu|add|out)");

    @Override
    public List<GroupRule> groupRules() {
        return List.of(
                new GroupRule("stem", STEM::contains),
                new GroupRule("res2", n -> n.startsWith("res2") || n.startsWith("bn2")),
                new GroupRule("res3", n -> n.startsWith("res3") || n.startsWith("bn3")),
                new GroupRule("res4", n -> n.startsWith("res4") || n.startsWith("bn4")),
                new GroupRule("res5", n -> n.startsWith("res5") || n.startsWith("bn5")
                        || n.equals("avg_pool") || n.equals("flatten_1")),
                new GroupRule("fc", topLayers()::contains));
    }

    @Override
    public List<String> topLayers() {
        return List.of("fc1000");
    }
}
