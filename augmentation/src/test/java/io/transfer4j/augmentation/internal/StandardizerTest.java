package io.transfer4j.augmentation.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.transfer4j.augmentation.AugmentOptions;

class StandardizerTest {
    @Test
    void preprocessingRunsBeforeRescaleThenSamplewise() {
        AugmentOptions o = AugmentOptions.builder().preprocessingFunction(a -> a.add(10)).rescale(0.5)
                .samplewiseCenter(true).build();
        float[] out = new Standardizer(o, null).apply(new float[] {0, 2, 4, 6}, 1, 2, 2);
        // (x + 10) * 0.5 = 5, 6, 7, 8; minus mean 6.5
        assertEquals(-1.5, out[0], 1e-6);
        assertEquals(1.5, out[3], 1e-6);
    }

    @Test
    void featurewiseStatisticsFromFitCentreAndScalePerChannel() {
        Random r = new Random(1);
        float[][] xs = new float[50][];
        for (int i = 0; i < 50; i++) {
            xs[i] = new float[8]; // 2 channels of 2x2
            for (int j = 0; j < 4; j++) {
                xs[i][j] = (float) (100 + 20 * r.nextGaussian());
                xs[i][4 + j] = (float) (10 + 2 * r.nextGaussian());
            }
        }
        AugmentOptions o = AugmentOptions.builder().featurewiseCenter(true).featurewiseStdNormalization(true).build();
        Standardizer.FitStats s = Standardizer.fit(xs, 2, 2, 2, o);
        assertEquals(100, s.mean()[0], 6);
        assertEquals(10, s.mean()[1], 1);
        Standardizer st = new Standardizer(o, s);
        double[] sum = new double[2];
        double[] sq = new double[2];
        for (float[] x : xs) {
            float[] y = st.apply(x, 2, 2, 2);
            for (int j = 0; j < 8; j++) {
                sum[j / 4] += y[j];
                sq[j / 4] += y[j] * y[j];
            }
        }
        for (int c = 0; c < 2; c++) {
            assertEquals(0, sum[c] / 200, 1e-4);
            assertEquals(1, Math.sqrt(sq[c] / 200), 1e-3);
        }
    }

    @Test
    void zcaWhiteningDecorrelates() {
        Random r = new Random(2);
        int n = 400;
        float[][] xs = new float[n][];
        for (int i = 0; i < n; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            double c = r.nextGaussian();
            // 1 channel, 2x2: strongly correlated (but not collinear) pixels
            xs[i] = new float[] {(float) a, (float) (a + 0.3 * b), (float) (2 * a + 0.5 * c), (float) b};
        }
        AugmentOptions o = AugmentOptions.builder().featurewiseCenter(true).zcaWhitening(true).build();
        Standardizer st = new Standardizer(o, Standardizer.fit(xs, 1, 2, 2, o));
        double c01 = 0;
        double c00 = 0;
        for (float[] x : xs) {
            float[] y = st.apply(x, 1, 2, 2);
            c01 += y[0] * y[1];
            c00 += y[3] * y[3];
        }
        assertEquals(0, c01 / n, 0.05, "whitened pixels are uncorrelated");
        assertEquals(1, c00 / n, 0.05, "and have unit variance");
    }

    @Test
    void zcaRefusesHugeImages() {
        AugmentOptions o = AugmentOptions.builder().zcaWhitening(true).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Standardizer.fit(new float[][] {new float[3 * 64 * 64]}, 3, 64, 64, o));
        assertTrue(e.getMessage().contains("3x64x64 = 12288"), e.getMessage());
    }
}
