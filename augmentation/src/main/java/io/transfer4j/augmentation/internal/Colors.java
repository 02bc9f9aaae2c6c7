package io.transfer4j.augmentation.internal;

import io.transfer4j.augmentation.ColorMode;
import io.transfer4j.augmentation.DecodedImage;

/** Channel conversions with PIL's rules (what Keras' {@code load_img} does with {@code color_mode}). */
final class Colors {
    private Colors() {
    }

    /** The image's planes converted to the mode's channel count, in the source's value range. */
    public static float[] convert(DecodedImage d, ColorMode mode) {
        int n = d.width() * d.height();
        float[] p = d.planes();
        int c = d.channels();
        float max = d.maxValue();
        boolean eight = d.bitDepth() == 8;
        switch (mode) {
            case GRAYSCALE -> {
                if (c <= 2) {
                    return c == 1 ? p : java.util.Arrays.copyOf(p, n);
                }
                float[] out = new float[n];
                for (int i = 0; i < n; i++) {
                    if (eight) {
                        // PIL "L": ITU-R 601-2 luma in 16.16 fixed point, rounded
                        int v = ((int) p[i] * 19595 + (int) p[n + i] * 38470 + (int) p[2 * n + i] * 7471 + 0x8000) >> 16;
                        out[i] = v;
                    } else {
                        out[i] = 0.299f * p[i] + 0.587f * p[n + i] + 0.114f * p[2 * n + i];
                    }
                }
                return out;
            }
            case RGB -> {
                if (c == 3) {
                    return p;
                }
                float[] out = new float[3 * n];
                if (c <= 2) {
                    for (int k = 0; k < 3; k++) {
                        System.arraycopy(p, 0, out, k * n, n);
                    }
                } else {
                    System.arraycopy(p, 0, out, 0, 3 * n);
                }
                return out;
            }
            case RGBA -> {
                if (c == 4) {
                    return p;
                }
                float[] out = new float[4 * n];
                if (c <= 2) {
                    for (int k = 0; k < 3; k++) {
                        System.arraycopy(p, 0, out, k * n, n);
                    }
                } else {
                    System.arraycopy(p, 0, out, 0, 3 * n);
                }
                if (c == 2) {
                    System.arraycopy(p, n, out, 3 * n, n);
                } else {
                    java.util.Arrays.fill(out, 3 * n, 4 * n, max);
                }
                return out;
            }
            default -> throw new IllegalArgumentException("unknown colour mode " + mode);
        }
    }
}
