package io.transfer4j.training;

import java.util.Objects;

/**
 * One evaluated example: its true class, the model's probability per class and, where the data knows it, a key
 * naming the example (for folder flows the file path relative to the data root, {@code /}-separated).
 *
 * @param actual        true class index (into the model's labels)
 * @param probabilities one probability per class, in label order (a single-sigmoid model's output is given as
 *                      {@code [1 - p, p]})
 * @param key           the example's name, or null when the data does not name its examples
 */
public record ScoredSample(int actual, float[] probabilities, String key) {

    public ScoredSample {
        Objects.requireNonNull(probabilities, "probabilities");
        probabilities = probabilities.clone();
    }

    @Override
    public float[] probabilities() {
        return probabilities.clone();
    }

    /** The probability of class {@code c}. */
    public float probability(int c) {
        return probabilities[c];
    }

    /** The most probable class (the first of equals). */
    public int predicted() {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Whether the most probable class is the true one. */
    public boolean correct() {
        return predicted() == actual;
    }
}
