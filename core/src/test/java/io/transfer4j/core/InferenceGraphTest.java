package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import io.transfer4j.core.internal.AddActivationVertex;
import io.transfer4j.core.internal.GradCamEngine;
import io.transfer4j.core.internal.GraphSurgery;

/**
 * The derived inference graph computes what the model computes. Tolerance: the folded graph multiplies by
 * {@code g/sqrt(var+eps)} before the convolution's sums instead of after, and rounds the folded weights to
 * float32 once, so outputs differ from the original by float32 rounding (unit roundoff 6e-8) grown by the
 * reduction length and depth; 1e-5 of the largest activation is ~100x that for these small graphs, while a real
 * fault (a wrong eps, log-std read as a variance, a missing bias or beta) changes outputs by 1e-2 or more.
 */
class InferenceGraphTest {

    static final double TOL = 1e-5;

    /** Random gamma, beta and running statistics on every BatchNorm (mean 0 / var 1 would hide mistakes). */
    static void randomiseBatchNorm(ComputationGraph g, long seed) {
        Random r = new Random(seed);
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            org.deeplearning4j.nn.api.Layer in = GraphSurgery.inner(l);
            if (!(in.conf().getLayer() instanceof BatchNormalization bn)) {
                continue;
            }
            fill(in.getParam(BatchNormalizationParamInitializer.GAMMA), r, 0.5, 1.5);
            fill(in.getParam(BatchNormalizationParamInitializer.BETA), r, -0.5, 0.5);
            fill(in.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN), r, -0.5, 0.5);
            if (bn.isUseLogStd()) {
                fill(in.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD), r, -0.3, 0.3);
            } else {
                fill(in.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR), r, 0.5, 2);
            }
        }
    }

    private static void fill(INDArray a, Random r, double lo, double hi) {
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, lo + (hi - lo) * r.nextDouble());
        }
    }

    /** max |a - b| relative to max |b|. */
    static double relDiff(INDArray a, INDArray b) {
        double scale = Math.max(b.amaxNumber().doubleValue(), 1e-30);
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() / scale;
    }

    private static TransferModel tinyWithDenseBatchNorm() {
        TransferModel m = TransferModelTest.tiny().cut("block2_out")
                .head(HeadSpec.builder().dense(16, Activation.RELU, 0.3, true).build()).build();
        randomiseBatchNorm(m.graph(), 5);
        return m;
    }

    @Test
    void foldsBatchNormIntoConvAndDenseAndAgreesWithTheModel() {
        TransferModel m = tinyWithDenseBatchNorm();
        InferenceGraph ig = InferenceGraph.derive(m.graph());
        // block1_bn (log10-std storage), block2_bn (variance storage), head_bn1 (after a dense layer)
        assertEquals(3, ig.foldedBatchNorms());
        // block1_relu and head_act1; block2_out follows a residual add: add and ReLU become one vertex
        assertEquals(2, ig.fusedActivations());
        assertEquals(1, ig.fusedAdds());
        assertTrue(ig.graph().getConfiguration().getVertices().get("block2_out") instanceof AddActivationVertex);
        assertEquals(List.of("block2_bn", "block2_short"), ig.graph().getConfiguration().getVertexInputs().get("block2_out"));
        Set<String> vertices = ig.graph().getConfiguration().getVertices().keySet();
        assertFalse(vertices.contains("block1_conv") || vertices.contains("block1_bn")
                || vertices.contains("head_bn1") || vertices.contains("block2_add"), "folded vertices are gone: " + vertices);
        assertTrue(vertices.containsAll(List.of("block1_relu", "block2_bn", "block2_out", "head_act1", "predictions")));
        assertFalse(GraphSurgery.frozenVertices(ig.graph().getConfiguration()).iterator().hasNext(), "no wrappers");

        INDArray x = TestData.batch(4, 3, 16, 3, 1, 11).getFeatures();
        INDArray expected = m.graph().outputSingle(false, x);
        INDArray got = ig.output(x);
        assertTrue(relDiff(got, expected) < TOL, "probabilities differ by " + relDiff(got, expected));
        INDArray features = m.graph().output(List.of("block2_out"), false, new INDArray[] {x}, null)[0];
        INDArray derivedFeatures = ig.output(List.of("block2_out"), x)[0];
        assertTrue(relDiff(derivedFeatures, features) < TOL, "features differ by " + relDiff(derivedFeatures, features));
        assertTrue(features.amaxNumber().doubleValue() > 0.1, "a non-trivial comparison");
    }

    @Test
    void channelsLastWhereSafeAndBothLayoutsAgree() {
        TransferModel m = tinyWithDenseBatchNorm();
        InferenceGraph nhwc = InferenceGraph.derive(m.graph());
        InferenceGraph nchw = InferenceGraph.derive(m.graph(), m.graph().getConfiguration().getNetworkOutputs(),
                List.of(), InferenceGraph.Layout.NCHW);
        assertEquals(InferenceGraph.Layout.NHWC, nhwc.layout(), "conv, BN, pooling, add, dense: all layout-safe");
        assertEquals(InferenceGraph.Layout.NCHW, nchw.layout());
        assertEquals(org.deeplearning4j.nn.conf.CNN2DFormat.NHWC, ((ConvolutionLayer) nhwc.graph().getLayer(
                "block2_short").conf().getLayer()).getCnn2dDataFormat());
        INDArray x = TestData.batch(3, 3, 16, 3, 1, 15).getFeatures();
        assertTrue(relDiff(nhwc.output(x), nchw.output(x)) < TOL);
        INDArray map = m.graph().output(List.of("block2_out"), false, new INDArray[] {x}, null)[0];
        INDArray fromNhwc = nhwc.output(List.of("block2_out"), x)[0];
        assertEquals(List.of(3L, 12L, 8L, 8L), java.util.Arrays.stream(fromNhwc.shape()).boxed().toList(),
                "feature maps come back NCHW");
        assertTrue(relDiff(fromNhwc, map) < TOL);
        assertTrue(relDiff(nhwc.output(List.of("block1_relu"), x)[0],
                m.graph().output(List.of("block1_relu"), false, new INDArray[] {x}, null)[0]) < TOL,
                "a vertex next to the input (DL4J's workspace bug path)");
    }

    @Test
    void aPrefixEndsAtTheRequestedVertex() {
        TransferModel m = tinyWithDenseBatchNorm();
        InferenceGraph prefix = InferenceGraph.derive(m.graph(), "block2_out");
        assertEquals(List.of("block2_out"), prefix.outputs());
        assertFalse(prefix.computes("predictions"));
        INDArray x = TestData.batch(3, 3, 16, 3, 1, 12).getFeatures();
        INDArray expected = m.graph().output(List.of("block2_out"), false, new INDArray[] {x}, null)[0];
        assertTrue(relDiff(prefix.output(x), expected) < TOL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InferenceGraph.derive(m.graph(), "block2_outt"));
        assertTrue(e.getMessage().contains("Did you mean 'block2_out'?"), e.getMessage());
    }

    /** conv without bias -> BN -> ReLU; conv with ReLU -> BN (no fold); a conv read twice (no fold); NHWC-free. */
    private static ComputationGraph edgeCases() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.1))
                .dataType(DataType.FLOAT).convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("input")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(6).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "input")
                .addLayer("bn1", new BatchNormalization.Builder().eps(1e-3).useLogStd(false).build(), "c1")
                .addLayer("relu1", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(6).activation(Activation.RELU).build(),
                        "relu1")
                .addLayer("bn2", new BatchNormalization.Builder().build(), "c2")
                .addLayer("c3", new ConvolutionLayer.Builder(1, 1).nOut(6).activation(Activation.IDENTITY).build(),
                        "bn2")
                .addLayer("bn3", new BatchNormalization.Builder().build(), "c3")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn3", "c3")
                .addLayer("tanh", new ActivationLayer.Builder().activation(Activation.TANH).build(), "add")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "tanh")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 3)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        randomiseBatchNorm(g, 9);
        return g;
    }

    @Test
    void foldsOnlyWhereExactAndSaysWhatWasFolded() {
        ComputationGraph g = edgeCases();
        InferenceGraph ig = InferenceGraph.derive(g);
        assertEquals(1, ig.foldedBatchNorms(), "only bn1: c2 has its own ReLU before bn2, c3 is read twice");
        assertEquals(1, ig.fusedActivations());
        assertEquals(1, ig.fusedAdds(), "add + tanh: one vertex");
        assertFalse(ig.computes("add"));
        assertTrue(ig.computes("relu1") && ig.computes("bn2") && ig.computes("c3") && ig.computes("bn3"));
        assertFalse(ig.computes("c1") || ig.computes("bn1"));
        assertEquals(2, ig.graph().getLayer("relu1").paramTable().size(), "the bias-free conv gained a bias");
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
        assertTrue(relDiff(ig.output(x), g.outputSingle(false, x)) < TOL);
        INDArray relu1 = g.output(List.of("relu1"), false, new INDArray[] {x}, null)[0];
        assertTrue(relDiff(ig.output(List.of("relu1"), x)[0], relu1) < TOL);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ig.output(List.of("c1"), x));
        assertTrue(e.getMessage().contains("folded into 'relu1'") && e.getMessage().contains("keep"), e.getMessage());
        InferenceGraph keep = InferenceGraph.derive(g, List.of("out"), List.of("bn1"));
        assertEquals(1, keep.foldedBatchNorms(), "bn1 kept as a value: c1+bn1 fold, relu1 stays a layer");
        assertEquals(0, keep.fusedActivations());
        INDArray bn1 = g.output(List.of("bn1"), false, new INDArray[] {x}, null)[0];
        INDArray keptBn1 = keep.output(List.of("bn1"), x)[0];
        assertTrue(relDiff(keptBn1, bn1) < TOL, "bn1 differs by " + relDiff(keptBn1, bn1) + "; min " + keptBn1.minNumber() + " vs " + bn1.minNumber());

        InferenceGraph keepAdd = InferenceGraph.derive(g, List.of("out"), List.of("add"));
        assertEquals(0, keepAdd.fusedAdds(), "a pinned add stays a vertex");
        assertTrue(keepAdd.computes("add"));
        assertTrue(relDiff(keepAdd.output(x), ig.output(x)) < TOL);
    }

    /**
     * Three residual adds on a 2-channel input (Same-mode convolutions a, b, c read the input; add3 = a + b + c ->
     * relu3; add2 = relu3 + a, read by relu2 and by d; addb = relu2 + d -> leaky ReLU 'relub'); callers add a tail.
     */
    static ComputationGraphConfiguration.GraphBuilder residualBlocks() {
        return new NeuralNetConfiguration.Builder().seed(4).updater(new Sgd(0.1))
                .dataType(DataType.FLOAT).convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("input")
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).nOut(5).activation(Activation.IDENTITY).build(), "input")
                .addLayer("b", new ConvolutionLayer.Builder(1, 1).nOut(5).activation(Activation.IDENTITY).build(), "input")
                .addLayer("c", new ConvolutionLayer.Builder(3, 3).nOut(5).activation(Activation.TANH).build(), "input")
                .addVertex("add3", new ElementWiseVertex(ElementWiseVertex.Op.Add), "a", "b", "c")
                .addLayer("relu3", new ActivationLayer.Builder().activation(Activation.RELU).build(), "add3")
                .addVertex("add2", new ElementWiseVertex(ElementWiseVertex.Op.Add), "relu3", "a")
                .addLayer("relu2", new ActivationLayer.Builder().activation(Activation.RELU).build(), "add2")
                .addLayer("d", new ConvolutionLayer.Builder(1, 1).nOut(5).activation(Activation.IDENTITY).build(), "add2")
                .addVertex("addb", new ElementWiseVertex(ElementWiseVertex.Op.Add), "relu2", "d")
                .addLayer("relub", new ActivationLayer.Builder().activation(Activation.LEAKYRELU).build(), "addb");
    }

    /**
     * Adds that fuse and adds that must not: a 3-input add + ReLU (fuses), an add read by a ReLU and by a
     * convolution (its value is needed twice: no fusion), an add + leaky ReLU after it (fuses).
     */
    @Test
    void residualAddsFuseWithTheirActivationOnlyWhereTheSumIsNotReadElsewhere() {
        ComputationGraphConfiguration conf = residualBlocks()
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "relub")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.convolutional(6, 6, 2)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        InferenceGraph ig = InferenceGraph.derive(g, List.of("out"), List.of(), InferenceGraph.Layout.NCHW);
        assertEquals(2, ig.fusedAdds(), "add3 + relu3 and addb + relub; add2 is also read by d");
        assertFalse(ig.computes("add3") || ig.computes("addb"));
        assertTrue(ig.computes("add2") && ig.computes("relu2"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 2, 6, 6).subi(0.5);
        for (String v : List.of("relu3", "relu2", "relub")) {
            INDArray expected = g.output(List.of(v), false, new INDArray[] {x}, null)[0];
            INDArray got = ig.output(List.of(v), x)[0];
            assertTrue(relDiff(got, expected) < TOL, v + " differs by " + relDiff(got, expected));
            assertTrue(expected.minNumber().doubleValue() >= -0.1 * expected.amaxNumber().doubleValue()
                    && expected.amaxNumber().doubleValue() > 0.1, v + ": a rectified, non-trivial value");
        }
        assertTrue(relDiff(ig.output(x), g.outputSingle(false, x)) < TOL);
        assertTrue(relDiff(InferenceGraph.derive(g).output(x), g.outputSingle(false, x)) < TOL, "NHWC too");

        // backprop through the fused vertices (Grad-CAM's tail runs it): no BN here, so the derived graph's
        // parameters are the model's and every gradient must match the model's own
        INDArray y = Nd4j.eye(3).castTo(DataType.FLOAT);
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        ig.graph().setInputs(x);
        ig.graph().setLabels(y);
        ig.graph().computeGradientAndScore();
        for (String p : List.of("a_W", "b_W", "c_W", "d_W", "a_b")) {
            INDArray expected = g.gradient().getGradientFor(p);
            INDArray got = ig.graph().gradient().getGradientFor(p);
            assertTrue(expected.amaxNumber().doubleValue() > 1e-6, p + ": a non-zero gradient");
            assertTrue(relDiff(got, expected) < TOL, p + " gradient differs by " + relDiff(got, expected));
        }
    }

    /**
     * A feature map flattened into a dense layer (VGG16's top): NHWC flattens h,w,c where NCHW flattens c,h,w, so
     * the derived graph runs NHWC only with the dense layer's rows permuted. A 2x3 map with 4 channels (h != w != c)
     * catches any swapped index; a flatten whose value is asked for keeps the graph NCHW.
     */
    @Test
    void aFlattenIntoADenseLayerRunsChannelsLastWithItsRowsPermuted() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).updater(new Sgd(0.1))
                .dataType(DataType.FLOAT).graphBuilder()
                .addInputs("input")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(4).activation(Activation.RELU)
                        .build(), "input")
                .addVertex("flatten", new org.deeplearning4j.nn.conf.graph.PreprocessorVertex(
                        new org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor(2, 3, 4)), "conv")
                .addLayer("fc", new DenseLayer.Builder().nIn(24).nOut(7).activation(Activation.TANH).build(), "flatten")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(7).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").setInputTypes(InputType.convolutional(5, 7, 2)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 2, 5, 7);
        InferenceGraph nhwc = InferenceGraph.derive(g);
        assertEquals(InferenceGraph.Layout.NHWC, nhwc.layout());
        INDArray fc = g.output(List.of("fc"), false, new INDArray[] {x}, null)[0];
        assertTrue(relDiff(nhwc.output(List.of("fc"), x)[0], fc) < TOL, "fc differs by "
                + relDiff(nhwc.output(List.of("fc"), x)[0], fc));
        assertTrue(relDiff(nhwc.output(x), g.outputSingle(false, x)) < TOL);
        assertFalse(g.getLayer("fc").getParam("W").equalsWithEps(nhwc.graph().getLayer("fc").getParam("W"), 1e-6),
                "the rows were reordered (the model's own weights are untouched)");

        InferenceGraph keepFlatten = InferenceGraph.derive(g, List.of("out"), List.of("flatten"));
        assertEquals(InferenceGraph.Layout.NCHW, keepFlatten.layout(), "the flattened vector itself is asked for");
        INDArray flat = g.output(List.of("flatten"), false, new INDArray[] {x}, null)[0];
        assertTrue(relDiff(keepFlatten.output(List.of("flatten"), x)[0], flat) < TOL);
    }

    @Test
    void theModelsInferenceGraphIsRebuiltWhenParametersChange() {
        TransferModel m = tinyWithDenseBatchNorm();
        m.setTrainable(LayerSelection.all(), new Sgd(0.5));
        randomiseBatchNorm(m.graph(), 6);
        DataSet ds = TestData.batch(6, 3, 16, 3, 1, 13);
        InferenceGraph first = m.inferenceGraph();
        assertSame(first, m.inferenceGraph(), "unchanged parameters: the same derived graph");
        assertTrue(first.isCurrentFor(m.graph()));
        INDArray before = first.output(ds.getFeatures());

        m.graph().fit(ds);   // trains every layer, BN statistics included
        assertFalse(first.isCurrentFor(m.graph()), "a training step changes the parameters");
        InferenceGraph second = m.inferenceGraph();
        assertNotSame(first, second);
        INDArray after = second.output(ds.getFeatures());
        assertTrue(relDiff(after, m.graph().outputSingle(false, ds.getFeatures())) < TOL, "matches the trained model");
        assertTrue(relDiff(after, before) > 1e-3, "and training did change the answer");

        m.setTrainable(LayerSelection.headOnly(), new Sgd(0.1));
        assertFalse(second.isCurrentFor(m.graph()), "a new graph object after setTrainable");
        assertTrue(relDiff(m.inferenceGraph().output(ds.getFeatures()), after) < TOL, "same parameters, same answer");
    }

    @Test
    void gradCamOnTheDerivedGraphMatchesTheModel() throws Exception {
        TransferModel m = TransferModelTest.tiny().cut("block2_out").build();
        m.calibrateBatchNorm(TestData.iterator(TestData.batch(16, 3, 16, 3, 1, 41), 8), 2);
        INDArray x = TestData.batch(1, 3, 16, 3, 1, 14).getFeatures();
        for (String layer : List.of("block2_out", "block1_relu")) {
            GradCamEngine engine = new GradCamEngine(m.plainConfiguration(), m.graph(), layer, m.inputType());
            InferenceGraph ig = InferenceGraph.derive(m.graph(), m.graph().getConfiguration().getNetworkOutputs(),
                    List.of(layer));
            for (int c = 0; c < 3; c++) {
                float[][] original = GradCamEngine.normalise(engine.compute(m.graph(), x, c, 1).cam());
                float[][] derived = GradCamEngine.normalise(engine.compute(ig, x, c, 1).cam());
                GradCamTest.assertMapsEqual(original, derived, 1e-4);
            }
        }
        try (Predictor p = Predictor.of(m)) {
            GradCam cam = p.explain(ImageInput.of(x.mul(255)));
            GradCamEngine engine = new GradCamEngine(m.plainConfiguration(), m.graph(), cam.layer(), m.inputType());
            float[][] original = GradCamEngine.normalise(engine.compute(m.graph(),
                    m.normalization().applyInPlace(x.mul(255)), cam.classIndex(), 1).cam());
            GradCamTest.assertMapsEqual(original, cam.coarse(), 1e-4);
        }
    }
}
