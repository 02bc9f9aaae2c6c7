package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The listener's count must equal the accuracy of the same weights in inference mode: with a no-op updater the
 * weights do not move, so the training step's forward pass and {@code output()} see the same network.
 */
class TrainingAccuracyTest {

    /** 30 noisy examples of 3 classes; a random network gets some right and some wrong. */
    private static DataSet data(int classes) {
        java.util.Random r = new java.util.Random(7);
        INDArray x = Nd4j.zeros(DataType.FLOAT, 30, 4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 30, classes);
        for (int i = 0; i < 30; i++) {
            int c = i % Math.max(2, classes);
            for (int f = 0; f < 4; f++) {
                x.putScalar(i, f, (f == c ? 1.0 : 0.0) + r.nextGaussian());
            }
            y.putScalar(i, classes == 1 ? 0 : c, classes == 1 ? c : 1.0);
        }
        return new DataSet(x, y);
    }

    private static long inferenceCorrect(INDArray probs, INDArray labels) {
        if (probs.size(1) == 1) {
            return probs.gt(0.5).eq(labels.gt(0.5)).castTo(DataType.INT32).sumNumber().longValue();
        }
        return Nd4j.argMax(probs, 1).eq(Nd4j.argMax(labels, 1)).castTo(DataType.INT32).sumNumber().longValue();
    }

    private static ComputationGraph graph(int outputs) {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(outputs == 1 ? LossFunctions.LossFunction.XENT
                        : LossFunctions.LossFunction.MCXENT).nIn(6).nOut(outputs)
                        .activation(outputs == 1 ? Activation.SIGMOID : Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build());
        g.init();
        return g;
    }

    @Test
    void graphCountEqualsInferenceAccuracyOfTheSameWeights() {
        for (int outputs : new int[] {3, 1}) {
            ComputationGraph g = graph(outputs);
            DataSet d = data(outputs);
            long expected = inferenceCorrect(g.outputSingle(false, d.getFeatures()), d.getLabels());
            assertTrue(expected > 0 && expected < 30, "the check needs right and wrong answers: " + expected);
            TrainingAccuracy acc = new TrainingAccuracy();
            g.addListeners(acc);
            acc.labels(d.getLabels());
            g.fit(d);
            assertEquals(expected, acc.correct(), "outputs " + outputs);
            assertEquals(30, acc.seen());
            assertEquals(expected / 30.0, acc.accuracy(), 1e-12);
            acc.reset();
            assertTrue(Double.isNaN(acc.accuracy()));
        }
    }

    @Test
    void multiLayerNetworkCountEqualsInferenceAccuracy() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(new NoOp()).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3)
                        .activation(Activation.SOFTMAX).build()).build());
        net.init();
        DataSet d = data(3);
        long expected = inferenceCorrect(net.output(d.getFeatures(), false), d.getLabels());
        TrainingAccuracy acc = new TrainingAccuracy();
        net.addListeners(acc);
        acc.labels(d.getLabels());
        net.fit(d);
        assertEquals(expected, acc.correct());
        assertEquals(30, acc.seen());
    }
}
