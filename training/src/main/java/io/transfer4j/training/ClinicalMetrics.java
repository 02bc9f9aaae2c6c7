package io.transfer4j.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What a clinical reader asks of a classifier for one class against the rest, computed from the per-sample outputs
 * of {@link Metrics#samples()} (no second evaluation loop): sensitivity, specificity, PPV and NPV at a threshold;
 * ROC and precision-recall curves with their areas and seeded bootstrap 95 % confidence intervals; a reliability
 * (calibration) curve with the expected calibration error.
 *
 * <p>The score of a sample is its probability of the positive class. A sample is called positive when that
 * probability is {@code >= threshold}; with {@code threshold} NaN ({@link #oneVsRest}), when the positive class is
 * the most probable one (the model's own decision).
 *
 * @param positive      the positive class label
 * @param threshold     the decision threshold (NaN: most probable class)
 * @param thresholdRule how the threshold was chosen (e.g. {@code fixed}, {@code youden on validation})
 * @param tp            true positives
 * @param fp            false positives
 * @param tn            true negatives
 * @param fn            false negatives
 * @param sensitivity   TP / (TP + FN) (recall); NaN without positives
 * @param specificity   TN / (TN + FP); NaN without negatives
 * @param ppv           TP / (TP + FP) (precision); NaN when nothing is called positive
 * @param npv           TN / (TN + FN); NaN when nothing is called negative
 * @param roc           ROC curve: x = false positive rate, y = true positive rate, by decreasing threshold
 * @param rocAuc        area under the ROC curve (Mann-Whitney, ties count half); NaN without both classes
 * @param rocAucCi      bootstrap 95 % interval {low, high} of the ROC AUC (NaN when undefined)
 * @param pr            precision-recall curve: x = recall, y = precision, by decreasing threshold
 * @param averagePrecision area under the PR curve as scikit-learn's average precision (step-wise)
 * @param averagePrecisionCi bootstrap 95 % interval of the average precision
 * @param calibration   reliability curve and expected calibration error of the positive-class probability
 * @param bootstrap     bootstrap resamples used for the intervals
 * @param seed          bootstrap seed
 */
public record ClinicalMetrics(String positive, double threshold, String thresholdRule, long tp, long fp, long tn,
                              long fn, double sensitivity, double specificity, double ppv, double npv, Curve roc,
                              double rocAuc, double[] rocAucCi, Curve pr, double averagePrecision,
                              double[] averagePrecisionCi, Calibration calibration, int bootstrap, long seed) {

    /** Default number of bootstrap resamples. */
    public static final int BOOTSTRAP = 1000;

    /** A curve: points (x[i], y[i]) reached at threshold[i]. */
    public record Curve(double[] x, double[] y, double[] thresholds) {
    }

    /**
     * A reliability curve over equal-width probability bins.
     *
     * @param meanPredicted mean predicted probability per non-empty bin
     * @param observed      fraction of positives per non-empty bin
     * @param counts        samples per non-empty bin
     * @param ece           expected calibration error: sum over bins of (count / n) * |observed - mean predicted|
     */
    public record Calibration(double[] meanPredicted, double[] observed, long[] counts, double ece) {
    }

    /** The positive class's index in {@code m}'s labels; a clear error naming the labels when unknown. */
    public static int indexOf(Metrics m, String positive) {
        int i = m.labels().indexOf(positive);
        if (i < 0) {
            throw new IllegalArgumentException("positive class '" + positive + "' is not a label; labels: "
                    + m.labels());
        }
        return i;
    }

    /**
     * Binary metrics of class {@code positive} at {@code threshold} (in [0, 1]).
     *
     * @param bootstrap resamples for the confidence intervals (>= 0; 0 = no intervals)
     */
    public static ClinicalMetrics of(Metrics m, int positive, double threshold, String rule, int bootstrap,
                                     long seed) {
        if (!Double.isNaN(threshold) && !(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in [0, 1]; received " + threshold);
        }
        if (bootstrap < 0) {
            throw new IllegalArgumentException("bootstrap resamples must be >= 0; received " + bootstrap);
        }
        if (positive < 0 || positive >= m.labels().size()) {
            throw new IllegalArgumentException("positive class index must be in 0.." + (m.labels().size() - 1)
                    + " " + m.labels() + "; received " + positive);
        }
        List<ScoredSample> s = m.samples();
        int n = s.size();
        double[] score = new double[n];
        boolean[] y = new boolean[n];
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (int i = 0; i < n; i++) {
            ScoredSample x = s.get(i);
            score[i] = x.probability(positive);
            y[i] = x.actual() == positive;
            boolean called = Double.isNaN(threshold) ? x.predicted() == positive : score[i] >= threshold;
            if (called && y[i]) {
                tp++;
            } else if (called) {
                fp++;
            } else if (y[i]) {
                fn++;
            } else {
                tn++;
            }
        }
        double auc = auc(score, y);
        double ap = averagePrecision(score, y);
        double[][] ci = bootstrap(score, y, bootstrap, seed);
        return new ClinicalMetrics(m.labels().get(positive), threshold, rule, tp, fp, tn, fn, ratio(tp, tp + fn),
                ratio(tn, tn + fp), ratio(tp, tp + fp), ratio(tn, tn + fn), roc(score, y), auc, ci[0], pr(score, y),
                ap, ci[1], calibration(score, y, 10), bootstrap, seed);
    }

    /** One-vs-rest metrics of every class, each at the model's own decision (most probable class). */
    public static List<ClinicalMetrics> oneVsRest(Metrics m, int bootstrap, long seed) {
        List<ClinicalMetrics> out = new ArrayList<>();
        for (int c = 0; c < m.labels().size(); c++) {
            out.add(of(m, c, Double.NaN, "most probable class", bootstrap, seed));
        }
        return out;
    }

    /** The threshold maximising Youden's J = sensitivity + specificity - 1 on {@code m} (use validation data). */
    public static double youdenThreshold(Metrics m, int positive) {
        double[][] r = sortedThresholds(m, positive);
        double best = 0.5;
        double bestJ = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < r[0].length; i++) {
            double j = r[1][i] - r[2][i];
            if (j > bestJ) {
                bestJ = j;
                best = r[0][i];
            }
        }
        return best;
    }

    /**
     * The highest threshold whose sensitivity on {@code m} (use validation data) is at least {@code target}: the
     * most specific operating point that still finds that share of positives.
     */
    public static double thresholdForSensitivity(Metrics m, int positive, double target) {
        if (!(target > 0 && target <= 1)) {
            throw new IllegalArgumentException("target sensitivity must be in (0, 1]; received " + target);
        }
        double[][] r = sortedThresholds(m, positive);
        for (int i = 0; i < r[0].length; i++) {
            if (r[1][i] >= target - 1e-12) {
                return r[0][i];
            }
        }
        return 0;
    }

    /** Distinct thresholds (decreasing) with the TPR and FPR of calling {@code >= threshold} positive. */
    private static double[][] sortedThresholds(Metrics m, int positive) {
        List<ScoredSample> s = m.samples();
        double[] score = new double[s.size()];
        boolean[] y = new boolean[s.size()];
        for (int i = 0; i < score.length; i++) {
            score[i] = s.get(i).probability(positive);
            y[i] = s.get(i).actual() == positive;
        }
        Curve roc = roc(score, y);
        // drop the (0, 0) start point at threshold +inf
        return new double[][] {Arrays.copyOfRange(roc.thresholds(), 1, roc.thresholds().length),
                Arrays.copyOfRange(roc.y(), 1, roc.y().length), Arrays.copyOfRange(roc.x(), 1, roc.x().length)};
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    private static Integer[] order(double[] score) {
        Integer[] idx = new Integer[score.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(score[b], score[a]));
        return idx;
    }

    /** Cumulative {tp, fp, threshold} at each distinct score, by decreasing score. */
    private static List<double[]> steps(double[] score, boolean[] y) {
        Integer[] idx = order(score);
        List<double[]> out = new ArrayList<>();
        long tp = 0;
        long fp = 0;
        for (int k = 0; k < idx.length; k++) {
            if (y[idx[k]]) {
                tp++;
            } else {
                fp++;
            }
            if (k == idx.length - 1 || score[idx[k + 1]] != score[idx[k]]) {
                out.add(new double[] {tp, fp, score[idx[k]]});
            }
        }
        return out;
    }

    private static long positives(boolean[] y) {
        long pos = 0;
        for (boolean b : y) {
            pos += b ? 1 : 0;
        }
        return pos;
    }

    /** ROC curve points at each distinct score (decreasing), starting at (0, 0). */
    static Curve roc(double[] score, boolean[] y) {
        long pos = positives(y);
        long neg = y.length - pos;
        List<double[]> pts = new ArrayList<>();
        pts.add(new double[] {0, 0, Double.POSITIVE_INFINITY});
        for (double[] st : steps(score, y)) {
            pts.add(new double[] {neg == 0 ? Double.NaN : st[1] / neg, pos == 0 ? Double.NaN : st[0] / pos, st[2]});
        }
        return curve(pts);
    }

    /** Precision-recall points at each distinct score (decreasing). */
    static Curve pr(double[] score, boolean[] y) {
        long pos = positives(y);
        List<double[]> pts = new ArrayList<>();
        for (double[] st : steps(score, y)) {
            pts.add(new double[] {pos == 0 ? Double.NaN : st[0] / pos, st[0] / (st[0] + st[1]), st[2]});
        }
        return curve(pts);
    }

    private static Curve curve(List<double[]> pts) {
        double[] x = new double[pts.size()];
        double[] yy = new double[pts.size()];
        double[] t = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i)[0];
            yy[i] = pts.get(i)[1];
            t[i] = pts.get(i)[2];
        }
        return new Curve(x, yy, t);
    }

    /** Mann-Whitney AUC with average ranks for ties; NaN without both classes. */
    static double auc(double[] score, boolean[] y) {
        int n = score.length;
        Integer[] idx = order(score);
        double[] rank = new double[n];
        // ascending ranks: idx is descending
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && score[idx[j + 1]] == score[idx[i]]) {
                j++;
            }
            double r = n - (i + j) / 2.0; // average ascending rank of positions i..j (1-based)
            for (int k = i; k <= j; k++) {
                rank[idx[k]] = r;
            }
            i = j + 1;
        }
        long pos = 0;
        double sum = 0;
        for (int k = 0; k < n; k++) {
            if (y[k]) {
                pos++;
                sum += rank[k];
            }
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (sum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** scikit-learn's average precision: sum over thresholds of (recall step) * precision. */
    static double averagePrecision(double[] score, boolean[] y) {
        Curve c = pr(score, y);
        if (c.x().length == 0 || Double.isNaN(c.x()[0])) {
            return Double.NaN;
        }
        double ap = 0;
        double prevRecall = 0;
        for (int i = 0; i < c.x().length; i++) {
            ap += (c.x()[i] - prevRecall) * c.y()[i];
            prevRecall = c.x()[i];
        }
        return ap;
    }

    /** Percentile bootstrap 95 % intervals of {AUC, AP}; resamples without both classes are skipped. */
    static double[][] bootstrap(double[] score, boolean[] y, int resamples, long seed) {
        double[][] nan = {{Double.NaN, Double.NaN}, {Double.NaN, Double.NaN}};
        int n = score.length;
        if (resamples == 0 || n == 0) {
            return nan;
        }
        Random r = new Random(seed);
        double[] aucs = new double[resamples];
        double[] aps = new double[resamples];
        int kept = 0;
        double[] s = new double[n];
        boolean[] t = new boolean[n];
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < n; i++) {
                int k = r.nextInt(n);
                s[i] = score[k];
                t[i] = y[k];
            }
            double a = auc(s, t);
            if (!Double.isNaN(a)) {
                aucs[kept] = a;
                aps[kept] = averagePrecision(s, t);
                kept++;
            }
        }
        if (kept < 10) {
            return nan;
        }
        return new double[][] {percentiles(Arrays.copyOf(aucs, kept)), percentiles(Arrays.copyOf(aps, kept))};
    }

    private static double[] percentiles(double[] v) {
        Arrays.sort(v);
        return new double[] {quantile(v, 0.025), quantile(v, 0.975)};
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Reliability over {@code bins} equal-width bins of [0, 1] (the last bin includes 1). */
    static Calibration calibration(double[] score, boolean[] y, int bins) {
        double[] sumP = new double[bins];
        double[] sumY = new double[bins];
        long[] count = new long[bins];
        for (int i = 0; i < score.length; i++) {
            int b = Math.min(bins - 1, (int) Math.floor(score[i] * bins));
            b = Math.max(0, b);
            sumP[b] += score[i];
            sumY[b] += y[i] ? 1 : 0;
            count[b]++;
        }
        List<double[]> rows = new ArrayList<>();
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (count[b] > 0) {
                double mp = sumP[b] / count[b];
                double ob = sumY[b] / count[b];
                rows.add(new double[] {mp, ob, count[b]});
                ece += (double) count[b] / score.length * Math.abs(ob - mp);
            }
        }
        double[] mp = new double[rows.size()];
        double[] ob = new double[rows.size()];
        long[] c = new long[rows.size()];
        for (int i = 0; i < mp.length; i++) {
            mp[i] = rows.get(i)[0];
            ob[i] = rows.get(i)[1];
            c[i] = (long) rows.get(i)[2];
        }
        return new Calibration(mp, ob, c, score.length == 0 ? Double.NaN : ece);
    }
}
