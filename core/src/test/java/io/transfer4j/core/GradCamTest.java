package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;

import io.transfer4j.core.internal.GradCamEngine;
import io.transfer4j.core.internal.GraphSurgery;

/** Grad-CAM against closed-form gradients of small heads. */
class GradCamTest {
    @TempDir
    Path dir;

    /** Expected Grad-CAM at feature resolution: ReLU(sum_k alpha_k A_k), scaled to max 1. */
    static float[][] expected(INDArray a, double[] alpha) {
        int h = (int) a.size(2);
        int w = (int) a.size(3);
        float[][] cam = new float[h][w];
        for (int k = 0; k < alpha.length; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    cam[y][x] += (float) (alpha[k] * a.getDouble(0, k, y, x));
                }
            }
        }
        for (float[] row : cam) {
            for (int x = 0; x < w; x++) {
                row[x] = Math.max(0, row[x]);
            }
        }
        return GradCamEngine.normalise(cam);
    }

    static void assertMapsEqual(float[][] expected, float[][] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int y = 0; y < expected.length; y++) {
            for (int x = 0; x < expected[y].length; x++) {
                assertEquals(expected[y][x], actual[y][x], tol, "at " + y + "," + x);
            }
        }
    }

    static INDArray pixels(long seed) {
        return Nd4j.rand(DataType.FLOAT, 1, 3, 16, 16).muli(255).addi(seed % 7);
    }

    @Test
    void poolingHeadMatchesTheClosedForm() throws Exception {
        // z_c = sum_k W[k,c] mean(A_k) + b_c  =>  alpha_k = W[k,c] / (H W)
        TransferModel m = TransferModelTest.tiny().cut("block2_out").build();
        INDArray x = pixels(3);
        INDArray a = m.graph().feedForward(x.div(255), false).get("block2_out");
        INDArray w = GraphSurgery.inner(m.graph().getLayer("predictions")).getParam("W");
        try (Predictor p = Predictor.of(m)) {
            for (int c = 0; c < 3; c++) {
                GradCam cam = p.explain(ImageInput.of(x), c);
                assertEquals("block2_out", cam.layer());
                double[] alpha = w.getColumn(c).toDoubleVector();
                assertMapsEqual(expected(a, alpha), cam.coarse(), 1e-4);
                assertEquals(16, cam.heatmap().length);
                assertEquals(16, cam.heatmap()[0].length);
                assertEquals(TransferModelTest.LABELS.get(c), cam.label());
            }
            GradCam top = p.explain(ImageInput.of(x));
            assertEquals(p.predict(ImageInput.of(x), 1).get(0).index(), top.classIndex());
            assertEquals(p.predict(ImageInput.of(x), 1).get(0).probability(), top.probability(), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> p.explain(ImageInput.of(x), 3));
        }
    }

    @Test
    void denseBatchNormDropoutHeadMatchesTheClosedForm() throws Exception {
        TransferModel m = TransferModelTest.tiny().cut("block2_out")
                .head(HeadSpec.builder().dense(6, Activation.RELU, 0.3, true).build())
                .updater(new Adam(1e-2)).build();
        DataSet ds = TestData.batch(16, 3, 16, 3, 1, 31);
        for (int i = 0; i < 5; i++) {
            m.graph().fit(ds); // non-trivial BN running statistics in the head
        }
        INDArray x = pixels(4);
        ComputationGraph g = m.graph();
        INDArray a = g.feedForward(x.div(255), false).get("block2_out");
        INDArray pooled = a.mean(2, 3); // [1, 12]
        INDArray w1 = GraphSurgery.inner(g.getLayer("head_dense1")).getParam("W"); // [12, 6]
        INDArray b1 = GraphSurgery.inner(g.getLayer("head_dense1")).getParam("b");
        org.deeplearning4j.nn.api.Layer bn = GraphSurgery.inner(g.getLayer("head_bn1"));
        INDArray scale = bn.getParam("gamma").div(Transforms.sqrt(bn.getParam("var").add(1e-5)));
        INDArray shift = bn.getParam("beta").sub(bn.getParam("mean").mul(scale));
        INDArray h = pooled.mmul(w1).addi(b1).muli(scale).addi(shift); // [1, 6] before ReLU
        INDArray reluGrad = h.gt(0).castTo(DataType.FLOAT);
        INDArray w2 = GraphSurgery.inner(g.getLayer("predictions")).getParam("W"); // [6, 3]
        try (Predictor p = Predictor.of(m)) {
            for (int c = 0; c < 3; c++) {
                // dz_c/dpooled = W1 diag(scale * relu') W2[:, c]
                INDArray dz = w1.mmul(scale.mul(reluGrad).reshape(6, 1).mul(w2.getColumn(c).reshape(6, 1)));
                assertMapsEqual(expected(a, dz.toDoubleVector()), p.explain(ImageInput.of(x), c).coarse(), 1e-3);
            }
        }
    }

    @Test
    void binaryClassZeroIsTheNegatedEvidence() throws Exception {
        TransferModel m = TransferModelTest.tiny().cut("block2_out").task(Task.BINARY).labels(List.of("no", "yes"))
                .build();
        INDArray x = pixels(5);
        INDArray a = m.graph().feedForward(x.div(255), false).get("block2_out");
        double[] w = GraphSurgery.inner(m.graph().getLayer("predictions")).getParam("W").toDoubleVector();
        double[] neg = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            neg[i] = -w[i];
        }
        try (Predictor p = Predictor.of(m)) {
            GradCam yes = p.explain(ImageInput.of(x), 1);
            GradCam no = p.explain(ImageInput.of(x), 0);
            assertMapsEqual(expected(a, w), yes.coarse(), 1e-4);
            assertMapsEqual(expected(a, neg), no.coarse(), 1e-4);
            assertEquals(1.0, yes.probability() + no.probability(), 1e-6);
            Path png = yes.writeOverlay(dir.resolve("cam/yes.png"));
            BufferedImage read = ImageIO.read(png.toFile());
            assertEquals(224 + GradCam.BAR_MARGIN, read.getWidth(), "16 px input enlarged 14x, plus the colour bar");
            assertEquals(224, read.getHeight());
            assertTrue(read.getRGB(0, 0) != 0 || read.getRGB(100, 100) != 0);
        }
    }

    @Test
    void explicitLayerMustExistAndBeABottleneck() throws Exception {
        TransferModel m = TransferModelTest.tiny().cut("block2_out").build();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Predictor.of(m, Predictor.Options.defaults().withGradCamLayer("block2_outt")));
        assertTrue(unknown.getMessage().contains("Did you mean 'block2_out'?"), unknown.getMessage());
        try (Predictor p = Predictor.of(m, Predictor.Options.defaults().withGradCamLayer("block2_conv"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.explain(ImageInput.of(pixels(1))));
            assertTrue(e.getMessage().contains("not a bottleneck"), e.getMessage());
        }
        try (Predictor p = Predictor.of(m, Predictor.Options.defaults().withGradCamLayer("block1_pool"))) {
            GradCam cam = p.explain(ImageInput.of(pixels(2)));
            assertEquals(8, cam.coarse().length, "block1_pool is 8x8");
        }
    }

    @Test
    void earlierLayerThroughConvBatchNormMatchesFiniteDifferences() throws Exception {
        // target block1_pool: the tail holds conv, inference-mode BN (as a 1x1 depthwise conv), a residual add
        TransferModel m = TransferModelTest.tiny().cut("block2_out").build();
        m.calibrateBatchNorm(TestData.iterator(TestData.batch(16, 3, 16, 3, 1, 41), 8), 2);
        INDArray x = pixels(6).divi(255);
        GradCamEngine engine = new GradCamEngine(m.plainConfiguration(), m.graph(), "block1_pool", m.inputType());
        INDArray a = m.graph().feedForward(x, false).get("block1_pool").dup();
        int c = 1;
        GradCamEngine.Raw raw = engine.compute(m.graph(), x, c, 1);
        assertEquals(m.graph().outputSingle(false, x).getDouble(0, 0) / m.graph().outputSingle(false, x).getDouble(0, 1),
                Math.exp(raw.logits().getDouble(0, 0) - raw.logits().getDouble(0, 1)), 1e-3, "logits are the softmax inputs");
        double positions = a.size(2) * a.size(3);
        double eps = 1e-2;
        for (int k = 0; k < a.size(1); k++) {
            INDArray plus = a.dup();
            INDArray minus = a.dup();
            plus.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(k))
                    .addi(eps);
            minus.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(k))
                    .subi(eps);
            double fd = (engine.logits(plus).getDouble(0, c) - engine.logits(minus).getDouble(0, c)) / (2 * eps);
            assertEquals(fd / positions, raw.alpha()[k], 1e-3 + 0.05 * Math.abs(fd / positions), "channel " + k);
        }
    }
}
