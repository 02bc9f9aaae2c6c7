package io.transfer4j.cli.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import javax.imageio.ImageIO;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.Metric;
import io.transfer4j.training.Metrics;

/**
 * Run plots drawn with XChart, headless: the learning curve (loss, accuracy and learning rate per epoch, training
 * vs validation, phase boundaries marked) and the confusion matrix.
 */
public final class Plots {

    private static final int WIDTH = 900;
    private static final int PANEL_HEIGHT = 280;
    private static final Color TRAIN = new Color(31, 119, 180);
    private static final Color VALIDATION = new Color(255, 127, 14);
    private static final Color LR = new Color(44, 160, 44);
    private static final Color BOUNDARY = new Color(120, 120, 120);

    private Plots() {
    }

    /**
     * The learning curve: three stacked panels (loss, accuracy, learning rate) over the epochs of all phases, with
     * a dashed line where a phase starts and the phase's name at the top.
     */
    public static BufferedImage learningCurve(List<EpochRecord> history) {
        if (history.isEmpty()) {
            throw new IllegalArgumentException("a learning curve needs at least one epoch; the history is empty");
        }
        List<BufferedImage> panels = new ArrayList<>();
        ToDoubleFunction<EpochRecord> accuracy = h -> h.value(Metric.ACCURACY);
        ToDoubleFunction<EpochRecord> valAccuracy = h -> h.value(Metric.VAL_ACCURACY);
        panels.add(panel(history, "Loss", "loss", EpochRecord::loss, EpochRecord::valLoss, false));
        if (history.stream().anyMatch(h -> !Double.isNaN(accuracy.applyAsDouble(h))
                || !Double.isNaN(valAccuracy.applyAsDouble(h)))) {
            panels.add(panel(history, "Accuracy", "accuracy", accuracy, valAccuracy, false));
        }
        if (history.stream().allMatch(h -> h.lr() > 0)) {
            panels.add(panel(history, "Learning rate", "learning rate", EpochRecord::lr, null, true));
        }
        BufferedImage all = new BufferedImage(WIDTH, PANEL_HEIGHT * panels.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(panels.get(i), 0, i * PANEL_HEIGHT, null);
        }
        g.dispose();
        return all;
    }

    private static BufferedImage panel(List<EpochRecord> history, String title, String yLabel,
                                       ToDoubleFunction<EpochRecord> train, ToDoubleFunction<EpochRecord> val,
                                       boolean log) {
        return BitmapEncoder.getBufferedImage(panelChart(history, title, yLabel, train, val, log));
    }

