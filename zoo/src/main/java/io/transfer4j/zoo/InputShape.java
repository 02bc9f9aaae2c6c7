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

    /**
     * Parses {@code 224} (square RGB), {@code 224x160} (RGB, height x width) or {@code 1x224x224} (channels x
     * height x width).
     */
    public static InputShape parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            return switch (parts.length) {
                case 1 -> rgb(Integer.parseInt(parts[0]), Integer.parseInt(parts[0]));
                case 2 -> rgb(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                case 3 -> new InputShape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                        Integer.parseInt(parts[2]));
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("input shape must be SIZE, HEIGHTxWIDTH or CHANNELSxHEIGHTxWIDTH"
                    + " (e.g. 224, 224x160, 3x224x224); received '" + text + "'");
        }
    }

    /** e.g. {@code 3x224x224}. */
    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
