package io.transfer4j.augmentation;

import java.util.Arrays;
import java.util.function.UnaryOperator;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras {@code ImageDataGenerator} options, with Keras' meaning and defaults (everything off). Random transforms
 * are applied in Keras' order: affine (rotation, shifts, shear, zoom in one matrix, filled with {@code fillMode})
 * -> channel shift -> flips -> brightness; then the standardisation: preprocessing function -> rescale ->
 * samplewise centre/std -> featurewise centre/std -> ZCA. The backbone's own normalisation comes after that and is
 * not an option here.
 *
 * @param rotationRange               degrees; rotation drawn from {@code (-r, r)}
 * @param widthShift                  horizontal shift (see {@link ShiftRange})
 * @param heightShift                 vertical shift
 * @param shearRange                  shear angle in degrees, counter-clockwise, drawn from {@code (-s, s)}
 * @param zoomLow                     zoom factors are drawn from {@code [zoomLow, zoomHigh]} per axis (Keras
 *                                    {@code zoom_range=z} means {@code [1-z, 1+z]}); factors above 1 zoom out
 * @param zoomHigh                    see zoomLow
 * @param channelShiftRange           a value drawn from {@code (-c, c)} is added to every channel, clipped to the
 *                                    image's own min/max (0-255 scale)
 * @param brightnessLow               brightness factor drawn from {@code [low, high]}; both 0 = off
 * @param brightnessHigh              see brightnessLow
 * @param horizontalFlip              flip left-right with probability 1/2
 * @param verticalFlip                flip top-bottom with probability 1/2
 * @param fillMode                    how the affine transform fills points outside the image (default nearest)
 * @param cval                        the fill value for {@link FillMode#CONSTANT} (0-255 scale)
 * @param rescale                     multiplies every value (Keras {@code rescale}; 1 = none). Most backbones
 *                                    expect 0-255 and rescale themselves: leave at 1 unless you know otherwise
 * @param preprocessingFunction       applied to each image ({@code [channels, height, width]}, 0-255 scale) first
 *                                    in the standardisation; may return a new array of the same shape; null = none
 * @param featurewiseCenter           subtract the per-channel mean of the data given to {@link ImagePipeline#fit}
 * @param samplewiseCenter            subtract each image's own mean
 * @param featurewiseStdNormalization divide by the per-channel std of the fitted data
 * @param samplewiseStdNormalization  divide by each image's own std
 * @param zcaWhitening                ZCA whitening fitted on a sample ({@code channels*height*width <= 4096})
 * @param zcaEpsilon                  added to the eigenvalues before inversion (default 1e-6)
 * @param validationSplit             the share of each class held out as the validation subset (default 0)
 * @param interpolationOrder          0 (nearest) or 1 (linear, the default) for the affine transform
 */
public record AugmentOptions(double rotationRange, ShiftRange widthShift, ShiftRange heightShift, double shearRange,
                             double zoomLow, double zoomHigh, double channelShiftRange, double brightnessLow,
                             double brightnessHigh, boolean horizontalFlip, boolean verticalFlip, FillMode fillMode,
                             double cval, double rescale, UnaryOperator<INDArray> preprocessingFunction,
                             boolean featurewiseCenter, boolean samplewiseCenter,
                             boolean featurewiseStdNormalization, boolean samplewiseStdNormalization,
                             boolean zcaWhitening, double zcaEpsilon, double validationSplit, int interpolationOrder)
        implements java.io.Serializable {

    /** Every invariant is checked here, so builders, Jackson and {@code new} all get the same checks. */
    public AugmentOptions {
        range("rotationRange (degrees)", rotationRange, 0, 360);
        range("shearRange (degrees)", shearRange, 0, 360);
        if (widthShift == null || heightShift == null) {
            throw new IllegalArgumentException("shift ranges must not be null; use ShiftRange.NONE");
        }
        if (!(zoomLow > 0 && zoomHigh >= zoomLow && Double.isFinite(zoomHigh))) {
            throw new IllegalArgumentException("zoomRange must satisfy 0 < low <= high (zoomRange(z) gives [1-z, 1+z]"
                    + " and needs z < 1); received [" + zoomLow + ", " + zoomHigh + "]");
        }
        range("channelShiftRange", channelShiftRange, 0, 255);
        boolean brightness = !(brightnessLow == 0 && brightnessHigh == 0);
        if (brightness && !(brightnessLow >= 0 && brightnessHigh >= brightnessLow && Double.isFinite(brightnessHigh))) {
            throw new IllegalArgumentException("brightnessRange must satisfy 0 <= low <= high, e.g. [0.8, 1.2]; received ["
                    + brightnessLow + ", " + brightnessHigh + "]");
        }
        if (fillMode == null) {
            throw new IllegalArgumentException("fillMode must be one of " + Arrays.toString(FillMode.values()));
        }
        if (!Double.isFinite(cval)) {
            throw new IllegalArgumentException("cval must be finite; received " + cval);
        }
        if (!(rescale > 0) || !Double.isFinite(rescale)) {
            throw new IllegalArgumentException("rescale must be a positive finite factor (1 = none); received "
                    + rescale);
        }
        if (!(zcaEpsilon > 0)) {
            throw new IllegalArgumentException("zcaEpsilon must be > 0; received " + zcaEpsilon);
        }
        checkValidationSplit(validationSplit);
        if (interpolationOrder != 0 && interpolationOrder != 1) {
            throw new IllegalArgumentException("interpolationOrder must be 0 (nearest) or 1 (linear); received "
                    + interpolationOrder + " (spline orders 2-5 are not supported)");
        }
    }

    /** The one check of a validation split, shared with {@link ScanOptions}. */
    static void checkValidationSplit(double validationSplit) {
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new IllegalArgumentException("validationSplit must be in [0, 1) (0 = no split); received "
                    + validationSplit);
        }
    }

    private static void range(String name, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "]; received " + v);
        }
    }

    /** The largest {@code channels*height*width} ZCA whitening accepts (its matrix is that size squared). */
    public static final int ZCA_MAX_DIMENSION = 4096;

    /** No augmentation, no standardisation: Keras' {@code ImageDataGenerator()}. */
    public static AugmentOptions none() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True if at least one random transform is on (rotation, shift, shear, zoom, channel shift, flips, brightness). */
    public boolean isRandom() {
        return rotationRange != 0 || !widthShift.isNone() || !heightShift.isNone() || shearRange != 0
                || zoomLow != 1 || zoomHigh != 1 || channelShiftRange != 0 || horizontalFlip || verticalFlip
                || brightnessEnabled();
    }

    public boolean brightnessEnabled() {
        return !(brightnessLow == 0 && brightnessHigh == 0);
    }

    /** True if {@link ImagePipeline#fit} must see a sample before flows can be built. */
    public boolean needsFit() {
        return featurewiseCenter || featurewiseStdNormalization || zcaWhitening;
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.rotationRange = rotationRange;
        b.widthShift = widthShift;
        b.heightShift = heightShift;
        b.shearRange = shearRange;
        b.zoomLow = zoomLow;
        b.zoomHigh = zoomHigh;
        b.channelShiftRange = channelShiftRange;
        b.brightnessLow = brightnessLow;
        b.brightnessHigh = brightnessHigh;
        b.horizontalFlip = horizontalFlip;
        b.verticalFlip = verticalFlip;
        b.fillMode = fillMode;
        b.cval = cval;
        b.rescale = rescale;
        b.preprocessingFunction = preprocessingFunction;
        b.featurewiseCenter = featurewiseCenter;
        b.samplewiseCenter = samplewiseCenter;
        b.featurewiseStdNormalization = featurewiseStdNormalization;
        b.samplewiseStdNormalization = samplewiseStdNormalization;
        b.zcaWhitening = zcaWhitening;
        b.zcaEpsilon = zcaEpsilon;
        b.validationSplit = validationSplit;
        b.interpolationOrder = interpolationOrder;
        return b;
    }

    /** Keras-named setters; {@link #build()} checks every value (in the record's constructor). */
    public static final class Builder {
        private double rotationRange;
        private ShiftRange widthShift = ShiftRange.NONE;
        private ShiftRange heightShift = ShiftRange.NONE;
        private double shearRange;
        private double zoomLow = 1;
        private double zoomHigh = 1;
        private double channelShiftRange;
        private double brightnessLow;
        private double brightnessHigh;
        private boolean horizontalFlip;
        private boolean verticalFlip;
        private FillMode fillMode = FillMode.NEAREST;
        private double cval;
        private double rescale = 1;
        private UnaryOperator<INDArray> preprocessingFunction;
        private boolean featurewiseCenter;
        private boolean samplewiseCenter;
        private boolean featurewiseStdNormalization;
        private boolean samplewiseStdNormalization;
        private boolean zcaWhitening;
        private double zcaEpsilon = 1e-6;
        private double validationSplit;
        private int interpolationOrder = 1;

        private Builder() {
        }

        public Builder rotationRange(double degrees) {
            this.rotationRange = degrees;
            return this;
        }

        /** Keras float rule: below 1 a fraction of the width, otherwise pixels. */
        public Builder widthShiftRange(double v) {
            this.widthShift = ShiftRange.of(v);
            return this;
        }

        public Builder widthShiftRange(ShiftRange v) {
            this.widthShift = v;
            return this;
        }

        /** Keras float rule: below 1 a fraction of the height, otherwise pixels. */
        public Builder heightShiftRange(double v) {
            this.heightShift = ShiftRange.of(v);
            return this;
        }

        public Builder heightShiftRange(ShiftRange v) {
            this.heightShift = v;
            return this;
        }

        public Builder shearRange(double degrees) {
            this.shearRange = degrees;
            return this;
        }

        /** Keras {@code zoom_range=z}: {@code [1-z, 1+z]}. */
        public Builder zoomRange(double z) {
            this.zoomLow = 1 - z;
            this.zoomHigh = 1 + z;
            return this;
        }

        /** Keras {@code zoom_range=[low, high]}. */
        public Builder zoomRange(double low, double high) {
            this.zoomLow = low;
            this.zoomHigh = high;
            return this;
        }

        public Builder channelShiftRange(double v) {
            this.channelShiftRange = v;
            return this;
        }

        public Builder brightnessRange(double low, double high) {
            this.brightnessLow = low;
            this.brightnessHigh = high;
            return this;
        }

        public Builder horizontalFlip(boolean v) {
            this.horizontalFlip = v;
            return this;
        }

        public Builder verticalFlip(boolean v) {
            this.verticalFlip = v;
            return this;
        }

        public Builder fillMode(FillMode v) {
            this.fillMode = v;
            return this;
        }

        public Builder cval(double v) {
            this.cval = v;
            return this;
        }

        public Builder rescale(double v) {
            this.rescale = v;
            return this;
        }

        public Builder preprocessingFunction(UnaryOperator<INDArray> f) {
            this.preprocessingFunction = f;
            return this;
        }

        public Builder featurewiseCenter(boolean v) {
            this.featurewiseCenter = v;
            return this;
        }

        public Builder samplewiseCenter(boolean v) {
            this.samplewiseCenter = v;
            return this;
        }

        public Builder featurewiseStdNormalization(boolean v) {
            this.featurewiseStdNormalization = v;
            return this;
        }

        public Builder samplewiseStdNormalization(boolean v) {
            this.samplewiseStdNormalization = v;
            return this;
        }

        public Builder zcaWhitening(boolean v) {
            this.zcaWhitening = v;
            return this;
        }

        public Builder zcaEpsilon(double v) {
            this.zcaEpsilon = v;
            return this;
        }

        public Builder validationSplit(double v) {
            this.validationSplit = v;
            return this;
        }

        public Builder interpolationOrder(int v) {
            this.interpolationOrder = v;
            return this;
        }

        public AugmentOptions build() {
            return new AugmentOptions(rotationRange, widthShift, heightShift, shearRange, zoomLow, zoomHigh,
                    channelShiftRange, brightnessLow, brightnessHigh, horizontalFlip, verticalFlip, fillMode, cval,
                    rescale, preprocessingFunction, featurewiseCenter, samplewiseCenter, featurewiseStdNormalization,
                    samplewiseStdNormalization, zcaWhitening, zcaEpsilon, validationSplit, interpolationOrder);
        }
    }
}
