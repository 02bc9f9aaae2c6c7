package io.transfer4j.augmentation;

/** Keras {@code fill_mode}: how points outside the image are filled by the affine transform (SciPy's modes). */
public enum FillMode {
    /** {@code kkkkkkkk|abcd|kkkkkkkk} with {@code k = cval}. */
    CONSTANT,
    /** {@code aaaaaaaa|abcd|dddddddd} (the Keras default). */
    NEAREST,
    /** {@code abcddcba|abcd|dcbaabcd}. */
    REFLECT,
    /** {@code abcdabcd|abcd|abcdabcd}. */
    WRAP
}
