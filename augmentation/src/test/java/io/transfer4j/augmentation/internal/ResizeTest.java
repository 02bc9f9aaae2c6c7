package io.transfer4j.augmentation.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.transfer4j.augmentation.Interpolation;

/**
 * The fast resize (kernels padded to a common length, row-wise vertical pass) against a plain transcription of
 * Pillow's {@code precompute_coeffs} and {@code ImagingResampleHorizontal/Vertical_8bpc} (22-bit fixed point) for
 * 8-bit sources and against double-precision sums for 16-bit sources, on upscaling, downscaling, mixed and tiny
 * sizes, for both interpolations Pillow widens.
 */
class ResizeTest {

    @ParameterizedTest(name = "{0}x{1} -> {2}x{3} {4}")
    @CsvSource({
        "240,170,224,224,BILINEAR", "170,240,224,224,BICUBIC", "500,375,224,224,BILINEAR", "500,375,224,224,BICUBIC",
        "31,17,224,224,BILINEAR", "224,224,28,28,BILINEAR", "3,2,7,5,BICUBIC", "2,2,1,1,BILINEAR", "640,1,224,1,BILINEAR"
    })
    void matchesPillowReference(int w, int h, int ow, int oh, Interpolation interp) {
        Random rnd = new Random(w * 31L + h);
        int channels = 3;
        float[] src = new float[channels * w * h];
        for (int i = 0; i < src.length; i++) {
            src[i] = rnd.nextInt(256);
        }
        // 8-bit: rounded per pass as Pillow does; float sums where Pillow has 22-bit fixed point can move a
        // sample that lies within rounding of a half level by one level
        float[] fast = Resize.resize(src, channels, w, h, ow, oh, interp, true);
        float[] ref = reference(src, channels, w, h, ow, oh, interp, true);
        assertEquals(ref.length, fast.length);
        int off = 0;
        for (int i = 0; i < ref.length; i++) {
            float d = Math.abs(ref[i] - fast[i]);
            assertTrue(d <= 1, "8-bit sample " + i + ": " + fast[i] + " vs Pillow's " + ref[i]);
            off += d > 0 ? 1 : 0;
        }
        assertTrue(off <= ref.length / 50, off + " of " + ref.length + " samples off by one level");
        // 16-bit path: exact floats, relative error of float accumulation only
        float[] fastF = Resize.resize(src, channels, w, h, ow, oh, interp, false);
        float[] refF = reference(src, channels, w, h, ow, oh, interp, false);
        for (int i = 0; i < refF.length; i++) {
            assertEquals(refF[i], fastF[i], 1e-3f, "float sample " + i);
        }
    }

    /** Straightforward loops, kernels as Pillow computes them, no padding: the oracle. */
    static float[] reference(float[] src, int channels, int w, int h, int ow, int oh, Interpolation interp,
                             boolean round8) {
        float[] cur = src;
        int cw = w;
        if (w != ow) {
            double[][] k = new double[ow][];
            int[] min = new int[ow];
            kernels(w, ow, interp, k, min);
            float[] out = new float[channels * h * ow];
            for (int row = 0; row < channels * h; row++) {
                for (int x = 0; x < ow; x++) {
                    double s = 0;
                    int acc = 1 << 21;
                    for (int j = 0; j < k[x].length; j++) {
                        s += k[x][j] * cur[row * w + min[x] + j];
                        acc += fixed(k[x][j]) * (int) cur[row * w + min[x] + j];
                    }
                    out[row * ow + x] = round8 ? clip(acc) : (float) s;
                }
            }
            cur = out;
            cw = ow;
        }
        if (h != oh) {
            double[][] k = new double[oh][];
            int[] min = new int[oh];
            kernels(h, oh, interp, k, min);
            float[] out = new float[channels * oh * cw];
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < oh; y++) {
                    for (int x = 0; x < cw; x++) {
                        double s = 0;
                        int acc = 1 << 21;
                        for (int j = 0; j < k[y].length; j++) {
                            s += k[y][j] * cur[c * h * cw + (min[y] + j) * cw + x];
                            acc += fixed(k[y][j]) * (int) cur[c * h * cw + (min[y] + j) * cw + x];
                        }
                        out[c * oh * cw + y * cw + x] = round8 ? clip(acc) : (float) s;
                    }
                }
            }
            cur = out;
        }
        return cur;
    }

    /** Pillow's normalize_coeffs_8bpc. */
    private static int fixed(double k) {
        return (int) (k < 0 ? -0.5 + k * (1 << 22) : 0.5 + k * (1 << 22));
    }

    private static float clip(int acc) {
        int v = acc >> 22;
        return v < 0 ? 0 : v > 255 ? 255 : v;
    }

    private static void kernels(int in, int out, Interpolation interp, double[][] k, int[] min) {
        double support0 = interp == Interpolation.BICUBIC ? 2.0 : 1.0;
        double scale = (double) in / out;
        double filterscale = Math.max(1.0, scale);
        double support = support0 * filterscale;
        for (int xx = 0; xx < out; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = Math.max(0, (int) (center - support + 0.5));
            int xmax = Math.min(in, (int) (center + support + 0.5)) - xmin;
            k[xx] = new double[xmax];
            double ww = 0;
            for (int x = 0; x < xmax; x++) {
                double t = Math.abs((x + xmin - center + 0.5) / filterscale);
                double wgt;
                if (interp == Interpolation.BICUBIC) {
                    double a = -0.5;
                    wgt = t < 1 ? ((a + 2) * t - (a + 3)) * t * t + 1 : t < 2 ? (((t - 5) * t + 8) * t - 4) * a : 0;
                } else {
                    wgt = t < 1 ? 1 - t : 0;
                }
                k[xx][x] = wgt;
                ww += wgt;
            }
            for (int x = 0; x < xmax && ww != 0; x++) {
                k[xx][x] /= ww;
            }
            min[xx] = xmin;
        }
    }
}
