package io.transfer4j.core;

/**
 * One ranked answer of a {@link Predictor}.
 *
 * @param label       the class label
 * @param index       the label's index in the bundle's label list
 * @param probability in [0, 1]: softmax share (multi-class), sigmoid (binary, multi-label)
 */
public record Prediction(String label, int index, double probability) {
}
