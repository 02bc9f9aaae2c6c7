package io.transfer4j.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.Metric;

/** The learning-rate plot draws no diagonal between phases: no series spans two phases. */
class PlotsPhaseTest {

    private static List<EpochRecord> history() {
        List<EpochRecord> h = new ArrayList<>();
        for (int e = 1; e <= 3; e++) {
            h.add(new EpochRecord("head", e, 1.0 / e, 1.1 / e, Map.of(Metric.VAL_ACCURACY, 0.5), 1e-3, 1, 1));
        }
        for (int e = 1; e <= 2; e++) {
            h.add(new EpochRecord("fine-tune-res5", e, 0.2, 0.3, Map.of(Metric.VAL_ACCURACY, 0.9), 1e-5, 1, 1));
        }
        return h;
    }

    @Test
    void everySeriesStaysWithinOnePhase() {
        XYChart lr = Plots.panelChart(history(), "Learning rate", "learning rate", EpochRecord::lr, null, true);
        assertEquals(2, lr.getSeriesMap().size(), lr.getSeriesMap().keySet().toString());
        for (XYSeries s : lr.getSeriesMap().values()) {
            double[] x = s.getXData();
            double[] y = s.getYData();
            for (int i = 1; i < y.length; i++) {
                assertEquals(y[0], y[i], 0, "one rate per phase in series " + s.getName());
            }
            assertTrue(x[x.length - 1] <= 3 || x[0] >= 4, "series " + s.getName() + " crosses the phase boundary");
        }
        XYChart loss = Plots.panelChart(history(), "Loss", "loss", EpochRecord::loss, EpochRecord::valLoss, false);
        assertEquals(4, loss.getSeriesMap().size(), "training and validation, per phase");
        assertEquals(2, loss.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend).count(),
                "one legend entry per curve");
        assertEquals(List.of(0, 3, 3, 5), Plots.phaseRanges(history()).stream()
                .flatMap(r -> java.util.stream.IntStream.of(r).boxed()).toList());
    }
}
