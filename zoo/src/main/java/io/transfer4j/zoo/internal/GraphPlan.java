package io.transfer4j.zoo.internal;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

import io.transfer4j.zoo.InputShape;

/**
 * A small wrapper over DL4J's graph builder that keeps the vertices in the order they were added, chains each
 * vertex to the previous one unless told otherwise, and fixes the settings every zoo network shares (float32,
 * He initialisation, truncate convolution mode, a seed).
 */
final class GraphPlan {
    static final String INPUT = "input_1";

    private final ComputationGraphConfiguration.GraphBuilder builder;
    private final List<String> order = new ArrayList<>();
    private String last = INPUT;

    GraphPlan(InputShape input, long seed) {
        this.builder = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(1e-3))
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(input.height(), input.width(), input.channels()));
    }

    /** Adds a layer fed by the previous vertex; returns its name. */
    String layer(String name, Layer layer) {
        return layer(name, layer, last);
    }

    String layer(String name, Layer layer, String... inputs) {
        builder.addLayer(name, layer, inputs);
        return added(name);
    }

    String vertex(String name, GraphVertex vertex, String... inputs) {
        builder.addVertex(name, vertex, inputs);
        return added(name);
    }

    String last() {
        return last;
    }

    private String added(String name) {
        order.add(name);
        last = name;
        return name;
    }

    ComputationGraphConfiguration build() {
        return builder.setOutputs(last).build();
    }
}
