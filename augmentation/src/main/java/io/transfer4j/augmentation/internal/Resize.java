package io.transfer4j.augmentation.internal;

import io.transfer4j.augmentation.Interpolation;

/**
 * Pillow's resampling ({@code Image.resize}, what Keras' {@code load_img} calls) on planar float images:
 * separable, horizontal pass then vertical, filter support widened by the scale when shrinking. With
 * {@code round8} (8-bit sources) the result of each pass is rounded and clipped to 0..255 as Pillow does. Sums are
 * float where Pillow uses 22-bit fixed point, so a sample that lands within float rounding of a half level can
 * differ from Pillow's by one level (about 1 % of samples on an upscale; {@code ResizeTest} bounds it); without
 * {@code round8} (16-bit sources) values stay floats.
 */
public final class Resize {
    private Resize() {
    }

    /** Resizes {@code channels} planes of {@code w x h} to {@code ow x oh}. */
    public static float[] resize(float[] src, int channels, int w, int h, int ow, int oh, Interpolation interp,
                                 boolean round8) {
        return resize(src, channels, w, h, ow, oh, interp, round8, null);
    }

    /**
     * As {@link #resize(float[], int, int, int, int, int, Interpolation, boolean)}; a bilinear or bicubic
     * vertical pass writes into {@code into} when it has exactly the output's length (so the result may be
     * {@code into}).
     */
    public static float[] resize(float[] src, int channels, int w, int h, int ow, int oh, Interpolation interp,
                                 boolean round8, float[] into) {
        if (w == ow && h == oh) {
            return src;
        }
        if (interp == Interpolation.NEAREST) {
            return nearest(src, channels, w, h, ow, oh);
        }
        float[] cur = src;
        int cw = w;
        if (w != ow) {
            // when a vertical pass follows, the horizontal result is scratch: a per-thread buffer spares the
            // allocation and zeroing of a large array per image
            float[] tmp = null;
            if (h != oh) {
                tmp = SCRATCH.get();
                if (tmp.length < channels * h * ow) {
                    tmp = new float[channels * h * ow];
                    SCRATCH.set(tmp);
                }
            }
            cur = horizontal(cur, tmp, channels, w, h, ow, coeffs(w, ow, interp), round8);
            cw = ow;
        }
        if (h != oh) {
            cur = vertical(cur, into != null && into.length == channels * oh * cw ? into : null, channels, cw, h, oh,
                    coeffs(h, oh, interp), round8);
        }
        return cur;
    }

    /** 1.5 * 2^23: for |x| < 2^22, {@code (x + MAGIC) - MAGIC} is x rounded to the nearest integer (ties to even). */
    private static final float MAGIC = 12582912f;

    /**
     * Rounds half up and clips {@code a[from..to)} to 0..255 in place, as Pillow stores an 8-bit pass. The
     * rounding is float-only (so the JIT vectorises it): a nudge of 1/1000 turns round-half-even into half-up;
     * only values within 1/1000 below a half level, already inside the float-vs-fixed-point uncertainty, round
     * differently from Pillow.
     */
    private static void clip8(float[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            a[i] = Math.min(255f, Math.max(0f, (a[i] + 0.001f + MAGIC) - MAGIC));
        }
    }

    /**
     * Each output column from {@code taps} neighbouring input columns. Every kernel has the same number of taps
     * (shorter ones are padded with zero weights, see {@link #coeffs}), so the common 2- and 3-tap cases run as
     * straight-line code.
     */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /** Into {@code into} when given (every element it covers is written), else a new array. */
    private static float[] horizontal(float[] in, float[] into, int channels, int w, int h, int ow, Coeffs cx,
                                      boolean round8) {
        float[] out = into != null ? into : new float[channels * h * ow];
        int taps = cx.taps;
        float[] k = cx.k;
        int[] min = cx.min;
        int pin = h * w;
        int pout = h * ow;
        // row y of every channel together: each kernel is loaded once for all channels
        for (int y = 0; y < h; y++) {
            int srow = y * w;
            int orow = y * ow;
            if (taps == 2) {
                for (int x = 0; x < ow; x++) {
                    float k0 = k[2 * x];
                    float k1 = k[2 * x + 1];
                    for (int c = 0, s0 = srow + min[x], o = orow + x; c < channels; c++, s0 += pin, o += pout) {
                        out[o] = k0 * in[s0] + k1 * in[s0 + 1];
                    }
                }
            } else if (taps == 3) {
                for (int x = 0; x < ow; x++) {
                    float k0 = k[3 * x];
                    float k1 = k[3 * x + 1];
                    float k2 = k[3 * x + 2];
                    for (int c = 0, s0 = srow + min[x], o = orow + x; c < channels; c++, s0 += pin, o += pout) {
                        out[o] = k0 * in[s0] + k1 * in[s0 + 1] + k2 * in[s0 + 2];
                    }
                }
            } else {
                for (int x = 0; x < ow; x++) {
                    int kb = x * taps;
                    for (int c = 0, s0 = srow + min[x], o = orow + x; c < channels; c++, s0 += pin, o += pout) {
                        float acc = 0;
                        for (int j = 0; j < taps; j++) {
                            acc += k[kb + j] * in[s0 + j];
                        }
                        out[o] = acc;
                    }
                }
            }
            if (round8) {
                for (int c = 0; c < channels; c++) {
                    clip8(out, c * pout + orow, c * pout + orow + ow);
                }
            }
        }
        return out;
    }

