package io.transfer4j.zoo.internal;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;

import io.transfer4j.zoo.Architecture;

/**
 * A small CNN for tests of every module, built with the same conventions as the real backbones: three blocks of
 * {@code blockN_conv1} (3x3, bias) + {@code blockN_bn} + {@code blockN_relu} + {@code blockN_pool} (2x2 max),
 * then {@code avg_pool} (global average) and {@code flatten_1} (32 features), and {@code predictions} (softmax)
 * with the top. Groups {@code block1..block3} and {@code fc}; cut points {@code flatten_1} (vector) and
 * {@code block3_pool} (feature map). About 6,700 parameters without the top.
 */
final class TinyBlueprint implements NetworkBlueprint {
    private static final int[] WIDTHS = {8, 16, 32};

    @Override
    public Architecture architecture() {
        return Architecture.TINY;
    }

    @Override
    public int minInputSize() {
        return 8;
    }

    @Override
    public ComputationGraphConfiguration configuration(BuildOptions options) {
        GraphPlan plan = new GraphPlan(options.input(), options.seed());
        int in = options.input().channels();
        for (int b = 0; b < WIDTHS.length; b++) {
            String block = "block" + (b + 1);
            plan.layer(block + "_conv1", new ConvolutionLayer.Builder(3, 3).stride(1, 1).padding(1, 1)
                    .nIn(in).nOut(WIDTHS[b]).activation(Activation.IDENTITY).build());
            plan.layer(block + "_bn", ResNet50Blueprint.bn(WIDTHS[b], options.bnEpsilon()));
            plan.layer(block + "_relu", ResNet50Blueprint.relu());
            plan.layer(block + "_pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2)
                    .stride(2, 2).build());
            in = WIDTHS[b];
        }
        plan.layer("avg_pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
        plan.vertex("flatten_1", new ReshapeVertex('c', new int[] {-1, in}, null), plan.last());
        if (options.top()) {
            plan.layer("predictions", new DenseLayer.Builder().nIn(in).nOut(options.classes())
                    .activation(Activation.SOFTMAX).build());
        }
        return plan.build();
    }

    @Override
    public List<GroupRule> groupRules() {
        List<GroupRule> rules = new ArrayList<>();
        for (int b = 1; b <= WIDTHS.length; b++) {
            String prefix = "block" + b + "_";
            boolean lastBlock = b == WIDTHS.length;
            rules.add(new GroupRule("block" + b, n -> n.startsWith(prefix)
                    || lastBlock && (n.equals("avg_pool") || n.equals("flatten_1"))));
        }
        rules.add(new GroupRule("fc", topLayers()::contains));
        return rules;
    }

    @Override
    public List<String> topLayers() {
        return List.of("predictions");
    }
}
