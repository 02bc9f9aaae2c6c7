package io.transfer4j.augmentation.internal;

import java.util.SplittableRandom;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.FillMode;
import io.transfer4j.augmentation.ShiftRange;

/**
 * Keras' {@code get_random_transform} (sampling) and {@code apply_transform} (deterministic application) on planar
 * float images on the 0-255 scale.
 */
public final class Augmenter {
    /** Added before an int cast to floor negative coordinates; far beyond any image side. */
    private static final int OFFSET = 1 << 20;

    private final AugmentOptions o;

    public Augmenter(AugmentOptions options) {
        this.o = options;
    }

    /**
     * One draw of random parameters. {@code tx} is the row shift and {@code ty} the column shift in pixels (Keras'
     * naming); {@code channelShift} and {@code brightness} are NaN when off.
     */
    public record Transform(double theta, double tx, double ty, double shear, double zx, double zy, boolean flipH,
                            boolean flipV, double channelShift, double brightness) {
        public static final Transform IDENTITY = new Transform(0, 0, 0, 0, 1, 1, false, false, Double.NaN, Double.NaN);
    }

    /** Keras' {@code get_random_transform} for an image of {@code h x w}. */
    public Transform sample(int h, int w, SplittableRandom rng) {
        double theta = o.rotationRange() != 0 ? uniform(rng, -o.rotationRange(), o.rotationRange()) : 0;
        double tx = shift(o.heightShift(), h, rng);
        double ty = shift(o.widthShift(), w, rng);
        double shear = o.shearRange() != 0 ? uniform(rng, -o.shearRange(), o.shearRange()) : 0;
        double zx = 1;
        double zy = 1;
        if (!(o.zoomLow() == 1 && o.zoomHigh() == 1)) {
            zx = uniform(rng, o.zoomLow(), o.zoomHigh());
            zy = uniform(rng, o.zoomLow(), o.zoomHigh());
        }
        boolean flipH = o.horizontalFlip() && rng.nextDouble() < 0.5;
        boolean flipV = o.verticalFlip() && rng.nextDouble() < 0.5;
        double cs = o.channelShiftRange() != 0 ? uniform(rng, -o.channelShiftRange(), o.channelShiftRange()) : Double.NaN;
        double br = o.brightnessEnabled() ? uniform(rng, o.brightnessLow(), o.brightnessHigh()) : Double.NaN;
        return new Transform(theta, tx, ty, shear, zx, zy, flipH, flipV, cs, br);
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
    }

    private static double shift(ShiftRange r, int size, SplittableRandom rng) {
        if (r.isNone()) {
            return 0;
        }
        if (r instanceof ShiftRange.Uniform u) {
            double v = uniform(rng, -u.range(), u.range());
            return u.pixels() ? v : v * size;
        }
        ShiftRange.Choices c = (ShiftRange.Choices) r;
        double[] values = c.values();
        double v = values[rng.nextInt(values.length)] * (rng.nextBoolean() ? 1 : -1);
        return c.fraction() ? v * size : v;
    }

    /** Keras' {@code apply_transform}: affine, channel shift, flips, brightness. Returns a new or the same array. */
    public float[] apply(float[] img, int channels, int h, int w, Transform t) {
        return apply(img, channels, h, w, t, null);
    }

