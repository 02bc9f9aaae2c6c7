package io.transfer4j.cli.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** The search plots: trials over time with the best so far, and the metric against each parameter. */
class PlotsTuneTest {

    private static final List<Plots.TrialCurve> TRIALS = List.of(
            new Plots.TrialCurve(0, "complete", new double[] {1, 2, 3}, new double[] {0.5, 0.6, 0.7}),
            new Plots.TrialCurve(1, "pruned", new double[] {4}, new double[] {0.4}),
            new Plots.TrialCurve(2, "complete", new double[] {5, 6}, new double[] {0.65, 0.8}),
            new Plots.TrialCurve(3, "failed", new double[] {7}, new double[] {Double.NaN}));

    @Test
    void theBestSoFarStepsUpOnlyWhenATrialBeatsIt() {
        XYChart c = Plots.trialsChart("val_accuracy", false, TRIALS);
        XYSeries best = c.getSeriesMap().get("best so far");
        assertArrayEquals(new double[] {1, 2, 2, 3, 3, 6, 6, 6}, best.getXData(), 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5, 0.6, 0.6, 0.7, 0.7, 0.8, 0.8}, best.getYData(), 1e-12);
        // one line per trial that recorded something; the legend names each status once
        assertEquals(3, c.getSeriesMap().values().stream().filter(s -> s.getName().startsWith("trial")).count());
        assertEquals(List.of("complete", "pruned", "best so far"), c.getSeriesMap().values().stream()
                .filter(XYSeries::isShowInLegend).map(XYSeries::getLabel).toList());
    }

    @Test
    void forALossTheBestSoFarIsTheMinimum() {
        XYChart c = Plots.trialsChart("val_loss", true, TRIALS);
        double[] y = c.getSeriesMap().get("best so far").getYData();
        assertEquals(0.4, y[y.length - 1], 1e-12);
    }

    @Test
    void parametersPlotNumbersOnTheirScaleAndOthersAsCategories() {
        double[] metric = {0.7, 0.4, 0.8, Double.NaN};
        List<String> status = TRIALS.stream().map(Plots.TrialCurve::status).toList();
        XYChart lr = Plots.parameterChart("val_accuracy", new Plots.ParameterPoints("headLearningRate", true,
                Arrays.asList(1e-3, 1e-2, 3e-4, 1e-1), metric, status), 450, 260);
        assertTrue(lr.getStyler().isXAxisLogarithmic());
        assertArrayEquals(new double[] {1e-3, 3e-4}, lr.getSeriesMap().get("complete").getXData(), 1e-12);
        assertEquals(null, lr.getSeriesMap().get("failed"), "a trial without a metric is not drawn");

        XYChart unfreeze = Plots.parameterChart("val_accuracy", new Plots.ParameterPoints("unfreeze", false,
                Arrays.asList("none", "res5", "none", "res4"), metric, status), 450, 260);
        assertArrayEquals(new double[] {0, 0}, unfreeze.getSeriesMap().get("complete").getXData(), 1e-12);
        assertArrayEquals(new double[] {1}, unfreeze.getSeriesMap().get("pruned").getXData(), 1e-12);
        assertEquals("res5", unfreeze.getStyler().getxAxisTickLabelsFormattingFunction().apply(1.0));
        assertEquals("unfreeze: none | res5 | res4", unfreeze.getXAxisTitle(), "the categories left to right");
        assertEquals("", unfreeze.getStyler().getxAxisTickLabelsFormattingFunction().apply(0.5));

        BufferedImage grid = Plots.metricByParameter("val_accuracy", List.of(
                new Plots.ParameterPoints("a", false, Arrays.asList(1, 2, 3, 4), metric, status),
                new Plots.ParameterPoints("b", false, Arrays.asList(true, false, true, true), metric, status),
                new Plots.ParameterPoints("c", false, Arrays.asList(16, 32, 16, 32), metric, status)));
        assertEquals(2 * 260, grid.getHeight(), "three panels, two per row");
        assertThrows(IllegalArgumentException.class, () -> Plots.metricByParameter("m", List.of()));
    }
}