    /** The epochs of each phase, as [from, to) index ranges of the history, in order. */
    static List<int[]> phaseRanges(List<EpochRecord> history) {
        List<int[]> ranges = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 1; i <= history.size(); i++) {
            if (i == history.size() || !history.get(i).phase().equals(history.get(start).phase())) {
                ranges.add(new int[] {start, i});
                start = i;
            }
        }
        return ranges;
    }

    /**
     * One panel's chart. Each phase is its own series (one legend entry per curve), so no line joins the last
     * epoch of a phase to the first of the next: the learning rate steps down at a phase boundary instead of
     * drawing a diagonal that was never a rate.
     */
    static XYChart panelChart(List<EpochRecord> history, String title, String yLabel,
                         ToDoubleFunction<EpochRecord> train, ToDoubleFunction<EpochRecord> val, boolean log) {
        XYChart chart = chart(WIDTH, PANEL_HEIGHT, title, "epoch (all phases)", yLabel,
                Styler.LegendPosition.OutsideE);
        var st = chart.getStyler();
        st.setYAxisLogarithmic(log);
        st.setXAxisDecimalPattern("0");
        st.setYAxisDecimalPattern(log ? "0.0E0" : "0.###");
        st.setAnnotationLineColor(BOUNDARY);
        st.setAnnotationTextFontColor(BOUNDARY);
        st.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        double[] x = new double[history.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        double hi = Double.NEGATIVE_INFINITY;
        boolean any = false;
        for (int k = 0; k < 2; k++) {
            ToDoubleFunction<EpochRecord> f = k == 0 ? train : val;
            if (f == null) {
                continue;
            }
            double[] y = history.stream().mapToDouble(f).toArray();
            boolean present = false;
            for (double v : y) {
                if (Double.isFinite(v)) {
                    present = true;
                    hi = Math.max(hi, v);
                }
            }
            if (!present) {
                continue;
            }
            any = true;
            String name = val == null ? yLabel : k == 0 ? "training" : "validation";
            List<int[]> ranges = phaseRanges(history);
            for (int p = 0; p < ranges.size(); p++) {
                int[] r = ranges.get(p);
                if (java.util.Arrays.stream(y, r[0], r[1]).noneMatch(Double::isFinite)) {
                    continue; // nothing recorded in this phase
                }
                XYSeries s = chart.addSeries(p == 0 ? name : name + " (" + history.get(r[0]).phase() + ")",
                        java.util.Arrays.copyOfRange(x, r[0], r[1]), java.util.Arrays.copyOfRange(y, r[0], r[1]));
                s.setLineColor(k == 0 ? (val == null ? LR : TRAIN) : VALIDATION);
                s.setMarkerColor(k == 0 ? (val == null ? LR : TRAIN) : VALIDATION);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setShowInLegend(chart.getSeriesMap().size() == 1 || p == 0);
            }
        }
        if (!any) {
            chart.addSeries("(not recorded)", new double[] {1}, new double[] {0});
            hi = 0;
        }
        // phase boundaries and names
        int start = 0;
        for (int i = 1; i <= history.size(); i++) {
            if (i == history.size() || !history.get(i).phase().equals(history.get(start).phase())) {
                if (start > 0) {
                    chart.addAnnotation(new AnnotationLine(start + 0.5, true, false));
                }
                double mid = (start + 1 + i) / 2.0;
                chart.addAnnotation(new AnnotationText(history.get(start).phase(), mid, hi, false));
                start = i;
            }
        }
        return chart;
    }

    /**
     * The confusion matrix as a heat map: actual class down the side, predicted class along the top; each cell
     * shows the count and the share of its row, shaded by that share. Drawn with Java2D (XChart 3.8.8's heat map
     * paints nothing when its axes are categories).
     */
    public static BufferedImage confusionMatrix(Metrics eval) {
        List<String> labels = eval.labels();
        int n = labels.size();
        long[][] m = eval.confusion();
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        Font cellFont = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 15);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        int labelWidth = 0;
        for (String l : labels) {
            labelWidth = Math.max(labelWidth, pg.getFontMetrics(labelFont).stringWidth(l));
        }
        pg.dispose();
        int cell = Math.max(56, Math.min(90, 640 / n));
        int left = 40 + labelWidth + 12;
        int top = 60 + labelWidth + 12;
        int width = Math.max(left + n * cell + 30, 420);
        int height = top + n * cell + 30;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(titleFont);
        g.drawString(String.format(java.util.Locale.ROOT, "Confusion matrix - test accuracy %.1f %% (%d images)",
                100 * eval.accuracy(), eval.examples()), 12, 22);
        g.setFont(labelFont);
        g.drawString("predicted \u2192", left, 44);
        // "actual" written downwards along the left edge
        java.awt.geom.AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString("actual \u2192", -(top + n * cell), 24);
        g.setTransform(saved);
        for (int i = 0; i < n; i++) {
            int w = g.getFontMetrics().stringWidth(labels.get(i));
            g.setColor(Color.BLACK);
            g.drawString(labels.get(i), left - 8 - w, top + i * cell + cell / 2 + 5);
            saved = g.getTransform();
            g.translate(left + i * cell + cell / 2 + 5, top - 8);
            g.rotate(-Math.PI / 2);
            g.drawString(labels.get(i), 0, 0);
            g.setTransform(saved);
        }
        for (int a = 0; a < n; a++) {
            long rowTotal = 0;
            for (long v : m[a]) {
                rowTotal += v;
            }
            for (int p = 0; p < n; p++) {
                double share = rowTotal == 0 ? 0 : (double) m[a][p] / rowTotal;
                Color c = shade(share);
                g.setColor(c);
                g.fillRect(left + p * cell, top + a * cell, cell, cell);
                g.setColor(new Color(200, 200, 200));
                g.drawRect(left + p * cell, top + a * cell, cell, cell);
                g.setColor(share > 0.55 ? Color.WHITE : Color.BLACK);
                g.setFont(cellFont);
                String count = Long.toString(m[a][p]);
                int cx = left + p * cell + cell / 2;
                int cy = top + a * cell + cell / 2;
                g.drawString(count, cx - g.getFontMetrics().stringWidth(count) / 2, cy);
                g.setFont(labelFont.deriveFont(11f));
                String pct = rowTotal == 0 ? "" : String.format(java.util.Locale.ROOT, "%.0f%%", 100 * share);
                g.drawString(pct, cx - g.getFontMetrics().stringWidth(pct) / 2, cy + 16);
            }
        }
        g.dispose();
        return img;
    }

    /** White (0) to dark blue (1). */
    static Color shade(double share) {
        Color lo = new Color(247, 251, 255);
        Color hi = new Color(8, 81, 156);
        double t = Math.max(0, Math.min(1, share));
        return new Color((int) Math.round(lo.getRed() + t * (hi.getRed() - lo.getRed())),
                (int) Math.round(lo.getGreen() + t * (hi.getGreen() - lo.getGreen())),
                (int) Math.round(lo.getBlue() + t * (hi.getBlue() - lo.getBlue())));
    }

    /**
     * ROC, precision-recall or reliability curves of one or more classes in a square chart with a grey reference
     * line (the diagonal: chance for ROC, perfect calibration for reliability; none for PR).
     *
     * @param series name -> {x[], y[]}
     */
    public static BufferedImage curves(String title, String xLabel, String yLabel,
                                       java.util.Map<String, double[][]> series, boolean diagonal) {
        XYChart chart = chart(420, 400, title, xLabel, yLabel, Styler.LegendPosition.InsideSE);
        var st = chart.getStyler();
        st.setXAxisMin(0.0);
        st.setXAxisMax(1.0);
        st.setYAxisMin(0.0);
        st.setYAxisMax(1.0);
        st.setXAxisDecimalPattern("0.0");
        st.setYAxisDecimalPattern("0.0");
        if (diagonal) {
            XYSeries d = chart.addSeries(" ", new double[] {0, 1}, new double[] {0, 1});
            d.setLineColor(BOUNDARY);
            d.setMarker(SeriesMarkers.NONE);
            d.setShowInLegend(false);
        }
        for (java.util.Map.Entry<String, double[][]> e : series.entrySet()) {
            double[] x = e.getValue()[0];
            double[] y = e.getValue()[1];
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                    xs.add(x[i]);
                    ys.add(y[i]);
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            XYSeries s = chart.addSeries(e.getKey(), xs, ys);
            s.setMarker(xs.size() <= 12 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** Colours of a search's trials by status. */
    private static final Color COMPLETE = TRAIN;
    private static final Color PRUNED = new Color(160, 160, 160);
    private static final Color FAILED = new Color(214, 39, 40);
    private static final Color BEST = Color.BLACK;

    /**
     * One trial of a search as the plots see it.
     *
     * @param trial   the trial's number
     * @param status  {@code complete}, {@code pruned} or {@code failed} (any other status draws like complete)
     * @param minutes when each of its epochs ended, in minutes since the search began
     * @param values  the validation metric after each of those epochs (NaN: not recorded)
     */
    public record TrialCurve(int trial, String status, double[] minutes, double[] values) {
        public TrialCurve {
            if (minutes.length != values.length) {
                throw new IllegalArgumentException("trial " + trial + ": " + minutes.length + " times for "
                        + values.length + " values");
            }
        }
    }

    /**
     * The validation metric of every trial over the search's wall-clock time: one line per trial (blue complete,
     * grey pruned, red failed), and the best value seen so far as a black step line; how a search converges and
     * where pruning stopped weak trials.
     *
     * @param lowerIsBetter true for a loss (the best so far is the minimum)
     */
    public static BufferedImage trialsOverTime(String metric, boolean lowerIsBetter, List<TrialCurve> trials) {
        return BitmapEncoder.getBufferedImage(trialsChart(metric, lowerIsBetter, trials));
    }

    static XYChart trialsChart(String metric, boolean lowerIsBetter, List<TrialCurve> trials) {
        XYChart chart = chart(WIDTH, 420, metric + " of each trial over the search", "search time (minutes)", metric,
                Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisDecimalPattern("0.###");
        java.util.Set<String> shown = new java.util.HashSet<>();
        List<double[]> points = new ArrayList<>();
        for (TrialCurve t : trials) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < t.values().length; i++) {
                if (Double.isFinite(t.values()[i]) && Double.isFinite(t.minutes()[i])) {
                    xs.add(t.minutes()[i]);
                    ys.add(t.values()[i]);
                    points.add(new double[] {t.minutes()[i], t.values()[i]});
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            String status = statusOf(t.status());
            XYSeries s = chart.addSeries("trial " + t.trial(), xs, ys);
            Color c = status.equals("pruned") ? PRUNED : status.equals("failed") ? FAILED : COMPLETE;
            s.setLineColor(c);
            s.setMarkerColor(c);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setShowInLegend(false);
            if (shown.add(status)) {
                s.setLabel(status);
                s.setShowInLegend(true);
            }
        }
        if (points.isEmpty()) {
            chart.addSeries("(no epoch finished)", new double[] {0}, new double[] {0});
        } else {
            points.sort(java.util.Comparator.comparingDouble(p -> p[0]));
            List<Double> bx = new ArrayList<>();
            List<Double> by = new ArrayList<>();
            double best = Double.NaN;
            for (double[] p : points) {
                if (Double.isNaN(best) || (lowerIsBetter ? p[1] < best : p[1] > best)) {
                    if (!Double.isNaN(best)) {
                        bx.add(p[0]); // a step: the old best holds until this moment
                        by.add(best);
                    }
                    best = p[1];
                    bx.add(p[0]);
                    by.add(best);
                }
            }
            bx.add(points.get(points.size() - 1)[0]);
            by.add(best);
            XYSeries s = chart.addSeries("best so far", bx, by);
            s.setLineColor(BEST);
            s.setLineWidth(2.5f);
            s.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    /** A status in lower case; none means complete. */
    private static String statusOf(String status) {
        return status == null ? "complete" : status.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * One searched parameter against the trials' best validation metric.
     *
     * @param name   the parameter's name (a config key)
     * @param log    plot a numeric parameter on a log axis (a log-scale range)
     * @param values each trial's value: numbers plot on a numeric axis, anything else (strings, booleans, lists) as
     *               categories in order of first appearance
     * @param metric each trial's best validation metric (NaN: none, e.g. a failed trial; not drawn)
     * @param status each trial's status ({@link TrialCurve#status()})
     */
    public record ParameterPoints(String name, boolean log, List<Object> values, double[] metric,
                                  List<String> status) {
        public ParameterPoints {
            values = java.util.Collections.unmodifiableList(new ArrayList<>(values));
            status = List.copyOf(status);
            if (values.size() != metric.length || status.size() != metric.length) {
                throw new IllegalArgumentException(name + ": " + values.size() + " values, " + metric.length
                        + " metrics and " + status.size() + " statuses; one of each per trial");
            }
        }
    }

    /**
     * The metric against each searched parameter, one small panel per parameter, two panels per row: which
     * values of a parameter gave good trials.
     */
    public static BufferedImage metricByParameter(String metric, List<ParameterPoints> parameters) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("no searched parameters to plot; the search space has none");
        }
        int panelW = WIDTH / 2;
        int panelH = 260;
        int rows = (parameters.size() + 1) / 2;
        BufferedImage all = new BufferedImage(WIDTH, panelH * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, all.getWidth(), all.getHeight());
        for (int i = 0; i < parameters.size(); i++) {
            g.drawImage(BitmapEncoder.getBufferedImage(parameterChart(metric, parameters.get(i), panelW, panelH)),
                    (i % 2) * panelW, (i / 2) * panelH, null);
        }
        g.dispose();
        return all;
    }

    static XYChart parameterChart(String metric, ParameterPoints p, int width, int height) {
        XYChart chart = chart(width, height, metric + " vs " + p.name(), p.name(), metric,
                Styler.LegendPosition.InsideNE);
        var st = chart.getStyler();
        st.setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        st.setLegendVisible(false);
        st.setYAxisDecimalPattern("0.###");
        boolean numeric = p.values().stream().allMatch(v -> v == null || v instanceof Number);
        List<String> categories = new ArrayList<>();
        if (!numeric) {
            for (Object v : p.values()) {
                String c = String.valueOf(v);
                if (!categories.contains(c)) {
                    categories.add(c);
                }
            }
            // the categories in order along the axis title too: XChart places the ticks itself, so a category's
            // own tick label may not be drawn
            chart.setXAxisTitle(p.name() + ": " + String.join(" | ", categories));
            st.setXAxisMin(-0.5);
            st.setXAxisMax(categories.size() - 0.5);
            st.setxAxisTickLabelsFormattingFunction(x -> {
                long k = Math.round(x);
                return Math.abs(x - k) < 1e-6 && k >= 0 && k < categories.size() ? categories.get((int) k) : "";
            });
        } else {
            st.setXAxisLogarithmic(p.log());
            st.setXAxisDecimalPattern(p.log() ? "0.0E0" : "0.####");
        }
        java.util.Map<String, List<double[]>> byStatus = new java.util.LinkedHashMap<>();
        for (int i = 0; i < p.metric().length; i++) {
            Object v = p.values().get(i);
            double y = p.metric()[i];
            if (v == null || !Double.isFinite(y)) {
                continue;
            }
            double x = numeric ? ((Number) v).doubleValue() : categories.indexOf(String.valueOf(v));
            if (numeric && p.log() && !(x > 0)) {
                continue; // not drawable on a log axis
            }
            byStatus.computeIfAbsent(statusOf(p.status().get(i)), k -> new ArrayList<>()).add(new double[] {x, y});
        }
        if (byStatus.isEmpty()) {
            chart.addSeries("(no finished trial)", new double[] {numeric && p.log() ? 1 : 0}, new double[] {0});
        }
        for (var e : byStatus.entrySet()) {
            XYSeries s = chart.addSeries(e.getKey(), e.getValue().stream().mapToDouble(a -> a[0]).toArray(),
                    e.getValue().stream().mapToDouble(a -> a[1]).toArray());
            Color c = e.getKey().equals("pruned") ? PRUNED : e.getKey().equals("failed") ? FAILED : COMPLETE;
            s.setMarkerColor(c);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    /** An XY chart in the reports' style: white background, light grid. */
    private static XYChart chart(int width, int height, String title, String xLabel, String yLabel,
                                 Styler.LegendPosition legend) {
        XYChart chart = new XYChart(width, height);
        chart.setTitle(title);
        chart.setXAxisTitle(xLabel);
        chart.setYAxisTitle(yLabel);
        var st = chart.getStyler();
        st.setLegendPosition(legend);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(225, 225, 225));
        return chart;
    }

    /** A PNG file's bytes. */
    public static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The image scaled so that its longer side is {@code maxSide} pixels (never enlarged beyond 4x). */
    public static BufferedImage thumbnail(BufferedImage image, int maxSide) {
        double scale = Math.min(4.0, (double) maxSide / Math.max(image.getWidth(), image.getHeight()));
        int w = Math.max(1, (int) Math.round(image.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(image.getHeight() * scale));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return out;
    }
}
