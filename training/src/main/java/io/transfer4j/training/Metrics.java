package io.transfer4j.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Classification metrics on one data set (validation each epoch, test at the end).
 *
 * @param labels            class labels in index order
 * @param examples          number of examples
 * @param loss              mean categorical cross-entropy (no class weights, probabilities clipped to
 *                          [1e-7, 1 - 1e-7], like Keras's val_loss)
 * @param accuracy          top-1 accuracy
 * @param topK              the k of {@code topKAccuracy}
 * @param topKAccuracy      fraction of examples whose class is among the k most probable
 * @param perClass          precision, recall, F1, support and AUC per class
 * @param macroPrecision    unweighted mean over classes
 * @param macroRecall       unweighted mean over classes
 * @param macroF1           unweighted mean over classes
 * @param weightedPrecision mean weighted by support
 * @param weightedRecall    mean weighted by support
 * @param weightedF1        mean weighted by support
 * @param rocAuc            binary: AUC of the positive (second) class; multi-class: macro one-vs-rest AUC over the
 *                          classes that have positives and negatives; NaN when none has
 * @param confusion         {@code confusion[actual][predicted]} counts
 * @param samples           every example the numbers were computed from, in data order: true class,
 *                          probabilities, and the example's key where the data names it (file path); the input of
 *                          the report's most confused images and of further metrics (not part of equality)
 */
public record Metrics(List<String> labels, long examples, double loss, double accuracy, int topK,
                      double topKAccuracy, List<ClassMetrics> perClass, double macroPrecision, double macroRecall,
                      double macroF1, double weightedPrecision, double weightedRecall, double weightedF1,
                      double rocAuc, long[][] confusion, List<ScoredSample> samples) {

    /** Keras's {@code epsilon()}: probabilities are clipped to [EPSILON, 1 - EPSILON] before the log. */
    public static final double EPSILON = 1e-7;

    public Metrics {
        labels = List.copyOf(labels);
        perClass = List.copyOf(perClass);
        confusion = deepCopy(confusion);
        samples = List.copyOf(samples);
    }

    @Override
    public long[][] confusion() {
        return deepCopy(confusion);
    }

    /**
     * Computes every metric from true class indices and predicted probabilities.
     *
     * @param labels        class labels (their count is the number of classes)
     * @param actual        true class index per example
     * @param probabilities per example, one probability per class
     * @param topK          k for top-k accuracy (clamped to the number of classes)
     */
    public static Metrics compute(List<String> labels, int[] actual, float[][] probabilities, int topK) {
        if (probabilities.length != actual.length) {
            throw new IllegalArgumentException("metrics: " + actual.length + " labels but " + probabilities.length
                    + " predictions");
        }
        List<ScoredSample> samples = new ArrayList<>(actual.length);
        for (int i = 0; i < actual.length; i++) {
            samples.add(new ScoredSample(actual[i], probabilities[i], null));
        }
        return compute(labels, samples, topK);
    }

    /**
     * Computes every metric from scored examples (what the evaluator produces); they are kept in
     * {@link #samples()}.
     *
     * @param labels  class labels (their count is the number of classes)
     * @param samples true class and probabilities per example
     * @param topK    k for top-k accuracy (clamped to the number of classes)
     */
    public static Metrics compute(List<String> labels, List<ScoredSample> samples, int topK) {
        int n = samples.size();
        int c = labels.size();
        int[] actual = new int[n];
        float[][] probabilities = new float[n][];
        for (int i = 0; i < n; i++) {
            actual[i] = samples.get(i).actual();
            probabilities[i] = samples.get(i).probabilities();
        }
        if (c < 1) {
            throw new IllegalArgumentException("metrics: at least one class label is needed");
        }
        if (topK < 1) {
            throw new IllegalArgumentException("metrics: topK must be >= 1; received " + topK);
        }
        int k = Math.min(topK, c);
        long[][] confusion = new long[c][c];
        double lossSum = 0;
        long topKHits = 0;
        for (int i = 0; i < n; i++) {
            float[] p = probabilities[i];
            int y = actual[i];
            if (p.length != c || y < 0 || y >= c) {
                throw new IllegalArgumentException("metrics: example " + i + " has " + p.length
                        + " probabilities and class " + y + "; expected " + c + " classes");
            }
            int pred = argmax(p);
            confusion[y][pred]++;
            lossSum += -Math.log(Math.min(Math.max(p[y], EPSILON), 1 - EPSILON));
            int higher = 0;
            for (float v : p) {
                if (v > p[y]) {
                    higher++;
                }
            }
            if (higher < k) {
                topKHits++;
            }
        }
        long correct = 0;
        for (int i = 0; i < c; i++) {
            correct += confusion[i][i];
        }
        List<ClassMetrics> perClass = new ArrayList<>(c);
        double mp = 0, mr = 0, mf = 0, wp = 0, wr = 0, wf = 0;
        double aucSum = 0;
        int aucCount = 0;
        for (int cls = 0; cls < c; cls++) {
            long tp = confusion[cls][cls];
            long support = Arrays.stream(confusion[cls]).sum();
            long predicted = 0;
            for (int a = 0; a < c; a++) {
                predicted += confusion[a][cls];
            }
            double precision = predicted == 0 ? 0 : tp / (double) predicted;
            double recall = support == 0 ? 0 : tp / (double) support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            double auc = c == 1 ? Double.NaN : oneVsRestAuc(actual, probabilities, cls);
            perClass.add(new ClassMetrics(labels.get(cls), precision, recall, f1, support, auc));
            mp += precision;
            mr += recall;
            mf += f1;
            wp += precision * support;
            wr += recall * support;
            wf += f1 * support;
            if (!Double.isNaN(auc)) {
                aucSum += auc;
                aucCount++;
            }
        }
        double rocAuc;
        if (c == 2) {
            rocAuc = perClass.get(1).rocAuc();
        } else {
            rocAuc = aucCount == 0 ? Double.NaN : aucSum / aucCount;
        }
        double nn = n == 0 ? Double.NaN : n;
        return new Metrics(labels, n, lossSum / nn, correct / nn, k, topKHits / nn, perClass, mp / c, mr / c,
                mf / c, wp / nn, wr / nn, wf / nn, rocAuc, confusion, samples);
    }

    /** The value of a validation metric (or NaN for training-set metrics, which are not computed here). */
    public double value(Metric metric) {
        return switch (metric) {
            case VAL_LOSS -> loss;
            case VAL_ACCURACY -> accuracy;
            case VAL_TOP_K_ACCURACY -> topKAccuracy;
            case VAL_MACRO_PRECISION -> macroPrecision;
            case VAL_MACRO_RECALL -> macroRecall;
            case VAL_MACRO_F1 -> macroF1;
            case VAL_WEIGHTED_F1 -> weightedF1;
            case VAL_ROC_AUC -> rocAuc;
            case LOSS, ACCURACY -> Double.NaN;
        };
    }

    /** A short text table: overall numbers, then one line per class, then the confusion matrix. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("examples %d  loss %.4f  accuracy %.4f  top-%d %.4f  macro-F1 %.4f  weighted-F1 %.4f"
                + "  ROC AUC %.4f%n", examples, loss, accuracy, topK, topKAccuracy, macroF1, weightedF1, rocAuc));
        int w = Math.max(8, labels.stream().mapToInt(String::length).max().orElse(8));
        sb.append(String.format("%-" + w + "s %9s %9s %9s %8s %9s%n", "class", "precision", "recall", "f1",
                "support", "auc"));
        for (ClassMetrics m : perClass) {
            sb.append(String.format("%-" + w + "s %9.4f %9.4f %9.4f %8d %9.4f%n", m.label(), m.precision(),
                    m.recall(), m.f1(), m.support(), m.rocAuc()));
        }
        sb.append("confusion (rows actual, columns predicted):\n");
        for (int i = 0; i < confusion.length; i++) {
            sb.append(String.format("%-" + w + "s", labels.get(i)));
            for (long v : confusion[i]) {
                sb.append(String.format(" %6d", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Metrics m && labels.equals(m.labels) && examples == m.examples
                && Double.compare(loss, m.loss) == 0 && Double.compare(accuracy, m.accuracy) == 0
                && perClass.equals(m.perClass) && Arrays.deepEquals(confusion, m.confusion)
                && Double.compare(rocAuc, m.rocAuc) == 0 && topK == m.topK
                && Double.compare(topKAccuracy, m.topKAccuracy) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(labels, examples, loss, accuracy, perClass, Arrays.deepHashCode(confusion));
    }

    @Override
    public String toString() {
        return summary();
    }

    /** Mann-Whitney U statistic with average ranks for ties. */
    static double oneVsRestAuc(int[] actual, float[][] probabilities, int cls) {
        int n = actual.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(probabilities[a][cls], probabilities[b][cls]));
        double[] rank = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            float v = probabilities[order[i]][cls];
            while (j + 1 < n && probabilities[order[j + 1]][cls] == v) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) {
                rank[order[t]] = avg;
            }
            i = j + 1;
        }
        long pos = 0;
        double rankSum = 0;
        for (int e = 0; e < n; e++) {
            if (actual[e] == cls) {
                pos++;
                rankSum += rank[e];
            }
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / (pos * (double) neg);
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    private static long[][] deepCopy(long[][] a) {
        long[][] copy = new long[a.length][];
        for (int i = 0; i < a.length; i++) {
            copy[i] = a[i].clone();
        }
        return copy;
    }
}
