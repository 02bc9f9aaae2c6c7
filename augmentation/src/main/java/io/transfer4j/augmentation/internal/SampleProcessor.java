package io.transfer4j.augmentation.internal;

import java.util.SplittableRandom;

import io.transfer4j.augmentation.ColorMode;
import io.transfer4j.augmentation.DecodedImage;
import io.transfer4j.augmentation.Interpolation;

/**
 * One image's way from decoded file to network input, before the backbone normalisation (which runs per batch):
 * colour mode -> (aspect crop) -> resize -> 0-255 scale -> random transform -> standardise.
 */
public final class SampleProcessor {
    private final int height;
    private final int width;
    private final ColorMode colorMode;
    private final Interpolation interpolation;
    private final boolean keepAspectRatio;
    private final Augmenter augmenter;
    private final Standardizer standardizer;

    public SampleProcessor(int height, int width, ColorMode colorMode, Interpolation interpolation,
                           boolean keepAspectRatio, Augmenter augmenter, Standardizer standardizer) {
        this.height = height;
        this.width = width;
        this.colorMode = colorMode;
        this.interpolation = interpolation;
        this.keepAspectRatio = keepAspectRatio;
        this.augmenter = augmenter;
        this.standardizer = standardizer;
    }

    public int channels() {
        return colorMode.channels();
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public boolean augments() {
        return augmenter != null;
    }

    /**
     * Colour conversion and resize, then the mapping to the 0-255 scale backbones expect: 8-bit values unchanged,
     * deeper samples multiplied by {@code 255 / (2^bits - 1)} as floats (a 16-bit image keeps 65,536 distinct
     * levels).
     */
    public float[] prepare(DecodedImage d) {
        return prepare(d, null);
    }

    /** As {@link #prepare(DecodedImage)}; the resize may write into {@code scratch} and return it. */
    public float[] prepare(DecodedImage d, float[] scratch) {
        int c = colorMode.channels();
        float[] x = Colors.convert(d, colorMode);
        int w = d.width();
        int h = d.height();
        if (keepAspectRatio) {
            int[] box = Resize.aspectCrop(w, h, width, height);
            if (box[2] != w || box[3] != h) {
                x = Resize.crop(x, c, w, h, box);
                w = box[2];
                h = box[3];
            }
        }
        x = Resize.resize(x, c, w, h, width, height, interpolation, d.bitDepth() == 8, scratch);
        if (d.bitDepth() != 8) {
            float s = 255f / d.maxValue();
            x = x == d.planes() ? x.clone() : x;
            for (int i = 0; i < x.length; i++) {
                x[i] *= s;
            }
        }
        return x;
    }

    /** The random transform for this sample's generator, or {@code x} itself without augmentation. */
    public float[] augment(float[] x, SplittableRandom rng) {
        return augment(x, rng, null);
    }

    /**
     * As {@link #augment(float[], SplittableRandom)}, writing the affine result into {@code scratch} (same length
     * as {@code x}) when given: the result may then be {@code scratch}, valid until the caller reuses it.
     */
    public float[] augment(float[] x, SplittableRandom rng, float[] scratch) {
        if (augmenter == null) {
            return x;
        }
        return augmenter.apply(x, colorMode.channels(), height, width, augmenter.sample(height, width, rng), scratch);
    }

    public float[] standardize(float[] x) {
        return standardizer == null || !standardizer.active() ? x
                : standardizer.apply(x, colorMode.channels(), height, width);
    }
}
