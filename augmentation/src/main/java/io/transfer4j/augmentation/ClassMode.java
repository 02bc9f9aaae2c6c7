package io.transfer4j.augmentation;

/** Keras {@code class_mode}: what the labels of a batch are. */
public enum ClassMode {
    /** One-hot rows {@code [n, classes]}. */
    CATEGORICAL,
    /** The class index as a float in a {@code [n, 1]} column (Keras yields the index even with more than 2 classes). */
    BINARY,
    /** The class index as a float in a {@code [n, 1]} column. */
    SPARSE,
    /** Labels are a copy of the features (autoencoders). */
    INPUT,
    /** No labels (prediction). */
    NONE
}
