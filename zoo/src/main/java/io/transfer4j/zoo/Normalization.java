package io.transfer4j.zoo;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The exact input preprocessing a backbone's weights expect. It travels with the backbone: pipelines take it
 * from the {@link BackboneSpec}, a saved bundle records it, prediction applies it. Users never type mean values.
 *
 * <p>Applied to an NCHW batch whose pixels are in {@code [0, pixelMax]} and whose channels are in RGB order
 * (or a single gray channel): {@code x = ((reorder(x) * scale) - mean[c]) / std[c]}.
 *
 * @param mode       a short name, e.g. {@code caffe} (Keras' mode for VGG16/ResNet50), {@code torch}, {@code tf},
 *                   {@code rescale}, {@code none}
 * @param order      channel order the weights expect; input is converted from RGB to it
 * @param scale      multiplied first (e.g. 1/255 for [0,1] input); 1 for 0-255 input
 * @param mean       per channel, in the weights' channel order, subtracted after scaling
 * @param std        per channel, divided last (all 1 for caffe mode)
 */
public record Normalization(String mode, ChannelOrder order, double scale, double[] mean, double[] std) {

    public Normalization {
        if (mode == null || mode.isBlank()) {
            throw new IllegalArgumentException("normalization mode must be named, e.g. 'caffe'; received " + mode);
        }
        if (order == null) {
            throw new IllegalArgumentException("channel order is required (RGB, BGR or GRAY)");
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be a positive finite number; received " + scale);
        }
        mean = mean == null ? new double[0] : mean.clone();
        std = std == null ? new double[0] : std.clone();
        if (mean.length != std.length) {
            throw new IllegalArgumentException("mean and std need one value per channel; received "
                    + mean.length + " means and " + std.length + " stds");
        }
        for (double s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("every std must be > 0; received " + Arrays.toString(std));
            }
        }
    }

    /** Keras "caffe" mode, as DL4J's and Keras' VGG16/ResNet50 ImageNet weights expect: BGR, 0-255, mean subtracted. */
    public static Normalization caffe() {
        return new Normalization("caffe", ChannelOrder.BGR, 1.0,
                new double[] {103.939, 116.779, 123.68}, new double[] {1, 1, 1});
    }

    /** PyTorch / Keras "torch" mode: RGB, [0,1], ImageNet mean and std. */
    public static Normalization torch() {
        return new Normalization("torch", ChannelOrder.RGB, 1.0 / 255,
                new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});
    }

    /** Keras "tf" mode, as Keras' MobileNetV2 weights expect: RGB, {@code x / 127.5 - 1}, pixels in [-1, 1]. */
    public static Normalization tf() {
        return new Normalization("tf", ChannelOrder.RGB, 1.0 / 127.5, new double[] {1, 1, 1}, new double[] {1, 1, 1});
    }

    /** Pixels divided by 255, nothing else. */
    public static Normalization rescale() {
        return new Normalization("rescale", ChannelOrder.RGB, 1.0 / 255, new double[0], new double[0]);
    }

    /** Raw pixel values, untouched. */
    public static Normalization none() {
        return new Normalization("none", ChannelOrder.RGB, 1.0, new double[0], new double[0]);
    }

    /**
     * Normalises an NCHW batch in place (RGB or gray input in [0, 255] for 8-bit sources) and returns it.
     * Channel reordering happens only for 3-channel input and a BGR order.
     */
    public INDArray applyInPlace(INDArray nchw) {
        if (nchw.rank() != 4) {
            throw new IllegalArgumentException("expected an NCHW batch of rank 4; received shape "
                    + Arrays.toString(nchw.shape()));
        }
        long channels = nchw.size(1);
        if (order == ChannelOrder.BGR && channels == 3) {
            INDArray r = nchw.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(0)).dup();
            nchw.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0))
                    .assign(nchw.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(2)));
            nchw.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(2))
                    .assign(r);
        }
        if (scale != 1.0) {
            nchw.muli(scale);
        }
        if (mean.length > 0) {
            if (mean.length != channels && !(channels == 1 && mean.length == 3)) {
                throw new IllegalArgumentException("normalization '" + mode + "' has " + mean.length
                        + " channel means but the batch has " + channels + " channels");
            }
            for (int c = 0; c < channels; c++) {
                // a gray image fed to RGB weights uses the mean of the channel means
                double m = channels == mean.length ? mean[c] : Arrays.stream(mean).average().orElse(0);
                double s = channels == std.length ? std[c] : Arrays.stream(std).average().orElse(1);
                INDArray plane = nchw.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(c));
                plane.subi(m);
                if (s != 1.0) {
                    plane.divi(s);
                }
            }
        }
        return nchw;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && mode.equals(n.mode) && order == n.order && scale == n.scale
                && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * mode.hashCode() + order.hashCode()) + Arrays.hashCode(mean);
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    @Override
    public String toString() {
        return mode + "(" + order + ", scale=" + scale + ", mean=" + Arrays.toString(mean) + ", std="
                + Arrays.toString(std) + ")";
    }
}
