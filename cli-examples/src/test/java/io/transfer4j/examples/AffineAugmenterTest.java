package io.transfer4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class AffineAugmenterTest {

    /** A 5x5 image with a single bright pixel at (r, c). */
    private static float[] dot(int r, int c) {
        float[] img = new float[25];
        img[r * 5 + c] = 1f;
        return img;
    }

    @Test
    void identityParametersLeaveTheImageUnchanged() {
        float[] img = new float[25];
        for (int i = 0; i < 25; i++) {
            img[i] = i / 25f;
        }
        float[] copy = img.clone();
        AffineAugmenter.apply(new AffineAugmenter.Params(0, 0, 0, 1, 1), img, 5, 5);
        assertArrayEquals(copy, img, 1e-6f);
    }

    @Test
    void shiftSamplesFromTheShiftedPositionLikeKeras() {
        // output(r, c) = input(r + shiftRows, c + shiftCols): content moves up/left for positive shifts
        float[] img = dot(2, 2);
        AffineAugmenter.apply(new AffineAugmenter.Params(0, 1, 0, 1, 1), img, 5, 5);
        assertEquals(1f, img[1 * 5 + 2], 1e-6f);
        assertEquals(0f, img[2 * 5 + 2], 1e-6f);
    }

    @Test
    void rotationBy90DegreesMovesAPixelAroundTheCentre() {
        float[] img = dot(0, 2);   // top middle
        AffineAugmenter.apply(new AffineAugmenter.Params(90, 0, 0, 1, 1), img, 5, 5);
        // output (r, c) samples input (2 - (c-2), 2 + (r-2)) = (4 - c, r): input (0,2) lands at r=2, c=4
        assertEquals(1f, img[2 * 5 + 4], 1e-5f);
        assertEquals(1f, sum(img), 1e-5f);
    }

    @Test
    void zoomAboveOneShrinksTheContent() {
        float[] img = new float[25];
        for (int c = 0; c < 5; c++) {
            img[2 * 5 + c] = 1f;   // horizontal line through the middle row
        }
        AffineAugmenter.apply(new AffineAugmenter.Params(0, 0, 0, 1, 2), img, 5, 5);
        // along columns, output c samples input 2 + 2*(c-2): the line is still there (fill 'nearest' at the edges)
        assertEquals(5f, sum(img), 1e-5f);
        float[] dotImg = dot(2, 4);   // right edge: output column 3 samples input column 2 + 2 * 1 = 4
        AffineAugmenter.apply(new AffineAugmenter.Params(0, 0, 0, 1, 2), dotImg, 5, 5);
        assertEquals(1f, dotImg[2 * 5 + 3], 1e-5f);
        assertEquals(0f, dotImg[2 * 5 + 2], 1e-5f);
        assertEquals(1f, dotImg[2 * 5 + 4], 1e-5f, "beyond the edge: the nearest pixel (fill_mode='nearest')");
    }

    @Test
    void drawsAreSeededAndWithinTheRanges() {
        AffineAugmenter aug = new AffineAugmenter(10, 0.1, 0.2, 0.1);
        AffineAugmenter.Params a = aug.sample(28, 28, new SplittableRandom(5));
        assertEquals(a, aug.sample(28, 28, new SplittableRandom(5)));
        assertNotEquals(a, aug.sample(28, 28, new SplittableRandom(6)));
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            AffineAugmenter.Params p = aug.sample(28, 28, rng);
            assertTrue(Math.abs(p.thetaDegrees()) <= 10);
            assertTrue(Math.abs(p.shiftCols()) <= 2.8 && Math.abs(p.shiftRows()) <= 5.6);
            assertTrue(p.zoomRows() >= 0.9 && p.zoomRows() <= 1.1 && p.zoomCols() >= 0.9 && p.zoomCols() <= 1.1);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AffineAugmenter(10, 1.5, 0, 0));
        assertTrue(e.getMessage().contains("received 1.5"), e.getMessage());
    }

    private static float sum(float[] a) {
        float s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }
}
