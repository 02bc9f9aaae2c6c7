package io.transfer4j.examples;

import java.util.SplittableRandom;

import io.transfer4j.augmentation.MnistFlow;

/**
 * The part of Keras's {@code ImageDataGenerator} the augmented MNIST example uses: random rotation, width/height
 * shift and zoom, bilinear interpolation (Keras's {@code interpolation_order=1}) and {@code fill_mode='nearest'},
 * for single-channel images in [0, 1]. It follows Keras's {@code apply_affine_transform}: each output pixel is
 * sampled from the input at {@code centre + R(theta) * (shift + Z * (out - centre))}, with theta uniform in
 * [-rotation, rotation] degrees, shifts uniform in [-range, range] times the image size, and the two zoom factors
 * drawn independently from [1 - zoom, 1 + zoom] (a factor above 1 shows more of the image, i.e. zooms out).
 *
 * <p>This is the example's own minimal version: the full ImageDataGenerator (shear, flips, brightness, channel
 * shift, other fill modes, standardisation) is {@code io.transfer4j.augmentation}'s {@code AugmentOptions}.
 * Sampling the parameters and applying them are separate steps, so a run is a pure function of the seed.
 */
record AffineAugmenter(double rotationDegrees, double widthShift, double heightShift, double zoom)
        implements MnistFlow.Augmenter {

    AffineAugmenter {
        check("rotation range", rotationDegrees, 0, 180);
        check("width shift range", widthShift, 0, 1);
        check("height shift range", heightShift, 0, 1);
        check("zoom range", zoom, 0, 1);
    }

    private static void check(String name, double v, double lo, double hi) {
        if (!(v >= lo && v < hi)) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "); received " + v);
        }
    }

    /** One image's random draw. */
    record Params(double thetaDegrees, double shiftRows, double shiftCols, double zoomRows, double zoomCols) {
    }

    Params sample(int rows, int cols, SplittableRandom rng) {
        double theta = rotationDegrees > 0 ? uniform(rng, -rotationDegrees, rotationDegrees) : 0;
        double tr = heightShift > 0 ? uniform(rng, -heightShift, heightShift) * rows : 0;
        double tc = widthShift > 0 ? uniform(rng, -widthShift, widthShift) * cols : 0;
        double zr = 1;
        double zc = 1;
        if (zoom > 0) {
            zr = uniform(rng, 1 - zoom, 1 + zoom);
            zc = uniform(rng, 1 - zoom, 1 + zoom);
        }
        return new Params(theta, tr, tc, zr, zc);
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    @Override
    public void augment(float[] image, int rows, int cols, SplittableRandom rng) {
        apply(sample(rows, cols, rng), image, rows, cols);
    }

    /** Applies {@code p} to {@code image} in place. */
    static void apply(Params p, float[] image, int rows, int cols) {
        float[] src = image.clone();
        double t = Math.toRadians(p.thetaDegrees());
        double cos = Math.cos(t);
        double sin = Math.sin(t);
        double cr = (rows - 1) / 2.0;
        double cc = (cols - 1) / 2.0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double yr = p.zoomRows() * (r - cr) + p.shiftRows();
                double yc = p.zoomCols() * (c - cc) + p.shiftCols();
                double inR = cr + cos * yr - sin * yc;
                double inC = cc + sin * yr + cos * yc;
                image[r * cols + c] = bilinearNearestFill(src, rows, cols, inR, inC);
            }
        }
    }

    /** Bilinear sample; coordinates outside the image take the nearest edge pixel (fill_mode='nearest'). */
    private static float bilinearNearestFill(float[] src, int rows, int cols, double r, double c) {
        r = Math.max(0, Math.min(rows - 1, r));
        c = Math.max(0, Math.min(cols - 1, c));
        int r0 = (int) Math.floor(r);
        int c0 = (int) Math.floor(c);
        int r1 = Math.min(r0 + 1, rows - 1);
        int c1 = Math.min(c0 + 1, cols - 1);
        double fr = r - r0;
        double fc = c - c0;
        double top = src[r0 * cols + c0] * (1 - fc) + src[r0 * cols + c1] * fc;
        double bottom = src[r1 * cols + c0] * (1 - fc) + src[r1 * cols + c1] * fc;
        return (float) (top * (1 - fr) + bottom * fr);
    }
}
