package io.transfer4j.spark;

import java.io.Serializable;
import java.util.List;

/**
 * One image's result from {@link SparkPredict}: the top-k labels and probabilities, the embedding when asked
 * for, or the reason the image could not be scored (a bad image is an error row, never a failed job).
 *
 * @param path          the image's path as given (a Hadoop URI or a local path)
 * @param labels        the top-k labels, best first (empty when {@code error} is set)
 * @param probabilities their probabilities, in the same order
 * @param embedding     the backbone's feature vector, or null when not requested or on error
 * @param error         why the image could not be scored, or null
 */
public record ScoreRow(String path, List<String> labels, List<Double> probabilities, float[] embedding,
                       String error) implements Serializable {

    public ScoreRow {
        labels = List.copyOf(labels);
        probabilities = List.copyOf(probabilities);
        if (labels.size() != probabilities.size()) {
            throw new IllegalArgumentException("labels and probabilities differ in length: " + labels.size()
                    + " vs " + probabilities.size());
        }
    }

    public boolean ok() {
        return error == null;
    }

    static ScoreRow failed(String path, String error) {
        return new ScoreRow(path, List.of(), List.of(), null, error);
    }
}
