package io.transfer4j.augmentation.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.FillMode;
import io.transfer4j.augmentation.ShiftRange;
import io.transfer4j.augmentation.internal.Augmenter.Transform;

class AugmenterTest {
    /** A 1-channel 4x5 ramp: value = 10*row + col. */
    private static float[] ramp() {
        float[] x = new float[20];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 5; c++) {
                x[r * 5 + c] = 10 * r + c;
            }
        }
        return x;
    }

    private static Transform shift(double rows, double cols) {
        return new Transform(0, rows, cols, 0, 1, 1, false, false, Double.NaN, Double.NaN);
    }

    private static Augmenter with(FillMode mode, double cval) {
        return new Augmenter(AugmentOptions.builder().fillMode(mode).cval(cval).build());
    }

    @Test
    void identityTransformReturnsTheInputUntouched() {
        float[] x = ramp();
        assertSame(x, with(FillMode.NEAREST, 0).apply(x, 1, 4, 5, Transform.IDENTITY));
    }

    @Test
    void shiftSamplesFromTheOffsetAndFillsByMode() {
        // Keras: output[r, c] = input[r + tx, c + ty] (scipy's affine_transform maps output to input)
        float[] near = with(FillMode.NEAREST, 0).apply(ramp(), 1, 4, 5, shift(0, 2));
        assertArrayEquals(new float[] {2, 3, 4, 4, 4}, java.util.Arrays.copyOfRange(near, 0, 5));
        float[] cons = with(FillMode.CONSTANT, 99).apply(ramp(), 1, 4, 5, shift(0, 2));
        assertArrayEquals(new float[] {2, 3, 4, 99, 99}, java.util.Arrays.copyOfRange(cons, 0, 5));
        float[] wrap = with(FillMode.WRAP, 0).apply(ramp(), 1, 4, 5, shift(0, 2));
        assertArrayEquals(new float[] {2, 3, 4, 0, 1}, java.util.Arrays.copyOfRange(wrap, 0, 5));
        float[] refl = with(FillMode.REFLECT, 0).apply(ramp(), 1, 4, 5, shift(0, 2));
        assertArrayEquals(new float[] {2, 3, 4, 4, 3}, java.util.Arrays.copyOfRange(refl, 0, 5));
        float[] rows = with(FillMode.NEAREST, 0).apply(ramp(), 1, 4, 5, shift(1, 0));
        assertEquals(10, rows[0], 0);
        assertEquals(30, rows[15], 0, "last row repeats the edge");
    }

    @Test
    void fractionalShiftInterpolatesLinearlyOrPicksNearest() {
        float[] lin = with(FillMode.NEAREST, 0).apply(ramp(), 1, 4, 5, shift(0, 0.5));
        assertEquals(0.5, lin[0], 1e-5);
        Augmenter nearest = new Augmenter(AugmentOptions.builder().interpolationOrder(0).build());
        float[] nn = nearest.apply(ramp(), 1, 4, 5, shift(0, 0.4));
        assertEquals(0, nn[0], 0);
    }

    @Test
    void flipsMirrorAndBrightnessScalesAndChannelShiftClipsToTheImageRange() {
        Augmenter a = with(FillMode.NEAREST, 0);
        float[] h = a.apply(ramp(), 1, 4, 5, new Transform(0, 0, 0, 0, 1, 1, true, false, Double.NaN, Double.NaN));
        assertArrayEquals(new float[] {4, 3, 2, 1, 0}, java.util.Arrays.copyOfRange(h, 0, 5));
        float[] v = a.apply(ramp(), 1, 4, 5, new Transform(0, 0, 0, 0, 1, 1, false, true, Double.NaN, Double.NaN));
        assertEquals(30, v[0], 0);
        float[] b = a.apply(ramp(), 1, 4, 5, new Transform(0, 0, 0, 0, 1, 1, false, false, Double.NaN, 2.0));
        assertEquals(68, b[19], 0);
        float[] bright = new float[] {100, 200};
        assertEquals(255, a.apply(bright, 1, 1, 2, new Transform(0, 0, 0, 0, 1, 1, false, false, Double.NaN, 2.0))[1], 0,
                "brightness clips at 255");
        float[] cs = a.apply(ramp(), 1, 4, 5, new Transform(0, 0, 0, 0, 1, 1, false, false, 5.0, Double.NaN));
        assertEquals(5, cs[0], 0);
        assertEquals(34, cs[19], 0, "clipped to the image's max");
    }

    @Test
    void rotationBy180AboutKerasCentre() {
        // Keras rotates about (h/2 + 0.5, w/2 + 0.5): for 180 degrees input = 2*o - output = (h+1) - r
        float[] x = new float[9];
        for (int i = 0; i < 9; i++) {
            x[i] = i;
        }
        float[] r = with(FillMode.CONSTANT, -1).apply(x, 1, 3, 3, new Transform(180, 0, 0, 0, 1, 1, false, false,
                Double.NaN, Double.NaN));
        // output (1,1) <- input (3,3): outside -> cval; output (2,2) <- input (2,2)
        assertEquals(8, r[8], 1e-4);
        assertEquals(-1, r[4], 1e-4);
    }

    @Test
    void samplingFollowsTheOptionsRangesAndIsAFunctionOfTheSeed() {
        AugmentOptions o = AugmentOptions.builder().rotationRange(10).widthShiftRange(0.1)
                .heightShiftRange(ShiftRange.pixels(3)).zoomRange(0.2).horizontalFlip(true).channelShiftRange(5)
                .brightnessRange(0.5, 1.5).build();
        Augmenter a = new Augmenter(o);
        int flips = 0;
        for (int s = 0; s < 200; s++) {
            Transform t = a.sample(100, 50, new SplittableRandom(s));
            assertTrue(Math.abs(t.theta()) <= 10);
            assertTrue(Math.abs(t.ty()) <= 5, "10% of width 50");
            assertTrue(t.tx() == Math.rint(t.tx()) && Math.abs(t.tx()) <= 2, "Keras int: 0..2 pixels, either sign");
            assertTrue(t.zx() >= 0.8 && t.zx() <= 1.2 && t.zy() >= 0.8 && t.zy() <= 1.2);
            assertTrue(t.brightness() >= 0.5 && t.brightness() <= 1.5);
            assertTrue(Math.abs(t.channelShift()) <= 5);
            flips += t.flipH() ? 1 : 0;
            assertEquals(t, a.sample(100, 50, new SplittableRandom(s)));
        }
        assertTrue(flips > 60 && flips < 140, "about half flipped: " + flips);
        assertNotEquals(a.sample(100, 50, new SplittableRandom(1)), a.sample(100, 50, new SplittableRandom(2)));
    }

    @Test
    void optionsAreCheckedWhenBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AugmentOptions.builder().zoomRange(1.5).build());
        assertTrue(e.getMessage().contains("zoomRange") && e.getMessage().contains("-0.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AugmentOptions.builder().interpolationOrder(3).build());
        assertTrue(e.getMessage().contains("received 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AugmentOptions.builder().validationSplit(1.2).build());
        assertTrue(e.getMessage().contains("received 1.2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AugmentOptions.builder().rescale(0).build());
        assertTrue(e.getMessage().contains("rescale"), e.getMessage());
    }

    /**
     * The optimised affine (incremental coordinates, fill mode resolved once per pixel) against a direct
     * per-sample transcription of scipy's order-1 {@code map_coordinates} with each fill mode, on random
     * rotations, shears, zooms and shifts that push many samples across the border.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(FillMode.class)
    void affineMatchesAPerSampleReferenceInEveryFillMode(FillMode mode) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
        int h = 23;
        int w = 31;
        int channels = 3;
        float[] img = new float[channels * h * w];
        for (int i = 0; i < img.length; i++) {
            img[i] = rnd.nextInt(256);
        }
        Augmenter a = with(mode, 7);
        for (int trial = 0; trial < 20; trial++) {
            Transform t = new Transform(rnd.nextDouble(-45, 45), rnd.nextDouble(-6, 6), rnd.nextDouble(-6, 6),
                    rnd.nextDouble(-20, 20), rnd.nextDouble(0.7, 1.3), rnd.nextDouble(0.7, 1.3), false, false,
                    Double.NaN, Double.NaN);
            float[] got = a.apply(img, channels, h, w, t);
            double[][] m = a.matrix(h, w, t);
            for (int c = 0; c < channels; c++) {
                for (int r = 0; r < h; r++) {
                    for (int col = 0; col < w; col++) {
                        double ir = m[0][0] * r + m[0][1] * col + m[0][2];
                        double ic = m[1][0] * r + m[1][1] * col + m[1][2];
                        int r0 = (int) Math.floor(ir);
                        int c0 = (int) Math.floor(ic);
                        double fr = ir - r0;
                        double fc = ic - c0;
                        double v = (1 - fr) * ((1 - fc) * ref(img, c, h, w, r0, c0, mode) + fc * ref(img, c, h, w, r0, c0 + 1, mode))
                                + fr * ((1 - fc) * ref(img, c, h, w, r0 + 1, c0, mode) + fc * ref(img, c, h, w, r0 + 1, c0 + 1, mode));
                        assertEquals(v, got[(c * h + r) * w + col], 1e-3,
                                mode + " trial " + trial + " at " + c + "," + r + "," + col);
                    }
                }
            }
        }
    }

    private static double ref(float[] img, int c, int h, int w, int r, int col, FillMode mode) {
        if (r < 0 || r >= h || col < 0 || col >= w) {
            switch (mode) {
                case CONSTANT -> {
                    return 7;
                }
                case NEAREST -> {
                    r = Math.max(0, Math.min(h - 1, r));
                    col = Math.max(0, Math.min(w - 1, col));
                }
                case REFLECT -> {
                    r = Augmenter.reflect(r, h);
                    col = Augmenter.reflect(col, w);
                }
                default -> {
                    r = Math.floorMod(r, h);
                    col = Math.floorMod(col, w);
                }
            }
        }
        return img[(c * h + r) * w + col];
    }

    /** Flips folded into the affine pass give what Keras's separate flips after the affine give. */
    @Test
    void flipsFoldedIntoTheAffineEqualFlippingAfterIt() {
        int h = 9;
        int w = 12;
        float[] img = new float[2 * h * w];
        for (int i = 0; i < img.length; i++) {
            img[i] = (i * 37) % 251;
        }
        Augmenter a = with(FillMode.REFLECT, 0);
        for (boolean fh : new boolean[] {false, true}) {
            for (boolean fv : new boolean[] {false, true}) {
                Transform plain = new Transform(17, 1.5, -2, 5, 1.1, 0.9, false, false, 12, 1.2);
                Transform flipped = new Transform(17, 1.5, -2, 5, 1.1, 0.9, fh, fv, 12, 1.2);
                float[] expected = a.apply(img, 2, h, w, plain);
                float[] got = a.apply(img, 2, h, w, flipped);
                for (int c = 0; c < 2; c++) {
                    for (int r = 0; r < h; r++) {
                        for (int col = 0; col < w; col++) {
                            int sr = fv ? h - 1 - r : r;
                            int sc = fh ? w - 1 - col : col;
                            assertEquals(expected[(c * h + sr) * w + sc], got[(c * h + r) * w + col], 0f,
                                    "flipH " + fh + " flipV " + fv + " at " + c + "," + r + "," + col);
                        }
                    }
                }
            }
        }
    }
}
