package io.transfer4j.core.internal;

import java.awt.image.BufferedImage;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import io.transfer4j.zoo.InputShape;

/** Raw pixel arrays handed to a Predictor: shape checks and channel conversion. */
public final class InputArrays {
    private InputArrays() {
    }

    /**
     * A caller's raw pixel array ({@code [c,h,w]} or {@code [1,c,h,w]}, RGB/gray/RGBA values 0-255) as a
     * {@code [1, channels, h, w]} float copy with the model's channel count: gray is repeated to RGB, RGB becomes
     * gray by ITU-R 601 luma (as Pillow's "L"), alpha is dropped. Wrong sizes are rejected.
     */
    public static INDArray toModelChannels(INDArray raw, InputShape shape) {
        if (raw == null) {
            throw new IllegalArgumentException("input array is null");
        }
        INDArray x = raw;
        if (x.rank() == 3) {
            x = x.reshape(1, x.size(0), x.size(1), x.size(2));
        }
        if (x.rank() != 4 || x.size(0) != 1) {
            throw new IllegalArgumentException("expected one image as [c,h,w] or [1,c,h,w] raw pixels; received shape "
                    + Arrays.toString(raw.shape()) + " (use predictAll for many images)");
        }
        long c = x.size(1);
        if (x.size(2) != shape.height() || x.size(3) != shape.width()) {
            throw new IllegalArgumentException("expected an image of " + shape.height() + "x" + shape.width()
                    + " (height x width) for this model; received " + x.size(2) + "x" + x.size(3) + " in shape "
                    + Arrays.toString(raw.shape()) + ". Resize it, or pass a Path, byte[] or BufferedImage, which are"
                    + " resized for you");
        }
        if (c < 1 || c > 4) {
            throw new IllegalArgumentException("expected 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels;"
                    + " received " + c + " in shape " + Arrays.toString(raw.shape()));
        }
        x = x.castTo(DataType.FLOAT).dup();
        long colour = c == 2 ? 1 : c == 4 ? 3 : c; // alpha dropped
        if (colour != c) {
            x = x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, colour), NDArrayIndex.all(), NDArrayIndex.all())
                    .dup();
        }
        if (colour == shape.channels()) {
            return x;
        }
        if (colour == 1 && shape.channels() == 3) {
            return Nd4j.concat(1, x, x, x);
        }
        if (colour == 3 && shape.channels() == 1) {
            INDArray r = x.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
            INDArray g = x.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all());
            INDArray b = x.get(NDArrayIndex.all(), NDArrayIndex.point(2), NDArrayIndex.all(), NDArrayIndex.all());
            return r.mul(0.299).addi(g.mul(0.587)).addi(b.mul(0.114)).reshape(1, 1, shape.height(), shape.width());
        }
        throw new IllegalArgumentException("cannot convert " + c + "-channel input to the model's " + shape.channels()
                + " channels; allowed: 1, 2, 3 or 4 channels");
    }

    /** A {@code [1,c,h,w]} raw pixel array (0-255, gray or RGB) as an RGB image. */
    public static BufferedImage toImage(INDArray raw) {
        int c = (int) raw.size(1);
        int h = (int) raw.size(2);
        int w = (int) raw.size(3);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = clamp(raw.getDouble(0, 0, y, x));
                int g = c >= 3 ? clamp(raw.getDouble(0, 1, y, x)) : r;
                int b = c >= 3 ? clamp(raw.getDouble(0, 2, y, x)) : r;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
