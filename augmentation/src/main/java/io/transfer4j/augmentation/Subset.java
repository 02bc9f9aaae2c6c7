package io.transfer4j.augmentation;

/** Keras {@code subset} together with {@code validation_split}. */
public enum Subset {
    /** Every file (no split). */
    ALL,
    /** The last {@code 1 - validationSplit} share of each class's sorted file list. */
    TRAINING,
    /** The first {@code validationSplit} share of each class's sorted file list; never augmented. */
    VALIDATION
}
