package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link InferenceGraph#output} runs derived graphs on transfer4j's direct executor
 * ({@code io.transfer4j.core.internal.DirectInference}): the same native ops as DL4J's layers, argument contexts
 * built once, buffers reused by liveness and written in place. It must give what DL4J's own executor gives on the
 * same derived graph (the same ops on the same data: 1e-6 covers only oneDNN's thread-count-dependent summation
 * order), across batch sizes and repeated calls, without corrupting a value that is still to be read, and must leave
 * graphs it does not run, and input DL4J rejects, to DL4J.
 */
class DirectInferenceTest {

    static final double SAME_OPS = 1e-6;

    /** DL4J's executor on the derived graph itself (the input in the graph's layout). */
    static INDArray viaDl4j(InferenceGraph ig, INDArray x) {
        INDArray in = ig.layout() == InferenceGraph.Layout.NHWC ? x.permute(0, 2, 3, 1).dup('c') : x;
        INDArray y = ig.graph().outputSingle(false, in);
        return ig.layout() == InferenceGraph.Layout.NHWC && y.rank() == 4 ? y.permute(0, 3, 1, 2).dup('c') : y;
    }

    @Test
    void theTinyModelRunsDirectAndMatchesDl4jsExecutorAcrossBatchSizes() {
        TransferModel m = TransferModelTest.tiny().cut("block2_out")
                .head(HeadSpec.builder().dense(16, Activation.RELU, 0.3, true).build()).build();
        InferenceGraphTest.randomiseBatchNorm(m.graph(), 5);
        InferenceGraph ig = InferenceGraph.derive(m.graph());
        assertTrue(ig.direct(), "conv, pooling, fused add + ReLU, global pooling, reshape, dense, output: all direct; not: "
                + io.transfer4j.core.internal.DirectInference.unsupported(ig.graph()));
        INDArray first = null;
        INDArray firstExpected = null;
        for (int n : new int[] {4, 2, 4, 1}) {
            INDArray x = TestData.batch(n, 3, 16, 3, 1, 20 + n).getFeatures();
            INDArray got = ig.output(x);
            INDArray expected = viaDl4j(ig, x);
            assertEquals(List.of((long) n, 3L), List.of(got.shape()[0], got.shape()[1]));
            assertTrue(InferenceGraphTest.relDiff(got, expected) < SAME_OPS, "batch " + n + " differs by "
                    + InferenceGraphTest.relDiff(got, expected));
            assertTrue(InferenceGraphTest.relDiff(got, m.graph().outputSingle(false, x)) < InferenceGraphTest.TOL);
            if (first == null) {
                first = got;
                firstExpected = expected.dup();
            }
        }
        assertTrue(InferenceGraphTest.relDiff(first, firstExpected) < SAME_OPS,
                "a returned array is detached: later calls reuse the executor's buffers, not the caller's result");

        INDArray four = TestData.batch(4, 3, 16, 3, 1, 24).getFeatures();
        INDArray one = four.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
        assertEquals(ig.output(one).getRow(0), ig.output(four).getRow(0),
                "an image's result does not depend on the batch it came in (Predictor: batched = single)");

        InferenceGraph copy = ig.copy();
        INDArray x = TestData.batch(3, 3, 16, 3, 1, 40).getFeatures();
        assertTrue(copy.direct());
        assertTrue(InferenceGraphTest.relDiff(copy.output(x), ig.output(x)) < SAME_OPS);
    }

    /**
     * Values read twice must not be overwritten in place: relu3 is read by add2, add2 by relu2 and d, relu2 by addb and
     * a global pooling, and the network input by three convolutions. Same-mode convolutions, 3x3/2 max pooling, a
     * flatten into a dense layer, two outputs.
     */
    @Test
    void inPlaceWritesNeverTouchAValueStillToBeReadAndTheInputIsNeverWritten() {
        ComputationGraphConfiguration conf = InferenceGraphTest.residualBlocks()
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Truncate).build(), "relub")
                .addLayer("fc", new DenseLayer.Builder().nOut(7).activation(Activation.SIGMOID).build(), "pool")
                .addLayer("gp", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "relu2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .addLayer("out2", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "gp")
                .setOutputs("out", "out2").setInputTypes(InputType.convolutional(7, 7, 2)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        for (InferenceGraph.Layout layout : InferenceGraph.Layout.values()) {
            InferenceGraph ig = InferenceGraph.derive(g, List.of("out", "out2"), List.of(), layout);
            assertTrue(ig.direct(), layout + ": every vertex runs direct");
            INDArray x = Nd4j.rand(DataType.FLOAT, 3, 2, 7, 7).subi(0.5);
            INDArray before = x.dup();
            INDArray[] got = ig.outputs(x);
            INDArray[] expected = g.output(false, x);
            assertEquals(x, before, "the caller's input is never written");
            for (int i = 0; i < 2; i++) {
                assertTrue(expected[i].amaxNumber().doubleValue() > 1e-3, "a non-trivial comparison");
                assertTrue(InferenceGraphTest.relDiff(got[i], expected[i]) < InferenceGraphTest.TOL,
                        layout + " output " + i + " differs by " + InferenceGraphTest.relDiff(got[i], expected[i]));
            }
            INDArray[] again = ig.outputs(x);
            assertTrue(InferenceGraphTest.relDiff(again[0], got[0]) < SAME_OPS && InferenceGraphTest.relDiff(again[1], got[1]) < SAME_OPS,
                    "a second call over reused buffers gives the same result");
        }
    }

    @Test
    void graphsWithAVertexItDoesNotRunStayOnDl4jsExecutor() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(2).updater(new Sgd(0.1))
                .dataType(DataType.FLOAT).graphBuilder()
                .addInputs("input")
                .addLayer("c", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "input")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.PNORM).pnorm(2).kernelSize(2, 2).stride(2, 2)
                        .build(), "c")
                .addLayer("gp", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "pool")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "gp")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 2)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        InferenceGraph ig = InferenceGraph.derive(g);
        assertFalse(ig.direct(), "p-norm pooling is not one of the direct executor's kernels");
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 2, 8, 8);
        assertTrue(InferenceGraphTest.relDiff(ig.output(x), g.outputSingle(false, x)) < InferenceGraphTest.TOL);
    }

    @Test
    void inputDl4jRejectsGetsDl4jsErrorAndTheExecutorStaysOn() {
        TransferModel m = TransferModelTest.tiny().cut("block2_out").head(HeadSpec.builder().build()).build();
        InferenceGraph ig = InferenceGraph.derive(m.graph());
        assertTrue(ig.direct());
        INDArray wrongChannels = Nd4j.rand(DataType.FLOAT, 2, 5, 16, 16);
        Exception e = assertThrows(Exception.class, () -> ig.output(wrongChannels));
        assertTrue(e.getClass().getName().startsWith("org.deeplearning4j"),
                "DL4J's own message for the input, not a native op's: " + e);
        assertTrue(ig.direct(), "bad input does not switch the direct executor off");
        INDArray x = TestData.batch(2, 3, 16, 3, 1, 7).getFeatures();
        assertTrue(InferenceGraphTest.relDiff(ig.output(x), m.graph().outputSingle(false, x)) < InferenceGraphTest.TOL);
    }
}