    /** Each output row as a weighted sum of whole input rows: contiguous inner loops the JIT vectorises. */
    /** Into {@code into} when given (every element is assigned before it is accumulated), else a new array. */
    private static float[] vertical(float[] in, float[] into, int channels, int w, int h, int oh, Coeffs cy,
                                    boolean round8) {
        float[] out = into != null ? into : new float[channels * oh * w];
        int taps = cy.taps;
        for (int c = 0; c < channels; c++) {
            int sb = c * h * w;
            int ob = c * oh * w;
            for (int y = 0; y < oh; y++) {
                int orow = ob + y * w;
                int kb = y * taps;
                int r0 = sb + cy.min[y] * w;
                float k0 = cy.k[kb];
                for (int x = 0; x < w; x++) {
                    out[orow + x] = k0 * in[r0 + x];
                }
                for (int j = 1; j < taps; j++) {
                    float kj = cy.k[kb + j];
                    if (kj == 0f) {
                        continue;
                    }
                    int rj = r0 + j * w;
                    for (int x = 0; x < w; x++) {
                        out[orow + x] += kj * in[rj + x];
                    }
                }
                if (round8) {
                    clip8(out, orow, orow + w);
                }
            }
        }
        return out;
    }

    /** Pillow's NEAREST: the source pixel under the centre of each output pixel. */
    private static float[] nearest(float[] src, int channels, int w, int h, int ow, int oh) {
        int[] xs = new int[ow];
        double sx = (double) w / ow;
        for (int x = 0; x < ow; x++) {
            xs[x] = Math.min(w - 1, (int) ((x + 0.5) * sx));
        }
        double sy = (double) h / oh;
        float[] out = new float[channels * oh * ow];
        for (int c = 0; c < channels; c++) {
            int sb = c * h * w;
            int ob = c * oh * ow;
            for (int y = 0; y < oh; y++) {
                int srow = sb + Math.min(h - 1, (int) ((y + 0.5) * sy)) * w;
                int orow = ob + y * ow;
                for (int x = 0; x < ow; x++) {
                    out[orow + x] = src[srow + xs[x]];
                }
            }
        }
        return out;
    }

    /** {@code taps} weights per output position, applied to inputs {@code min .. min + taps - 1}. */
    private record Coeffs(int taps, int[] min, float[] k) {
    }

    /**
     * Pillow's {@code precompute_coeffs}: a triangle (bilinear) or Keys cubic (a = -0.5) filter, widened by the
     * scale when shrinking, normalised per output position. Kernels are then padded with zero weights to a common
     * length (shifted left where they would run past the input's end); adding zero products does not change any
     * sum.
     */
    private static Coeffs coeffs(int in, int out, Interpolation interp) {
        double support0 = interp == Interpolation.BICUBIC ? 2.0 : 1.0;
        double scale = (double) in / out;
        double filterscale = Math.max(1.0, scale);
        double support = support0 * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] min = new int[out];
        int[] size = new int[out];
        double[] wk = new double[out * ksize];
        double ss = 1.0 / filterscale;
        int taps = 1;
        for (int xx = 0; xx < out; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > in) {
                xmax = in;
            }
            xmax -= xmin;
            double ww = 0;
            for (int x = 0; x < xmax; x++) {
                double wgt = filter((x + xmin - center + 0.5) * ss, interp);
                wk[xx * ksize + x] = wgt;
                ww += wgt;
            }
            if (ww != 0) {
                for (int x = 0; x < xmax; x++) {
                    wk[xx * ksize + x] /= ww;
                }
            }
            // trailing zero weights (the filter's edge) are dropped so the common length stays short
            while (xmax > 1 && wk[xx * ksize + xmax - 1] == 0) {
                xmax--;
            }
            min[xx] = xmin;
            size[xx] = xmax;
            taps = Math.max(taps, xmax);
        }
        taps = Math.min(taps, in);
        float[] k = new float[out * taps];
        for (int xx = 0; xx < out; xx++) {
            int m = Math.min(min[xx], in - taps);
            int shift = min[xx] - m;
            for (int x = 0; x < size[xx]; x++) {
                k[xx * taps + shift + x] = (float) wk[xx * ksize + x];
            }
            min[xx] = m;
        }
        return new Coeffs(taps, min, k);
    }

    private static double filter(double x, Interpolation interp) {
        if (x < 0) {
            x = -x;
        }
        if (interp == Interpolation.BICUBIC) {
            double a = -0.5;
            if (x < 1) {
                return ((a + 2) * x - (a + 3)) * x * x + 1;
            }
            if (x < 2) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0;
        }
        return x < 1 ? 1 - x : 0;
    }

    /**
     * Keras' {@code keep_aspect_ratio}: the centred crop of a {@code w x h} image that has the target's aspect
     * ratio, as {x, y, width, height}.
     */
    public static int[] aspectCrop(int w, int h, int tw, int th) {
        int cropH = Math.min(h, (int) ((long) w * th / tw));
        int cropW = Math.min(w, (int) ((long) h * tw / th));
        return new int[] {(w - cropW) / 2, (h - cropH) / 2, cropW, cropH};
    }

    /** Copies a rectangle out of planar images. */
    public static float[] crop(float[] src, int channels, int w, int h, int[] box) {
        int x0 = box[0];
        int y0 = box[1];
        int cw = box[2];
        int ch = box[3];
        float[] out = new float[channels * cw * ch];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < ch; y++) {
                System.arraycopy(src, c * w * h + (y0 + y) * w + x0, out, c * cw * ch + y * cw, cw);
            }
        }
        return out;
    }
}
