package io.transfer4j.zoo.internal;

import java.io.IOException;
import java.nio.file.Path;

import org.deeplearning4j.nn.graph.ComputationGraph;

import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.InputShape;

/** Keras .h5 weights (milestone 5: not implemented yet). */
final class KerasH5Weights {
    private KerasH5Weights() {
    }

    static ComputationGraph load(BackboneSpec spec, InputShape input, boolean top, Path file) throws IOException {
        throw new IOException("loading Keras .h5 weights is not implemented yet (" + file + ")");
    }
}
