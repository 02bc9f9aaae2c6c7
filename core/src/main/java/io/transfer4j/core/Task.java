package io.transfer4j.core;

/**
 * What the head predicts, which fixes its output activation and loss.
 *
 * <ul>
 *   <li>{@code MULTICLASS}: exactly one of n >= 2 labels; softmax + multi-class cross-entropy.</li>
 *   <li>{@code BINARY}: one of exactly two labels; one sigmoid output that is the probability of the
 *       <em>second</em> label (index 1) + binary cross-entropy.</li>
 *   <li>{@code MULTILABEL}: any subset of n >= 1 labels; one sigmoid per label + binary cross-entropy.</li>
 * </ul>
 */
public enum Task {
    MULTICLASS, BINARY, MULTILABEL;

    /** Number of output units for {@code labels} labels. */
    public int outputs(int labels) {
        return this == BINARY ? 1 : labels;
    }
}
