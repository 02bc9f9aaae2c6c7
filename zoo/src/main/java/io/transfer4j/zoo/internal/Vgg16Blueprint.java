package io.transfer4j.zoo.internal;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.nd4j.linalg.activations.Activation;

import io.transfer4j.zoo.Architecture;

/**
 * Keras' {@code keras.applications.VGG16}: five blocks of 3x3 convolutions (ReLU inside the convolution, 'same'
 * padding) each followed by a 2x2 max pool, then {@code flatten}, {@code fc1}, {@code fc2} (4096, ReLU) and
 * {@code predictions} (softmax) when the top is included. Vertex names are Keras' names.
 */
final class Vgg16Blueprint implements NetworkBlueprint {
    private static final int[][] BLOCKS = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};

    @Override
    public Architecture architecture() {
        return Architecture.VGG16;
    }

    @Override
    public int minInputSize() {
        return 32;
    }

    @Override
    public ComputationGraphConfiguration configuration(BuildOptions options) {
        GraphPlan plan = new GraphPlan(options.input(), options.seed());
        int channels = options.input().channels();
        int h = options.input().height();
        int w = options.input().width();
        for (int b = 0; b < BLOCKS.length; b++) {
            for (int c = 0; c < BLOCKS[b].length; c++) {
                plan.layer("block" + (b + 1) + "_conv" + (c + 1), new ConvolutionLayer.Builder(3, 3)
                        .stride(1, 1).padding(1, 1).nIn(channels).nOut(BLOCKS[b][c])
                        .activation(Activation.RELU).build());
                channels = BLOCKS[b][c];
            }
            plan.layer("block" + (b + 1) + "_pool", new SubsamplingLayer.Builder(PoolingType.MAX)
                    .kernelSize(2, 2).stride(2, 2).build());
            h /= 2;
            w /= 2;
        }
        if (options.top()) {
            plan.vertex("flatten", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(h, w, channels)),
                    plan.last());
            plan.layer("fc1", new DenseLayer.Builder().nIn((long) h * w * channels).nOut(4096)
                    .activation(Activation.RELU).build());
            plan.layer("fc2", new DenseLayer.Builder().nIn(4096).nOut(4096).activation(Activation.RELU).build());
            plan.layer("predictions", new DenseLayer.Builder().nIn(4096).nOut(options.classes())
                    .activation(Activation.SOFTMAX).build());
        }
        return plan.build();
    }

    @Override
    public List<GroupRule> groupRules() {
        List<GroupRule> rules = new ArrayList<>();
        for (int b = 1; b <= BLOCKS.length; b++) {
            String prefix = "block" + b + "_";
            rules.add(new GroupRule("block" + b, n -> n.startsWith(prefix)));
        }
        rules.add(new GroupRule("fc", n -> n.equals("flatten") || topLayers().contains(n)));
        return rules;
    }

    @Override
    public List<String> topLayers() {
        return List.of("fc1", "fc2", "predictions");
    }
}