    /** As {@link #apply(float[], int, int, int, Transform)}, the affine pass writing into {@code into} if given. */
    public float[] apply(float[] img, int channels, int h, int w, Transform t, float[] into) {
        // the flips are written by the affine pass itself when there is one (flips commute with the channel
        // shift and brightness that Keras applies between them)
        float[] x = affine(img, channels, h, w, t, into);
        boolean flipped = x != img;
        if (!Double.isNaN(t.channelShift())) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : x) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            float s = (float) t.channelShift();
            x = x == img ? x.clone() : x;
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.max(min, Math.min(max, x[i] + s));
            }
        }
        if (t.flipH() && !flipped) {
            x = x == img ? x.clone() : x;
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < h; y++) {
                    int row = (c * h + y) * w;
                    for (int i = 0, j = w - 1; i < j; i++, j--) {
                        float tmp = x[row + i];
                        x[row + i] = x[row + j];
                        x[row + j] = tmp;
                    }
                }
            }
        }
        if (t.flipV() && !flipped) {
            x = x == img ? x.clone() : x;
            float[] tmp = new float[w];
            for (int c = 0; c < channels; c++) {
                for (int i = 0, j = h - 1; i < j; i++, j--) {
                    int a = (c * h + i) * w;
                    int b = (c * h + j) * w;
                    System.arraycopy(x, a, tmp, 0, w);
                    System.arraycopy(x, b, x, a, w);
                    System.arraycopy(tmp, 0, x, b, w);
                }
            }
        }
        if (!Double.isNaN(t.brightness())) {
            x = x == img ? x.clone() : x;
            float f = (float) t.brightness();
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.min(255f, Math.max(0f, x[i] * f));
            }
        }
        return x;
    }

    /**
     * Keras' {@code apply_affine_transform}: rotation, shift, shear and zoom composed into one matrix about the
     * centre ({@code h/2 + 0.5}, {@code w/2 + 0.5}), mapped output (row, col) -> input like
     * {@code scipy.ndimage.affine_transform}: this is that matrix (output (row, col) -> input), or null for
     * the identity.
     */
    double[][] matrix(int h, int w, Transform t) {
        double[][] m = null;
        if (t.theta() != 0) {
            double th = Math.toRadians(t.theta());
            m = new double[][] {{Math.cos(th), -Math.sin(th), 0}, {Math.sin(th), Math.cos(th), 0}, {0, 0, 1}};
        }
        if (t.tx() != 0 || t.ty() != 0) {
            double[][] s = {{1, 0, t.tx()}, {0, 1, t.ty()}, {0, 0, 1}};
            m = m == null ? s : mul(m, s);
        }
        if (t.shear() != 0) {
            double sh = Math.toRadians(t.shear());
            double[][] s = {{1, -Math.sin(sh), 0}, {0, Math.cos(sh), 0}, {0, 0, 1}};
            m = m == null ? s : mul(m, s);
        }
        if (t.zx() != 1 || t.zy() != 1) {
            double[][] z = {{t.zx(), 0, 0}, {0, t.zy(), 0}, {0, 0, 1}};
            m = m == null ? z : mul(m, z);
        }
        if (m == null) {
            return null;
        }
        double ox = h / 2.0 + 0.5;
        double oy = w / 2.0 + 0.5;
        return mul(mul(new double[][] {{1, 0, ox}, {0, 1, oy}, {0, 0, 1}}, m),
                new double[][] {{1, 0, -ox}, {0, 1, -oy}, {0, 0, 1}});
    }

    /**
     * Applies {@link #matrix} with order-1 (bilinear) or order-0 sampling and the fill mode, writing each output
     * pixel at its flipped position when {@code t} flips; returns {@code img} itself for the identity matrix.
     */
    float[] affine(float[] img, int channels, int h, int w, Transform t, float[] into) {
        double[][] m = matrix(h, w, t);
        if (m == null) {
            return img;
        }
        // every element is written below, so a reused array needs no clearing
        float[] out = into != null && into.length == img.length && into != img ? into : new float[img.length];
        float cval = (float) o.cval();
        FillMode mode = o.fillMode();
        boolean linear = o.interpolationOrder() == 1;
        int plane = h * w;
        double m00 = m[0][0];
        double m01 = m[0][1];
        double m10 = m[1][0];
        double m11 = m[1][1];
        // pixel-major: the source coordinate is computed once per output pixel, then used for every channel;
        // interior pixels (all neighbours inside) skip the fill-mode logic. Floors use an offset cast (coordinates
        // are far above -OFFSET), which is exact for these magnitudes and avoids Math.floor.
        for (int r = 0; r < h; r++) {
            double ir = m00 * r + m[0][2];
            double ic = m10 * r + m[1][2];
            int orow = (t.flipV() ? h - 1 - r : r) * w;
            int dir = t.flipH() ? -1 : 1;
            int o = t.flipH() ? orow + w - 1 : orow;
            for (int col = 0; col < w; col++, ir += m01, ic += m11, o += dir) {
                if (linear) {
                    int r0 = (int) (ir + OFFSET) - OFFSET;
                    int c0 = (int) (ic + OFFSET) - OFFSET;
                    float fr = (float) (ir - r0);
                    float fc = (float) (ic - c0);
                    if (r0 >= 0 && c0 >= 0 && r0 + 1 < h && c0 + 1 < w) {
                        int b = r0 * w + c0;
                        for (int c = 0; c < channels; c++, b += plane) {
                            float v00 = img[b];
                            float v01 = img[b + 1];
                            float v10 = img[b + w];
                            float v11 = img[b + w + 1];
                            float top = v00 + (v01 - v00) * fc;
                            float bot = v10 + (v11 - v10) * fc;
                            out[c * plane + o] = top + (bot - top) * fr;
                        }
                    } else {
                        // border: each neighbour's coordinate mapped once by the fill mode (-1 = outside, cval)
                        int ra = map(r0, h, mode);
                        int rb = map(r0 + 1, h, mode);
                        int ca = map(c0, w, mode);
                        int cb = map(c0 + 1, w, mode);
                        int i00 = ra < 0 || ca < 0 ? -1 : ra * w + ca;
                        int i01 = ra < 0 || cb < 0 ? -1 : ra * w + cb;
                        int i10 = rb < 0 || ca < 0 ? -1 : rb * w + ca;
                        int i11 = rb < 0 || cb < 0 ? -1 : rb * w + cb;
                        for (int c = 0; c < channels; c++) {
                            int base = c * plane;
                            float v00 = i00 < 0 ? cval : img[base + i00];
                            float v01 = i01 < 0 ? cval : img[base + i01];
                            float v10 = i10 < 0 ? cval : img[base + i10];
                            float v11 = i11 < 0 ? cval : img[base + i11];
                            float top = v00 + (v01 - v00) * fc;
                            float bot = v10 + (v11 - v10) * fc;
                            out[base + o] = top + (bot - top) * fr;
                        }
                    }
                } else {
                    int ri = (int) (ir + 0.5 + OFFSET) - OFFSET;
                    int ci = (int) (ic + 0.5 + OFFSET) - OFFSET;
                    for (int c = 0; c < channels; c++) {
                        out[c * plane + o] = at(img, c * plane, h, w, ri, ci, mode, cval);
                    }
                }
            }
        }
        return out;
    }

    private static float at(float[] img, int base, int h, int w, int r, int c, FillMode mode, float cval) {
        if (r < 0 || r >= h || c < 0 || c >= w) {
            switch (mode) {
                case CONSTANT -> {
                    return cval;
                }
                case NEAREST -> {
                    r = Math.max(0, Math.min(h - 1, r));
                    c = Math.max(0, Math.min(w - 1, c));
                }
                case REFLECT -> {
                    r = reflect(r, h);
                    c = reflect(c, w);
                }
                case WRAP -> {
                    r = Math.floorMod(r, h);
                    c = Math.floorMod(c, w);
                }
                default -> throw new IllegalStateException("fill mode " + mode);
            }
        }
        return img[base + r * w + c];
    }

    /** A coordinate mapped into 0..n-1 by the fill mode, or -1 when it lies outside under CONSTANT. */
    private static int map(int i, int n, FillMode mode) {
        if (i >= 0 && i < n) {
            return i;
        }
        return switch (mode) {
            case CONSTANT -> -1;
            case NEAREST -> i < 0 ? 0 : n - 1;
            case REFLECT -> reflect(i, n);
            case WRAP -> Math.floorMod(i, n);
        };
    }

    /** SciPy 'reflect' (half-sample symmetric): d c b a | a b c d | d c b a. */
    static int reflect(int i, int n) {
        int p = Math.floorMod(i, 2 * n);
        return p >= n ? 2 * n - 1 - p : p;
    }

    private static double[][] mul(double[][] a, double[][] b) {
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) {
                    s += a[i][k] * b[k][j];
                }
                r[i][j] = s;
            }
        }
        return r;
    }
}
