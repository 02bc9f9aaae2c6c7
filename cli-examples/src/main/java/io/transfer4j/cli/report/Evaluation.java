package io.transfer4j.cli.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Test-set results as a confusion matrix; accuracy and per-class metrics are derived from it.
 *
 * @param labels    class labels in index order
 * @param confusion {@code confusion[actual][predicted]} counts, square, one row per label
 */
public record Evaluation(List<String> labels, int[][] confusion) {

    public Evaluation {
        labels = List.copyOf(labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("an evaluation needs at least one label; received none");
        }
        if (confusion.length != labels.size()) {
            throw new IllegalArgumentException("confusion matrix has " + confusion.length + " rows; expected one per "
                    + "label (" + labels.size() + ")");
        }
        int[][] copy = new int[confusion.length][];
        for (int i = 0; i < confusion.length; i++) {
            if (confusion[i].length != labels.size()) {
                throw new IllegalArgumentException("confusion matrix row " + i + " has " + confusion[i].length
                        + " columns; expected " + labels.size());
            }
            for (int v : confusion[i]) {
                if (v < 0) {
                    throw new IllegalArgumentException("confusion matrix counts must be >= 0; received " + v);
                }
            }
            copy[i] = confusion[i].clone();
        }
        confusion = copy;
    }

    /** From parallel arrays of actual and predicted class indices. */
    public static Evaluation of(List<String> labels, int[] actual, int[] predicted) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException("actual and predicted differ in length: " + actual.length + " vs "
                    + predicted.length);
        }
        int[][] m = new int[labels.size()][labels.size()];
        for (int i = 0; i < actual.length; i++) {
            m[actual[i]][predicted[i]]++;
        }
        return new Evaluation(labels, m);
    }

    /** From training's test metrics. */
    public static Evaluation of(io.transfer4j.training.Metrics metrics) {
        long[][] c = metrics.confusion();
        int[][] m = new int[c.length][];
        for (int i = 0; i < c.length; i++) {
            m[i] = new int[c[i].length];
            for (int j = 0; j < c[i].length; j++) {
                m[i][j] = Math.toIntExact(c[i][j]);
            }
        }
        return new Evaluation(metrics.labels(), m);
    }

    @Override
    public int[][] confusion() {
        int[][] copy = new int[confusion.length][];
        for (int i = 0; i < confusion.length; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }

    public int total() {
        int n = 0;
        for (int[] row : confusion) {
            for (int v : row) {
                n += v;
            }
        }
        return n;
    }

    public double accuracy() {
        int correct = 0;
        for (int i = 0; i < confusion.length; i++) {
            correct += confusion[i][i];
        }
        int total = total();
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    public List<ClassMetrics> perClass() {
        List<ClassMetrics> out = new ArrayList<>();
        for (int c = 0; c < labels.size(); c++) {
            int tp = confusion[c][c];
            int actual = 0;
            int predicted = 0;
            for (int j = 0; j < labels.size(); j++) {
                actual += confusion[c][j];
                predicted += confusion[j][c];
            }
            double precision = predicted == 0 ? 0 : (double) tp / predicted;
            double recall = actual == 0 ? 0 : (double) tp / actual;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            out.add(new ClassMetrics(labels.get(c), precision, recall, f1, actual));
        }
        return out;
    }

    public double macroF1() {
        return perClass().stream().mapToDouble(ClassMetrics::f1).average().orElse(Double.NaN);
    }
}
