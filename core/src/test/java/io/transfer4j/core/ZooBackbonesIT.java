package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/** The real zoo graphs (random weights, small inputs): cut points, groups and freezing work on them. */
class ZooBackbonesIT {
    @TempDir
    Path dir;

    private static final Zoo ZOO = Zoo.builder().offline(true).build();

    @Test
    void vgg16CutAtBlock5PoolTrainsBlock5OnlyAndRoundTrips() throws Exception {
        Backbone b = ZOO.random("vgg16", InputShape.rgb(32, 32), 1);
        TransferModel m = TransferModel.builder().backbone(b).labels(List.of("x", "y"))
                .trainable(LayerSelection.fromGroup("block5")).updater(new Adam(1e-3)).build();
        assertEquals("block5_pool", m.cut().name());
        assertArrayEquals(new long[] {512, 1, 1}, m.featureShape());
        assertTrue(m.frozenVertices().contains("block4_conv3") && !m.frozenVertices().contains("block5_conv1"));
        DataSet ds = TestData.batch(4, 3, 32, 2, 1, 1);
        Map<String, INDArray> before = TransferModelTest.snapshot(m.graph());
        m.graph().fit(ds);
        Map<String, INDArray> after = TransferModelTest.snapshot(m.graph());
        assertEquals(before.get("block4_conv3/W"), after.get("block4_conv3/W"));
        assertNotEquals(before.get("block5_conv3/W"), after.get("block5_conv3/W"));
        Path file = ModelBundle.save(m, dir.resolve("vgg.t4j"), BundleExtras.none());
        TransferModel back = ModelBundle.load(file);
        assertEquals(m.graph().outputSingle(false, ds.getFeatures()), back.graph().outputSingle(false, ds.getFeatures()));
        assertEquals(m.frozenVertices(), back.frozenVertices());
        try (Predictor p = Predictor.of(back)) {
            GradCam cam = p.explain(ImageInput.of(ds.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).mul(255)));
            assertEquals("block5_conv3", cam.layer());
            assertEquals(2, cam.coarse().length, "block5_conv3 is 2x2 at 32 px");
            assertEquals(32, cam.heatmap().length);
        }
    }

    @Test
    void resnet50FrozenRandomBackboneNeedsAndGetsBatchNormCalibration() throws Exception {
        Backbone b = ZOO.random("resnet50", InputShape.rgb(32, 32), 2);
        TransferModel m = TransferModel.builder().backbone(b).labels(List.of("x", "y", "z")).build();
        assertEquals("flatten_1", m.cut().name());
        assertArrayEquals(new long[] {2048}, m.featureShape());
        DataSet ds = TestData.batch(4, 3, 32, 3, 255, 2);
        INDArray raw = m.graph().feedForward(ds.getFeatures(), false).get("res5c_relu");
        assertTrue(raw.isNaN().any() || raw.amaxNumber().doubleValue() > 1e4,
                "uncalibrated random BN blows up in inference mode (TRAPS.md): max " + raw.amaxNumber());
        m.calibrateBatchNorm(TestData.iterator(ds, 4), 1);
        INDArray calibrated = m.graph().feedForward(ds.getFeatures(), false).get("res5c_relu");
        assertFalse(calibrated.isNaN().any(), "finite after calibration");
        assertTrue(calibrated.amaxNumber().doubleValue() < 1e3, "tame after calibration: " + calibrated.amaxNumber());
        assertTrue(m.frozenVertices().contains("bn5c_branch2c"));
        try (Predictor p = Predictor.of(m)) {
            GradCam cam = p.explain(ImageInput.of(ds.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1))));
            assertEquals("res5c_relu", cam.layer(), "ResNet50: the last stage's output");
            assertEquals(32, cam.heatmap()[0].length);
        }
    }

    @Test
    void tinyFromZooUsesItsGroupsAndCuts() {
        Backbone b = ZOO.random("tiny", InputShape.rgb(32, 32), 3);
        TransferModel m = TransferModel.builder().backbone(b).cut("block3_pool").labels(List.of("p", "q"))
                .trainable(LayerSelection.fromGroup("block3")).build();
        assertEquals(List.of("block1", "block2", "block3"),
                m.backbone().groups().stream().map(g -> g.name()).toList());
        assertTrue(m.frozenVertices().contains("block2_bn") && !m.frozenVertices().contains("block3_conv1"));
    }
}
