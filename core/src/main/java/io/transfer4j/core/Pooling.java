package io.transfer4j.core;

/** How a head turns a feature map cut ({@code CutPoint.Kind.FEATURE_MAP}) into a vector. */
public enum Pooling {
    /** Global average pooling over height and width (Keras {@code GlobalAveragePooling2D}). */
    AVG,
    /** Global max pooling over height and width. */
    MAX,
    /** Keep every position: channels x height x width features (depends on the input size). */
    FLATTEN
}
