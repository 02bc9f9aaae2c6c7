package io.transfer4j.training.internal;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small dense graphs and separable data for engine-level tests that do not need a backbone. */
final class TinyGraphs {
    private TinyGraphs() {
    }

    /** in(4) -> a(8, relu) -> out(3, softmax). */
    static ComputationGraph mlp(long seed) {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER)
                .graphBuilder().addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "a")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build());
        g.init();
        return g;
    }

    /** n examples of 3 classes, class c centred on feature c. */
    static DataSet data(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        INDArray x = Nd4j.zeros(DataType.FLOAT, n, 4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            for (int f = 0; f < 4; f++) {
                x.putScalar(i, f, (f == c ? 2.0 : 0.0) + r.nextGaussian() * 0.3);
            }
            y.putScalar(i, c, 1.0);
        }
        return new DataSet(x, y);
    }
}
