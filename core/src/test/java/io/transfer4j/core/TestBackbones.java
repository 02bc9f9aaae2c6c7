package io.transfer4j.core;

import java.util.List;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;

import io.transfer4j.zoo.Architecture;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.CutPoint;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.LayerGroup;
import io.transfer4j.zoo.Normalization;

/**
 * A small backbone with the zoo's conventions, built in the test: conv+BN+ReLU blocks, a residual add (to
 * exercise frozen non-layer vertices), named groups {@code block1}, {@code block2}, a feature-map cut
 * {@code block2_out} and a vector cut {@code avg_pool}.
 */
final class TestBackbones {
    static final List<String> BLOCK1 = List.of("block1_conv", "block1_bn", "block1_relu", "block1_pool");
    static final List<String> BLOCK2 = List.of("block2_conv", "block2_bn", "block2_short", "block2_add",
            "block2_out");

    private TestBackbones() {
    }

    static Backbone tiny(InputShape in, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed)
                .updater(new Sgd(0.1)).weightInit(WeightInit.RELU).dataType(DataType.FLOAT)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs("input")
                .addLayer("block1_conv", new ConvolutionLayer.Builder(3, 3).nOut(8)
                        .activation(Activation.IDENTITY).build(), "input")
                .addLayer("block1_bn", new BatchNormalization.Builder().build(), "block1_conv")
                .addLayer("block1_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(),
                        "block1_bn")
                .addLayer("block1_pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "block1_relu")
                .addLayer("block2_conv", new ConvolutionLayer.Builder(3, 3).nOut(12)
                        .activation(Activation.IDENTITY).build(), "block1_pool")
                .addLayer("block2_bn", new BatchNormalization.Builder().useLogStd(false).build(), "block2_conv")
                .addLayer("block2_short", new ConvolutionLayer.Builder(1, 1).nOut(12)
                        .activation(Activation.IDENTITY).build(), "block1_pool")
                .addVertex("block2_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "block2_bn",
                        "block2_short")
                .addLayer("block2_out", new ActivationLayer.Builder().activation(Activation.RELU).build(),
                        "block2_add")
                .addLayer("avg_pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "block2_out")
                .setOutputs("avg_pool")
                .setInputTypes(InputType.convolutional(in.height(), in.width(), in.channels()))
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        BackboneSpec spec = new BackboneSpec("test-tiny", Architecture.TINY, "test backbone", List.of(), in, 8,
                Normalization.rescale(),
                List.of(new CutPoint("avg_pool", CutPoint.Kind.VECTOR, 12),
                        new CutPoint("block2_out", CutPoint.Kind.FEATURE_MAP, 12)),
                List.of("block1", "block2"));
        return new Backbone(spec, g, in, Backbone.WeightsOrigin.random("test"),
                List.of(new LayerGroup("block1", BLOCK1), new LayerGroup("block2", BLOCK2)));
    }
}
