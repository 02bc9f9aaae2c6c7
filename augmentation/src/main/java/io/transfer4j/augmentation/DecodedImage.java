package io.transfer4j.augmentation;

import java.util.List;
import java.util.Objects;

/**
 * A decoded image at full precision: planar (channel, row, column) samples as floats holding the file's integer
 * values, {@code 0 .. 2^bitDepth - 1}. A 16-bit TIFF keeps its 65,536 levels here; they are mapped to the 0-255
 * scale the backbones expect only when the pipeline builds its input (as floats, see {@link #maxValue()}).
 *
 * @param width    pixels per row
 * @param height   rows
 * @param channels 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA), in that channel order
 * @param bitDepth bits per sample of the source (8 or 16 usually; 1-16 accepted)
 * @param planes   {@code channels * height * width} samples, plane after plane; owned by this record and treated
 *                 as read-only by every consumer (not copied, for speed)
 * @param warnings what the decoder had to do that the user may want to know (e.g. "multi-page TIFF: first page
 *                 of 3 used")
 */
public record DecodedImage(int width, int height, int channels, int bitDepth, float[] planes, List<String> warnings) {

    public DecodedImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be >= 1x1; received " + width + "x" + height);
        }
        if (channels < 1 || channels > 4) {
            throw new IllegalArgumentException("channels must be 1..4; received " + channels);
        }
        if (bitDepth < 1 || bitDepth > 16) {
            throw new IllegalArgumentException("bitDepth must be 1..16; received " + bitDepth);
        }
        Objects.requireNonNull(planes, "planes");
        if (planes.length != (long) channels * width * height) {
            throw new IllegalArgumentException("planes must hold channels*height*width = "
                    + ((long) channels * width * height) + " samples; received " + planes.length);
        }
        warnings = List.copyOf(warnings);
    }

    /** The largest value a sample can take: {@code 2^bitDepth - 1} (255 for 8-bit, 65535 for 16-bit). */
    public float maxValue() {
        return (float) ((1 << bitDepth) - 1);
    }

    /** True if the image has an alpha channel (2 or 4 channels). */
    public boolean hasAlpha() {
        return channels == 2 || channels == 4;
    }

    /** One sample. */
    public float sample(int channel, int y, int x) {
        return planes[(channel * height + y) * width + x];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecodedImage d && d.width == width && d.height == height && d.channels == channels
                && d.bitDepth == bitDepth && java.util.Arrays.equals(d.planes, planes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(width, height, channels, bitDepth, java.util.Arrays.hashCode(planes));
    }

    @Override
    public String toString() {
        return "DecodedImage[" + width + "x" + height + "x" + channels + ", " + bitDepth + "-bit"
                + (warnings.isEmpty() ? "" : ", warnings=" + warnings) + "]";
    }
}
