package io.transfer4j.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A small deterministic CNN with every layer kind transfer learning uses: a frozen conv + frozen BN stem
 * (FrozenLayer: runs in inference mode), a conv frozen with backprop, trainable conv + BN + max pooling +
 * average pooling, global pooling, a dense layer and a softmax output. Shared by the oneDNN tests.
 */
final class TestNets {

    static final int SIZE = 16;
    static final int CLASSES = 3;

    private TestNets() {
    }

    static ComputationGraph cnn(long seed, DataType dataType) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(dataType).updater(new Sgd(1e-2))
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs("input")
                .addLayer("stem_conv", new FrozenLayer(new ConvolutionLayer.Builder(3, 3).nIn(3).nOut(8)
                        .activation(Activation.IDENTITY).build()), "input")
                .addLayer("stem_bn", new FrozenLayer(new BatchNormalization.Builder().nOut(8)
                        .activation(Activation.RELU).build()), "stem_conv")
                .addLayer("frozen_bp_conv", new FrozenLayerWithBackprop(new ConvolutionLayer.Builder(3, 3).nIn(8)
                        .nOut(8).activation(Activation.RELU).build()), "stem_bn")
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(12).activation(Activation.IDENTITY)
                        .build(), "frozen_bp_conv")
                .addLayer("bn1", new BatchNormalization.Builder().activation(Activation.RELU).build(), "conv1")
                .addLayer("maxpool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                        .build(), "bn1")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(16).stride(1, 1)
                        .activation(Activation.RELU).build(), "maxpool")
                .addLayer("avgpool", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2)
                        .build(), "conv2")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "avgpool")
                .addLayer("fc", new DenseLayer.Builder().nOut(10).activation(Activation.RELU).build(), "gap")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }
}
