package io.transfer4j.zoo;

/**
 * The shape of one input image as a network sees it: channels, height, width (DL4J's NCHW order without N).
 */
public record InputShape(int channels, int height, int width) {
    public InputShape {
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new IllegalArgumentException("channels must be 1, 3 or 4; received " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("height and width must be >= 1; received " + height + "x" + width);
        }
    }

    public static InputShape rgb(int height, int width) {
        return new InputShape(3, height, width);
    }

    /** e.g. {@code 3x224x224}. */
    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
