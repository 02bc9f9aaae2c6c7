package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void multiclassNumbersMatchHandComputation() {
        // 3 classes; predictions (argmax): a->a, a->b, b->b, b->b, c->a, c->c
        int[] y = {0, 0, 1, 1, 2, 2};
        float[][] p = {
                {0.7f, 0.2f, 0.1f},
                {0.3f, 0.6f, 0.1f},
                {0.1f, 0.8f, 0.1f},
                {0.2f, 0.5f, 0.3f},
                {0.5f, 0.1f, 0.4f},
                {0.1f, 0.2f, 0.7f}};
        Metrics m = Metrics.compute(List.of("a", "b", "c"), y, p, 2);
        assertEquals(4 / 6.0, m.accuracy(), 1e-12);
        assertArrayEquals(new long[][] {{1, 1, 0}, {0, 2, 0}, {1, 0, 1}}, m.confusion());
        // precision a = 1/2, b = 2/3, c = 1/1; recall a = 1/2, b = 1, c = 1/2
        assertEquals(0.5, m.perClass().get(0).precision(), 1e-12);
        assertEquals(2 / 3.0, m.perClass().get(1).precision(), 1e-12);
        assertEquals(1.0, m.perClass().get(2).precision(), 1e-12);
        assertEquals(1.0, m.perClass().get(1).recall(), 1e-12);
        double f1b = 2 * (2 / 3.0) / (2 / 3.0 + 1);
        double f1c = 2 * 0.5 / 1.5;
        assertEquals(f1b, m.perClass().get(1).f1(), 1e-12);
        assertEquals((0.5 + f1b + f1c) / 3, m.macroF1(), 1e-12);
        assertEquals((0.5 * 2 + f1b * 2 + f1c * 2) / 6, m.weightedF1(), 1e-12);
        // top-2: example 4 (class c, 0.4 is 2nd) and example 1 (a, 0.3 is 2nd) are hits -> all 6
        assertEquals(1.0, m.topKAccuracy(), 1e-12);
        double loss = -(Math.log(0.7) + Math.log(0.3) + Math.log(0.8) + Math.log(0.5) + Math.log(0.4)
                + Math.log(0.7)) / 6;
        assertEquals(loss, m.loss(), 1e-6);
        assertEquals(m.accuracy(), m.value(Metric.VAL_ACCURACY));
        assertTrue(m.summary().contains("confusion"));
    }

    @Test
    void binaryAucIsTheRankStatisticWithTies() {
        int[] y = {0, 0, 1, 1};
        // positive-class scores 0.1, 0.4, 0.35, 0.8 -> sklearn roc_auc_score = 0.75
        float[][] p = {{0.9f, 0.1f}, {0.6f, 0.4f}, {0.65f, 0.35f}, {0.2f, 0.8f}};
        Metrics m = Metrics.compute(List.of("neg", "pos"), y, p, 1);
        assertEquals(0.75, m.rocAuc(), 1e-12);
        float[][] tied = {{0.5f, 0.5f}, {0.5f, 0.5f}, {0.5f, 0.5f}, {0.5f, 0.5f}};
        assertEquals(0.5, Metrics.compute(List.of("neg", "pos"), y, tied, 1).rocAuc(), 1e-12);
    }

    @Test
    void oneVsRestAucAveragesOnlyClassesWithBothSides() {
        int[] y = {0, 1, 1};   // class 2 has no positive example: excluded from the mean
        float[][] p = {{0.8f, 0.1f, 0.1f}, {0.2f, 0.7f, 0.1f}, {0.3f, 0.6f, 0.1f}};
        Metrics m = Metrics.compute(List.of("a", "b", "c"), y, p, 1);
        assertTrue(Double.isNaN(m.perClass().get(2).rocAuc()));
        assertEquals(1.0, m.rocAuc(), 1e-12);
        assertEquals(0.0, m.perClass().get(2).precision());
        assertEquals(0, m.perClass().get(2).support());
    }

    @Test
    void samplesAreKeptAndLossIsClippedAsKeras() {
        List<ScoredSample> samples = List.of(new ScoredSample(0, new float[] {1f, 0f}, "a/1.png"),
                new ScoredSample(1, new float[] {1f, 0f}, "b/2.png"));
        Metrics m = Metrics.compute(List.of("a", "b"), samples, 1);
        assertEquals(List.of("a/1.png", "b/2.png"), m.samples().stream().map(ScoredSample::key).toList());
        assertEquals(1, m.samples().get(1).actual());
        assertEquals(0, m.samples().get(1).predicted());
        // p = 1 gives -log(1 - 1e-7), p = 0 gives -log(1e-7), as Keras's clip(eps, 1 - eps)
        assertEquals((-Math.log(1 - 1e-7) - Math.log(1e-7)) / 2, m.loss(), 1e-9);
        assertEquals(m, Metrics.compute(List.of("a", "b"), new int[] {0, 1}, new float[][] {{1f, 0f}, {1f, 0f}}, 1));
        assertEquals(0.5, m.accuracy());
        assertTrue(Double.isNaN(m.value(Metric.ACCURACY)), "training accuracy is not a validation number");
    }

    @Test
    void mismatchedInputIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> Metrics.compute(List.of("a", "b"), new int[] {0}, new float[][] {{1f, 0f, 0f}}, 1));
        assertThrows(IllegalArgumentException.class,
                () -> Metrics.compute(List.of("a", "b"), new int[] {0, 1}, new float[][] {{1f, 0f}}, 1));
    }

    @Test
    void balancedClassWeightsFollowSklearn() {
        double[] w = ClassWeights.balanced().resolve(List.of("a", "b"), new long[] {30, 10});
        assertArrayEquals(new double[] {40 / 60.0, 40 / 20.0}, w, 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassWeights.balanced().resolve(List.of("a", "b"), new long[] {3, 0}));
        assertTrue(e.getMessage().contains("class 'b' has no training example"), e.getMessage());
    }

    @Test
    void explicitClassWeightsNeedEveryLabel() {
        ClassWeights w = ClassWeights.explicit(Map.of("a", 1.0, "b", 3.0));
        assertArrayEquals(new double[] {3.0, 1.0}, w.resolve(List.of("b", "a"), new long[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> w.resolve(List.of("a", "c"), new long[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.explicit(Map.of("a", -1.0)));
    }
}
