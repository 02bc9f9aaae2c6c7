package io.transfer4j.zoo.internal.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import io.transfer4j.zoo.Backend;

class ChunkedConvHelperTest {
    private static final int BATCH = 7;

    @BeforeAll
    static void backend() {
        Backend.ensureInitialised();
    }

    private static ComputationGraph graph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Sgd(0.1))
                .graphBuilder().addInputs("in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(8)
                        .activation(Activation.RELU).build(), "in")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(6)
                        .activation(Activation.RELU).build(), "c1")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").setInputTypes(InputType.convolutional(12, 12, 3)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static DataSet data() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 3, 12, 12);
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 3);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % 3, 1);
        }
        return new DataSet(x, y);
    }

    @Test
    void chunkedStepsEqualUnchunkedOnes() {
        ComputationGraph plain = graph();
        ComputationGraph chunked = graph();
        // c1's output is 8 x 12 x 12 floats = 4,608 bytes per image: a 10,000-byte limit splits 7 images into 4 chunks
        assertEquals(2, ChunkedConvHelper.install(chunked, 10_000));
        assertEquals(2, ChunkedConvHelper.install(chunked, 10_000), "idempotent");
        assertInstanceOf(ChunkedConvHelper.class, ChunkedConvHelper.helperOf(chunked.getLayer("c1")));
        DataSet d = data();
        for (int step = 0; step < 3; step++) {
            plain.fit(d);
            chunked.fit(d);
            assertEquals(plain.score(), chunked.score(), 1e-6 * Math.abs(plain.score()), "loss at step " + step);
        }
        INDArray a = plain.params();
        INDArray b = chunked.params();
        double diff = a.sub(b).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5 * a.amaxNumber().doubleValue(), "parameters differ by " + diff);
        // the chunked path really ran: the gradients of the last step were built chunk by chunk and still agree
        INDArray ga = plain.getGradientsViewArray();
        INDArray gb = chunked.getGradientsViewArray();
        assertTrue(ga.amaxNumber().doubleValue() > 0, "a step with zero gradients proves nothing");
        assertTrue(ga.sub(gb).amaxNumber().doubleValue() <= 1e-5 * ga.amaxNumber().doubleValue());
    }

    @Test
    void theDefaultEntryPointInstallsOnEveryPlainConvolution() {
        ComputationGraph g = graph();
        assertEquals(2, Backend.boundConvolutionMemory(g));
        assertInstanceOf(ChunkedConvHelper.class, ChunkedConvHelper.helperOf(g.getLayer("c2")));
    }
}
