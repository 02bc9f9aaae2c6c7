package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;

import io.transfer4j.core.internal.GradCamEngine;
import io.transfer4j.core.internal.GraphSurgery;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/**
 * The derived inference graphs of the real zoo backbones (random weights, small inputs) compute what the models
 * compute, with BatchNorm statistics that are neither the initial mean 0 / variance 1 (which explode in
 * inference mode, TRAPS.md) nor trivially gamma 1 / beta 0: random gamma and beta, then running statistics
 * calibrated on data, so every layer sees activations of a realistic scale.
 *
 * <p>Tolerance 1e-4 of the largest value (ResNet50, 53 folded BatchNorms, reductions up to 4,608 terms deep in
 * float32): the original and the folded graph round differently at every layer (the BN scale multiplies before
 * the convolution's sums instead of after; the folded weights are rounded to float32 once), and the relative
 * rounding error grows with depth. Measured (2026-12-05): ResNet50 at 64 px 2.0e-6 at {@code flatten_1} and
 * 8.8e-6 on the probabilities, Grad-CAM maps (scaled to [0, 1]) 9.6e-5 apart (limit 1e-3: the map is a sum over
 * 2,048 channels of products of two rounded quantities); VGG16 at 32 px 1.4e-7. A wrong fold (eps, log-std,
 * missing beta or bias) is off by 1e-2 or more.
 */
class InferenceGraphIT {
    private static final Zoo ZOO = Zoo.builder().offline(true).build();
    private static final double TOL = 1e-4;

