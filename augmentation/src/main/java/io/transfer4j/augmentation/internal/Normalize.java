package io.transfer4j.augmentation.internal;

import java.util.Arrays;

import io.transfer4j.zoo.ChannelOrder;
import io.transfer4j.zoo.Normalization;

/**
 * {@link Normalization#applyInPlace} for one planar image in plain Java: the same formula
 * ({@code ((reorder(x) * scale) - mean[c]) / std[c]}, BGR reordering only for 3 channels, a gray image fed to
 * 3-channel statistics using their averages) without a dozen ND4J ops per image, which dominate the cost of
 * small images. For 4 channels the first three are normalised and alpha is only scaled. Tested against
 * {@code applyInPlace}.
 */
public final class Normalize {
    private Normalize() {
    }

    public static void apply(float[] x, int channels, int h, int w, Normalization n) {
        int plane = h * w;
        int c = channels == 4 ? 3 : channels;
        if (n.order() == ChannelOrder.BGR && c == 3) {
            for (int i = 0; i < plane; i++) {
                float t = x[i];
                x[i] = x[2 * plane + i];
                x[2 * plane + i] = t;
            }
        }
        float scale = (float) n.scale();
        double[] mean = n.mean();
        double[] std = n.std();
        if (mean.length > 0 && mean.length != c && !(c == 1 && mean.length == 3)) {
            throw new IllegalArgumentException("normalization '" + n.mode() + "' has " + mean.length
                    + " channel means but the image has " + c + " channels");
        }
        for (int k = 0; k < channels; k++) {
            double m = 0;
            double s = 1;
            if (k < c && mean.length > 0) {
                m = c == mean.length ? mean[k] : Arrays.stream(mean).average().orElse(0);
                s = c == std.length ? std[k] : Arrays.stream(std).average().orElse(1);
            }
            float fm = (float) m;
            float fs = (float) s;
            int from = k * plane;
            int to = from + plane;
            if (fs == 1f) {
                for (int i = from; i < to; i++) {
                    x[i] = x[i] * scale - fm;
                }
            } else {
                for (int i = from; i < to; i++) {
                    x[i] = (x[i] * scale - fm) / fs;
                }
            }
        }
    }
}
