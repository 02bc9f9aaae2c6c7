package io.transfer4j.augmentation;

/**
 * Resampling used to resize an image to the target size. The filters are Pillow's (what Keras' {@code load_img}
 * uses): {@code BILINEAR} and {@code BICUBIC} widen their support when shrinking (antialiased), {@code NEAREST}
 * picks the pixel under the centre of each output pixel.
 */
public enum Interpolation {
    NEAREST, BILINEAR, BICUBIC;

    /** Parses a Keras name ({@code nearest}, {@code bilinear}, {@code bicubic}), case-insensitive. */
    public static Interpolation parse(String name) {
        for (Interpolation i : values()) {
            if (i.name().equalsIgnoreCase(name.trim())) {
                return i;
            }
        }
        throw new IllegalArgumentException("interpolation must be one of nearest, bilinear, bicubic; received '"
                + name + "'");
    }
}