    private static void randomGammaBeta(ComputationGraph g, long seed) {
        Random r = new Random(seed);
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            org.deeplearning4j.nn.api.Layer in = GraphSurgery.inner(l);
            if (in.conf().getLayer() instanceof BatchNormalization) {
                INDArray gamma = in.getParam(BatchNormalizationParamInitializer.GAMMA);
                INDArray beta = in.getParam(BatchNormalizationParamInitializer.BETA);
                for (long i = 0; i < gamma.length(); i++) {
                    gamma.putScalar(i, 0.5 + r.nextDouble());
                    beta.putScalar(i, 0.4 * r.nextDouble() - 0.2);
                }
            }
        }
    }

    private static TransferModel calibrated(String backbone, int size, long seed) {
        TransferModel m = TransferModel.builder().backbone(ZOO.random(backbone, InputShape.rgb(size, size), seed))
                .head(HeadSpec.builder().dense(32, Activation.RELU, 0, true).build())
                .labels(List.of("a", "b", "c")).build();
        randomGammaBeta(m.graph(), seed);
        DataSet calib = TestData.batch(8, 3, size, 3, 1, seed);
        m.calibrateBatchNorm(TestData.iterator(calib, 8), 1);
        return m;
    }

    @Test
    void resnet50FoldedAgreesWithTheModelAndGradCamMapsAgree() {
        TransferModel m = calibrated("resnet50", 64, 21);
        InferenceGraph ig = m.inferenceGraph();
        assertEquals(53 + 1, ig.foldedBatchNorms(), "every backbone BN and the head's");
        assertEquals(InferenceGraph.Layout.NHWC, ig.layout(), "ResNet50 + a pooled head: every vertex layout-safe");
        assertEquals(33 + 1, ig.fusedActivations(), "49 ReLUs minus the 16 after residual adds, plus the head's");
        assertEquals(16, ig.fusedAdds(), "each residual add and the ReLU after it: one vertex");
        INDArray x = TestData.batch(4, 3, 64, 3, 1, 22).getFeatures();
        INDArray features = m.graph().output(List.of("flatten_1"), false, new INDArray[] {x}, null)[0];
        INDArray derived = ig.output(List.of("flatten_1"), x)[0];
        double featureDiff = InferenceGraphTest.relDiff(derived, features);
        assertTrue(features.amaxNumber().doubleValue() > 1e-2 && features.amaxNumber().doubleValue() < 1e3,
                "calibrated: tame, non-zero features, max " + features.amaxNumber());
        assertTrue(featureDiff < TOL, "flatten_1 differs by " + featureDiff);
        double probDiff = InferenceGraphTest.relDiff(ig.output(x), m.graph().outputSingle(false, x));
        assertTrue(probDiff < TOL, "probabilities differ by " + probDiff);
        System.out.printf("resnet50 64 px: relative max difference flatten_1 %.2e, probabilities %.2e%n", featureDiff,
                probDiff);
        assertTrue(ig.direct(), "every vertex of the derived ResNet50 runs on the direct executor");
        double executorDiff = InferenceGraphTest.relDiff(ig.output(x), DirectInferenceTest.viaDl4j(ig, x));
        assertTrue(executorDiff < DirectInferenceTest.SAME_OPS, "direct vs DL4J's executor: " + executorDiff);

        INDArray one = x.get(NDArrayIndex.interval(0, 1));
        GradCamEngine engine = new GradCamEngine(m.plainConfiguration(), m.graph(), "res5c_relu", m.inputType());
        assertTrue(ig.computes("res5c_relu"), "the default Grad-CAM layer survives the fold");
        double worst = 0;
        for (int c = 0; c < 3; c++) {
            float[][] original = GradCamEngine.normalise(engine.compute(m.graph(), one, c, 1).cam());
            float[][] folded = GradCamEngine.normalise(engine.compute(ig, one, c, 1).cam());
            GradCamTest.assertMapsEqual(original, folded, 1e-3);
            for (int y = 0; y < original.length; y++) {
                for (int k = 0; k < original[y].length; k++) {
                    worst = Math.max(worst, Math.abs(original[y][k] - folded[y][k]));
                }
            }
        }
        System.out.printf("resnet50 64 px: Grad-CAM maps (scaled to [0,1]) differ by at most %.2e%n", worst);
    }

    @Test
    void vgg16FoldedAgreesWithTheModel() {
        TransferModel m = calibrated("vgg16", 32, 31);
        InferenceGraph ig = m.inferenceGraph();
        assertEquals(1, ig.foldedBatchNorms(), "VGG16 has no BN of its own; the head's dense+BN folds");
        assertEquals(InferenceGraph.Layout.NHWC, ig.layout(), "cut at block5_pool + pooled head: no flatten");
        assertEquals(1, ig.fusedActivations(), "its convolutions carry their ReLU already; the head's is fused");
        INDArray x = TestData.batch(4, 3, 32, 3, 1, 32).getFeatures();
        double probDiff = InferenceGraphTest.relDiff(ig.output(x), m.graph().outputSingle(false, x));
        assertTrue(probDiff < TOL, "probabilities differ by " + probDiff);
        assertFalse(ig.computes("head_bn1"));
        System.out.printf("vgg16 32 px: relative max difference of probabilities %.2e%n", probDiff);
    }

    /**
     * VGG16 with a top shaped like its own (flatten, fc1, fc2, predictions), as `bench infer` runs it at 224 px: NHWC with fc1's rows
     * permuted from c,h,w to h,w,c. At 64 px block5_pool is 2x2x512, so a wrong permutation changes the answer
     * (at 32 px the map is 1x1 and every order is the same).
     */
    @Test
    void vgg16WithItsTopRunsChannelsLastAndAgrees() {
        // the zoo builds the classifier top only at 224 px: the same top shape (flatten, two dense layers, softmax),
        // narrower, on the 64 px body
        ComputationGraph body = ZOO.random("vgg16", InputShape.rgb(64, 64), 33).graph();
        ComputationGraph g = new TransferLearning.GraphBuilder(body)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(1e-3)).build())
                .addVertex("flatten", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(2, 2, 512)), "block5_pool")
                .addLayer("fc1", new DenseLayer.Builder().nIn(2048).nOut(64).activation(Activation.RELU).build(), "flatten")
                .addLayer("fc2", new DenseLayer.Builder().nIn(64).nOut(32).activation(Activation.RELU).build(), "fc1")
                .addLayer("predictions", new DenseLayer.Builder().nIn(32).nOut(10).activation(Activation.SOFTMAX).build(),
                        "fc2")
                .setOutputs("predictions").build();
        InferenceGraph ig = InferenceGraph.derive(g);
        assertEquals(InferenceGraph.Layout.NHWC, ig.layout(), "the flatten feeds only fc1");
        INDArray x = TestData.batch(2, 3, 64, 3, 1, 34).getFeatures();
        INDArray fc2 = g.output(List.of("fc2"), false, new INDArray[] {x}, null)[0];
        assertTrue(fc2.amaxNumber().doubleValue() > 1e-3, "a non-trivial comparison: max " + fc2.amaxNumber());
        double fcDiff = InferenceGraphTest.relDiff(ig.output(List.of("fc2"), x)[0], fc2);
        assertTrue(fcDiff < TOL, "fc2 differs by " + fcDiff);
        double probDiff = InferenceGraphTest.relDiff(ig.output(x), g.outputSingle(false, x));
        assertTrue(probDiff < TOL, "probabilities differ by " + probDiff);
        assertTrue(ig.direct(), "convolutions, pooling, the flatten and dense layers run on the direct executor");
        System.out.printf("vgg16 with top 64 px NHWC: relative max difference fc2 %.2e, probabilities %.2e%n", fcDiff,
                probDiff);
    }

    @Test
    void tinyZooBackboneFoldedAgreesWithTheModel() {
        TransferModel m = calibrated("tiny", 32, 41);
        InferenceGraph ig = m.inferenceGraph();
        assertEquals(3 + 1, ig.foldedBatchNorms());
        assertEquals(3 + 1, ig.fusedActivations());
        INDArray x = TestData.batch(4, 3, 32, 3, 1, 42).getFeatures();
        double probDiff = InferenceGraphTest.relDiff(ig.output(x), m.graph().outputSingle(false, x));
        assertTrue(probDiff < TOL, "probabilities differ by " + probDiff);
        assertTrue(ig.direct());
    }

    @Test
    void mobilenetv2FoldedAgreesWithTheModel() {
        TransferModel m = calibrated("mobilenetv2", 64, 51);
        InferenceGraph ig = m.inferenceGraph();
        // Conv1, 17 depthwise, 17 project and 16 expand convolutions, Conv_1 and the head's dense fold their BN
        assertEquals(1 + 17 + 17 + 16 + 1 + 1, ig.foldedBatchNorms());
        assertEquals(1 + 17 + 16 + 1 + 1, ig.fusedActivations(),
                "ReLU6 after Conv1, the 17 depthwise, the 16 expands, Conv_1; the head's");
        assertEquals(0, ig.fusedAdds(), "MobileNetV2's adds have no activation after them");
        assertEquals(InferenceGraph.Layout.NHWC, ig.layout(), "depthwise convolutions and zero padding run NHWC too");
        INDArray x = TestData.batch(4, 3, 64, 3, 1, 52).getFeatures();
        double probDiff = InferenceGraphTest.relDiff(ig.output(x), m.graph().outputSingle(false, x));
        assertTrue(probDiff < TOL, "probabilities differ by " + probDiff);
        assertFalse(ig.direct(), "depthwise convolutions and zero padding: DL4J's executor");
        System.out.printf("mobilenetv2 64 px: relative max difference of probabilities %.2e%n", probDiff);
    }
}
