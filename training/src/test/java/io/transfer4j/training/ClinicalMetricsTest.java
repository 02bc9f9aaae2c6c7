package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Clinical metrics from per-sample outputs, on hand-computed cases. */
class ClinicalMetricsTest {

    /** positives score 0.95, 0.85, 0.45; negatives 0.75, 0.35, 0.25, 0.15 (class 1 = "malignant" is positive). */
    static Metrics example() {
        double[] pos = {0.95, 0.85, 0.45};
        double[] neg = {0.75, 0.35, 0.25, 0.15};
        List<ScoredSample> s = new ArrayList<>();
        for (double p : pos) {
            s.add(new ScoredSample(1, new float[] {(float) (1 - p), (float) p}, null));
        }
        for (double p : neg) {
            s.add(new ScoredSample(0, new float[] {(float) (1 - p), (float) p}, null));
        }
        return Metrics.compute(List.of("benign", "malignant"), s, 1);
    }

    @Test
    void countsRatesAreasAndThresholdSelection() {
        Metrics m = example();
        int pos = ClinicalMetrics.indexOf(m, "malignant");
        ClinicalMetrics c = ClinicalMetrics.of(m, pos, 0.449, "fixed", 200, 1);
        assertEquals(3, c.tp());
        assertEquals(1, c.fp());
        assertEquals(3, c.tn());
        assertEquals(0, c.fn());
        assertEquals(1.0, c.sensitivity(), 1e-12);
        assertEquals(0.75, c.specificity(), 1e-12);
        assertEquals(0.75, c.ppv(), 1e-12);
        assertEquals(1.0, c.npv(), 1e-12);
        // 11 of 12 positive-negative pairs ordered correctly
        assertEquals(11.0 / 12, c.rocAuc(), 1e-6);
        // precision at each positive: 1, 1, 3/4
        assertEquals((1 + 1 + 0.75) / 3, c.averagePrecision(), 1e-6);
        assertEquals(m.rocAuc(), c.rocAuc(), 1e-6, "the same AUC as Metrics");
        assertTrue(c.rocAucCi()[0] <= c.rocAuc() && c.rocAuc() <= c.rocAucCi()[1], c.toString());
        assertTrue(c.rocAucCi()[0] < c.rocAucCi()[1]);
        // ROC: starts at (0,0), ends at (1,1)
        assertEquals(0, c.roc().x()[0]);
        assertEquals(1, c.roc().x()[c.roc().x().length - 1], 1e-12);
        assertEquals(1, c.roc().y()[c.roc().y().length - 1], 1e-12);
        // Youden: J(0.85) = 2/3, J(0.45) = 0.75 -> 0.45; sensitivity >= 0.6 -> highest such threshold 0.85
        assertEquals(0.45, ClinicalMetrics.youdenThreshold(m, pos), 1e-6);
        assertEquals(0.85, ClinicalMetrics.thresholdForSensitivity(m, pos, 0.6), 1e-6);
        assertEquals(0.45, ClinicalMetrics.thresholdForSensitivity(m, pos, 1.0), 1e-6);
        ClinicalMetrics strict = ClinicalMetrics.of(m, pos, 0.9, "fixed", 0, 1);
        assertEquals(1.0 / 3, strict.sensitivity(), 1e-12);
        assertEquals(1.0, strict.specificity(), 1e-12);
        assertTrue(Double.isNaN(strict.rocAucCi()[0]), "no bootstrap asked");
    }

    @Test
    void calibrationBinsAndEce() {
        Metrics m = example();
        ClinicalMetrics.Calibration cal = ClinicalMetrics.of(m, 1, 0.5, "fixed", 0, 1).calibration();
        // bins of 0.1: each score in its own bin
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1}, cal.counts());
        double ece = (0.15 + 0.25 + 0.35 + 0.55 + 0.75 + 0.15 + 0.05) / 7;
        assertEquals(ece, cal.ece(), 1e-6);
        // perfectly calibrated in expectation: large sample drawn with p = score has a small ECE
        Random r = new Random(3);
        List<ScoredSample> s = new ArrayList<>();
        for (int i = 0; i < 20000; i++) {
            float p = r.nextFloat();
            s.add(new ScoredSample(r.nextFloat() < p ? 1 : 0, new float[] {1 - p, p}, null));
        }
        ClinicalMetrics big = ClinicalMetrics.of(Metrics.compute(List.of("a", "b"), s, 1), 1, 0.5, "fixed", 50, 2);
        assertTrue(big.calibration().ece() < 0.02, "ECE " + big.calibration().ece());
        assertTrue(big.rocAucCi()[1] - big.rocAucCi()[0] < 0.03, "CI narrows with n");
    }

    @Test
    void oneVsRestAndBadInput() {
        List<ScoredSample> s = List.of(
                new ScoredSample(0, new float[] {0.8f, 0.1f, 0.1f}, null),
                new ScoredSample(1, new float[] {0.2f, 0.7f, 0.1f}, null),
                new ScoredSample(2, new float[] {0.1f, 0.5f, 0.4f}, null),
                new ScoredSample(2, new float[] {0.1f, 0.1f, 0.8f}, null));
        Metrics m = Metrics.compute(List.of("a", "b", "c"), s, 1);
        List<ClinicalMetrics> ovr = ClinicalMetrics.oneVsRest(m, 0, 1);
        assertEquals(3, ovr.size());
        assertEquals("c", ovr.get(2).positive());
        assertEquals(0.5, ovr.get(2).sensitivity(), 1e-12, "one of two c's is the most probable class");
        assertEquals(2.0 / 3, ovr.get(1).specificity(), 1e-12, "one non-b called b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClinicalMetrics.indexOf(m, "d"));
        assertTrue(e.getMessage().contains("[a, b, c]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClinicalMetrics.of(m, 0, 1.5, "fixed", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ClinicalMetrics.thresholdForSensitivity(m, 0, 0));
    }
}
