package io.transfer4j.augmentation;

/** Keras {@code color_mode}: how many channels the flow yields. */
public enum ColorMode {
    /** One channel (ITU-R 601-2 luma from RGB, as PIL's {@code convert('L')}). */
    GRAYSCALE(1),
    /** Three channels; gray is replicated, alpha is dropped (as PIL's {@code convert('RGB')}). */
    RGB(3),
    /** Four channels; opaque alpha is added where the file has none. */
    RGBA(4);

    private final int channels;

    ColorMode(int channels) {
        this.channels = channels;
    }

    public int channels() {
        return channels;
    }
}
