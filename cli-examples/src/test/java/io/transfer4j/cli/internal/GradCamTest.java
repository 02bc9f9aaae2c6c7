package io.transfer4j.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.cli.FitConfig;
import io.transfer4j.core.TransferModel;
import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

class GradCamTest {

    @TempDir
    Path tmp;

    private TransferModel model(FitConfig.Pooling pooling, List<Integer> dense) {
        Zoo zoo = Zoo.builder().home(tmp.resolve("zoo")).offline(true).build();
        FitConfig cfg = new FitConfig(Path.of("d"), "tiny", Path.of("r"), 3L, 32, null, null, null, null, pooling,
                dense, null, null, null, null, null, null, null, null).withDefaults();
        return FitRun.model(zoo.random("tiny", InputShape.rgb(32, 32), 3), cfg, List.of("a", "b", "c"));
    }

    @Test
    void camAveragedOverPositionsGivesTheNetworksOwnClassScores() {
        // For GAP + dense softmax: softmax_c(mean(sum_k W[k,c] A_k) + b_c) is exactly the network output.
        TransferModel m = model(FitConfig.Pooling.AVG, List.of());
        GradCam cam = GradCam.of(m).orElseThrow();
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3, 32, 32).muli(255);
        float[] out = m.graph().output(false, x)[0].toFloatVector();
        double[] logits = new double[3];
        double norm = 0;
        for (int c = 0; c < 3; c++) {
            logits[c] = cam.raw(x, c).meanNumber().doubleValue() + cam.bias().getDouble(c);
            norm += Math.exp(logits[c]);
        }
        for (int c = 0; c < 3; c++) {
            assertEquals(out[c], Math.exp(logits[c]) / norm, 1e-4, "class " + c);
        }
        float[][] heat = cam.heatMap(x, 0);
        long[] shape = m.featureShape();
        assertEquals(shape[1], heat.length);
        assertEquals(shape[2], heat[0].length);
        float max = 0;
        for (float[] row : heat) {
            for (float v : row) {
                assertTrue(v >= 0 && v <= 1);
                max = Math.max(max, v);
            }
        }
        assertTrue(max == 0 || Math.abs(max - 1) < 1e-6, "scaled to [0, 1]");
    }

    @Test
    void overlayKeepsTheImageSizeAndHeadsWithHiddenLayersAreNotSupported() throws Exception {
        TransferModel m = model(FitConfig.Pooling.MAX, List.of());
        Path img = ImageFolders.generate(tmp.resolve("img"), new ImageFolders.Spec(1, 1, 48, List.of("png"), 1))
                .get(0);
        BufferedImage o = GradCam.of(m).orElseThrow().overlay(img);
        assertEquals(48, o.getWidth());
        assertEquals(48, o.getHeight());
        assertTrue(GradCam.of(model(FitConfig.Pooling.AVG, List.of(8))).isEmpty());
        assertEquals(0x000080, GradCam.jet(0), "cold is dark blue (the jet map)");
        assertEquals(0x800000, GradCam.jet(1), "hot is dark red");
        assertEquals(0x80ff80, GradCam.jet(0.5f), "middle is light green");
    }
}
