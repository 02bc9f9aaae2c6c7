package io.transfer4j.training;

/**
 * One class's numbers.
 *
 * @param label     the class label
 * @param precision true positives / predicted positives (0 when nothing was predicted as this class)
 * @param recall    true positives / actual positives (0 when the class has no examples)
 * @param f1        harmonic mean of precision and recall
 * @param support   number of examples of this class
 * @param rocAuc    one-vs-rest ROC AUC, NaN when the class has no positive or no negative example
 */
public record ClassMetrics(String label, double precision, double recall, double f1, long support, double rocAuc) {
}
