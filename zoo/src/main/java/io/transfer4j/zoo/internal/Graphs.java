package io.transfer4j.zoo.internal;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.InputShape;

/** Builds and initialises the project's own graph for a spec. */
public final class Graphs {
    /** BatchNormalization epsilon of Keras' original ResNet50 (and of DL4J's converted zip). */
    public static final double KERAS_OLD_BN_EPSILON = 1e-3;
    /** BatchNormalization epsilon of Keras' current ResNet50 ({@code conv2_block1_1_bn} names). */
    public static final double KERAS_NEW_BN_EPSILON = 1.001e-5;
    public static final int IMAGENET_CLASSES = 1000;

    private Graphs() {
    }

    /** The top (classifier) is built only at the input the weights were trained at. */
    public static boolean topFor(BackboneSpec spec, InputShape input) {
        return input.equals(spec.defaultInput());
    }

    public static ComputationGraphConfiguration configuration(BackboneSpec spec, InputShape input, boolean top,
                                                              long seed, double bnEpsilon) {
        return NetworkBlueprint.of(spec.architecture())
                .configuration(new BuildOptions(input, top, seed, bnEpsilon, IMAGENET_CLASSES));
    }

    public static ComputationGraph build(BackboneSpec spec, InputShape input, boolean top, long seed,
                                         double bnEpsilon) {
        ComputationGraph graph = new ComputationGraph(configuration(spec, input, top, seed, bnEpsilon));
        graph.init();
        return graph;
    }

    /** Parameters a configuration will have, computed without allocating them. */
    public static long parameterCount(ComputationGraphConfiguration conf) {
        long total = 0;
        for (var vertex : conf.getVertices().values()) {
            total += vertex.numParams(true);
        }
        return total;
    }
}
