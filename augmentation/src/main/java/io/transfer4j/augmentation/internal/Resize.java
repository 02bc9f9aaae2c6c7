package io.transfer4j.augmentation.internal;

import io.transfer4j.augmentation.Interpolation;

/**
 * Pillow's resampling ({@code Image.resize}, what Keras' {@code load_img} calls) on planar float images:
 * separable, horizontal pass then vertical, filter support widened by the scale when shrinking. With
 * {@code round8} the result of each pass is rounded and clipped to 0..255 as Pillow does for 8-bit images;
 * without it (16-bit sources) values stay exact floats.
 */
public final class Resize {
    private Resize() {
    }

    /** Resizes {@code channels} planes of {@code w x h} to {@code ow x oh}. */
    public static float[] resize(float[] src, int channels, int w, int h, int ow, int oh, Interpolation interp,
                                 boolean round8) {
        if (w == ow && h == oh) {
            return src;
        }
        if (interp == Interpolation.NEAREST) {
            return nearest(src, channels, w, h, ow, oh);
        }
        float[] cur = src;
        int cw = w;
        if (w != ow) {
            Coeffs cx = coeffs(w, ow, interp);
            float[] out = new float[channels * h * ow];
            for (int c = 0; c < channels; c++) {
                int sb = c * h * w;
                int ob = c * h * ow;
                for (int y = 0; y < h; y++) {
                    int srow = sb + y * w;
                    int orow = ob + y * ow;
                    for (int x = 0; x < ow; x++) {
                        int min = cx.min[x];
                        int kb = x * cx.ksize;
                        double s = 0;
                        for (int k = 0; k < cx.size[x]; k++) {
                            s += cx.k[kb + k] * cur[srow + min + k];
                        }
                        out[orow + x] = round8 ? clip8(s) : (float) s;
                    }
                }
            }
            cur = out;
            cw = ow;
        }
        if (h != oh) {
            Coeffs cy = coeffs(h, oh, interp);
            float[] out = new float[channels * oh * cw];
            for (int c = 0; c < channels; c++) {
                int sb = c * h * cw;
                int ob = c * oh * cw;
                for (int y = 0; y < oh; y++) {
                    int min = cy.min[y];
                    int kb = y * cy.ksize;
                    int n = cy.size[y];
                    int orow = ob + y * cw;
                    for (int x = 0; x < cw; x++) {
                        double s = 0;
                        for (int k = 0; k < n; k++) {
                            s += cy.k[kb + k] * cur[sb + (min + k) * cw + x];
                        }
                        out[orow + x] = round8 ? clip8(s) : (float) s;
                    }
                }
            }
            cur = out;
        }
        return cur;
    }

    private static float clip8(double v) {
        double r = Math.floor(v + 0.5);
        return (float) (r < 0 ? 0 : r > 255 ? 255 : r);
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

    private record Coeffs(int ksize, int[] min, int[] size, double[] k) {
    }

    private static Coeffs coeffs(int in, int out, Interpolation interp) {
        double support0 = interp == Interpolation.BICUBIC ? 2.0 : 1.0;
        double scale = (double) in / out;
        double filterscale = Math.max(1.0, scale);
        double support = support0 * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] min = new int[out];
        int[] size = new int[out];
        double[] k = new double[out * ksize];
        double ss = 1.0 / filterscale;
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
                k[xx * ksize + x] = wgt;
                ww += wgt;
            }
            if (ww != 0) {
                for (int x = 0; x < xmax; x++) {
                    k[xx * ksize + x] /= ww;
                }
            }
            min[xx] = xmin;
            size[xx] = xmax;
        }
        return new Coeffs(ksize, min, size, k);
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
