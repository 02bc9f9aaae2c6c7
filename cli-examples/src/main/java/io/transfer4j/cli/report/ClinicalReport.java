package io.transfer4j.cli.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.transfer4j.training.ClinicalMetrics;
import io.transfer4j.training.Metrics;
import io.transfer4j.internal.AtomicFiles;

/**
 * What {@code transfer4j evaluate --out DIR} writes: {@code metrics.json} (the evaluation's metrics plus the
 * clinical ones) and {@code report.html} (a self-contained page: the operating point table, ROC, precision-recall
 * and reliability curves, the confusion matrix). Files are named by relative path only; no DICOM attribute is read
 * here, so no patient-identifying value can reach these files.
 */
public final class ClinicalReport {

    /** The curve images written beside the report. */
    public static final String ROC = "roc.png";
    public static final String PR = "precision-recall.png";
    public static final String CALIBRATION = "calibration.png";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ClinicalReport() {
    }

    /** The clinical metrics as JSON fields; undefined numbers are null. */
    public static Map<String, Object> json(ClinicalMetrics c) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("positive", c.positive());
        j.put("threshold", num(c.threshold()));
        j.put("thresholdRule", c.thresholdRule());
        j.put("tp", c.tp());
        j.put("fp", c.fp());
        j.put("tn", c.tn());
        j.put("fn", c.fn());
        j.put("sensitivity", num(c.sensitivity()));
        j.put("specificity", num(c.specificity()));
        j.put("ppv", num(c.ppv()));
        j.put("npv", num(c.npv()));
        j.put("rocAuc", num(c.rocAuc()));
        j.put("rocAuc95ci", java.util.Arrays.asList(nullable(c.rocAucCi()[0]), nullable(c.rocAucCi()[1])));
        j.put("averagePrecision", num(c.averagePrecision()));
        j.put("averagePrecision95ci", java.util.Arrays.asList(nullable(c.averagePrecisionCi()[0]),
                nullable(c.averagePrecisionCi()[1])));
        j.put("expectedCalibrationError", num(c.calibration().ece()));
        j.put("bootstrapResamples", c.bootstrap());
        j.put("bootstrapSeed", c.seed());
        j.put("roc", Map.of("fpr", finite(c.roc().x()), "tpr", finite(c.roc().y())));
        j.put("precisionRecall", Map.of("recall", finite(c.pr().x()), "precision", finite(c.pr().y())));
        j.put("calibration", Map.of("meanPredicted", c.calibration().meanPredicted(), "observed",
                c.calibration().observed(), "counts", c.calibration().counts()));
        return j;
    }

    /** Writes metrics.json, the curve PNGs and report.html into {@code dir}; returns the files written. */
    public static List<Path> write(Path dir, String title, Map<String, String> facts, Metrics m,
                                   List<ClinicalMetrics> clinical, List<ConfusedSample> confused)
            throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Map<String, Object> metrics = RunReport.metricsJson(m);
        metrics.put("clinical", clinical.stream().map(ClinicalReport::json).toList());
        written.add(AtomicFiles.write(dir.resolve(RunReport.METRICS), JSON.writeValueAsBytes(metrics)));
        Map<String, double[][]> roc = new LinkedHashMap<>();
        Map<String, double[][]> pr = new LinkedHashMap<>();
        Map<String, double[][]> cal = new LinkedHashMap<>();
        for (ClinicalMetrics c : clinical) {
            roc.put(c.positive() + String.format(Locale.ROOT, " (AUC %.3f)", c.rocAuc()),
                    new double[][] {c.roc().x(), c.roc().y()});
            pr.put(c.positive() + String.format(Locale.ROOT, " (AP %.3f)", c.averagePrecision()),
                    new double[][] {c.pr().x(), c.pr().y()});
            cal.put(c.positive() + String.format(Locale.ROOT, " (ECE %.3f)", c.calibration().ece()),
                    new double[][] {c.calibration().meanPredicted(), c.calibration().observed()});
        }
        byte[] rocPng = Plots.png(Plots.curves("ROC", "false positive rate (1 - specificity)",
                "true positive rate (sensitivity)", roc, true));
        byte[] prPng = Plots.png(Plots.curves("Precision-recall", "recall (sensitivity)", "precision (PPV)", pr,
                false));
        byte[] calPng = Plots.png(Plots.curves("Reliability", "mean predicted probability", "observed frequency",
                cal, true));
        byte[] cmPng = Plots.png(Plots.confusionMatrix(m));
        written.add(AtomicFiles.write(dir.resolve(ROC), rocPng));
        written.add(AtomicFiles.write(dir.resolve(PR), prPng));
        written.add(AtomicFiles.write(dir.resolve(CALIBRATION), calPng));
        written.add(AtomicFiles.write(dir.resolve(RunReport.CONFUSION_MATRIX), cmPng));
        written.add(AtomicFiles.writeString(dir.resolve(RunReport.REPORT), html(title, facts, m, clinical, confused,
                rocPng, prPng, calPng, cmPng)));
        return written;
    }

    static String html(String title, Map<String, String> facts, Metrics m, List<ClinicalMetrics> clinical,
                       List<ConfusedSample> confused, byte[]... pngs) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(ReportHtml.esc(title)).append("</title><style>body{font-family:sans-serif;margin:2em}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
                        + "th.l,td.l{text-align:left}img{margin:6px}</style></head><body><h1>")
                .append(ReportHtml.esc(title)).append("</h1><table id=\"facts\">");
        facts.forEach((k, v) -> h.append("<tr><th class=\"l\">").append(ReportHtml.esc(k)).append("</th><td class=\"l\">")
                .append(ReportHtml.esc(v)).append("</td></tr>"));
        h.append(String.format(Locale.ROOT, "<tr><th class=\"l\">samples</th><td class=\"l\">%d</td></tr>"
                + "<tr><th class=\"l\">accuracy</th><td class=\"l\">%.1f %%</td></tr></table>", m.examples(),
                100 * m.accuracy()));
        h.append("<h2>Operating point").append(clinical.size() > 1 ? "s (one class against the rest)" : "")
                .append("</h2><table id=\"clinical\"><tr><th class=\"l\">positive class</th><th>threshold</th>"
                        + "<th>sensitivity</th><th>specificity</th><th>PPV</th><th>NPV</th><th>TP</th><th>FP</th>"
                        + "<th>TN</th><th>FN</th><th>ROC AUC (95 % CI)</th><th>AP (95 % CI)</th><th>ECE</th></tr>");
        for (ClinicalMetrics c : clinical) {
            h.append("<tr><td class=\"l\">").append(ReportHtml.esc(c.positive())).append("</td><td>")
                    .append(Double.isNaN(c.threshold()) ? "most probable" : f3(c.threshold()) + " ("
                            + ReportHtml.esc(c.thresholdRule()) + ")")
                    .append("</td><td>").append(f3(c.sensitivity())).append("</td><td>").append(f3(c.specificity()))
                    .append("</td><td>").append(f3(c.ppv())).append("</td><td>").append(f3(c.npv()))
                    .append("</td><td>").append(c.tp()).append("</td><td>").append(c.fp()).append("</td><td>")
                    .append(c.tn()).append("</td><td>").append(c.fn()).append("</td><td>")
                    .append(f3(c.rocAuc())).append(" (").append(f3(c.rocAucCi()[0])).append("-")
                    .append(f3(c.rocAucCi()[1])).append(")</td><td>").append(f3(c.averagePrecision())).append(" (")
                    .append(f3(c.averagePrecisionCi()[0])).append("-").append(f3(c.averagePrecisionCi()[1]))
                    .append(")</td><td>").append(f3(c.calibration().ece())).append("</td></tr>");
        }
        h.append("</table><p>Confidence intervals: percentile bootstrap over samples (")
                .append(clinical.isEmpty() ? 0 : clinical.get(0).bootstrap())
                .append(" resamples, seeded). ECE: 10 equal-width bins of the positive-class probability.</p><div>");
        String[] alt = {"ROC curve", "precision-recall curve", "reliability diagram", "confusion matrix"};
        for (int i = 0; i < pngs.length; i++) {
            h.append("<img alt=\"").append(alt[i]).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(pngs[i])).append("\">");
        }
        h.append("</div><section id=\"confused-samples\"><h2>Most confident mistakes</h2>");
        if (confused.isEmpty()) {
            h.append("<p>No misclassified image.</p>");
        } else {
            h.append("<p>Each image as the model saw it (DICOM: windowed) and its Grad-CAM overlay for the predicted "
                    + "class.</p><table><tr><th class=\"l\">file</th><th>actual</th><th>predicted</th>"
                    + "<th>probability</th><th>image</th><th>Grad-CAM</th></tr>");
            for (ConfusedSample s : confused) {
                h.append("<tr><td class=\"l\">").append(ReportHtml.esc(s.file())).append("</td><td>")
                        .append(ReportHtml.esc(s.actual())).append("</td><td>").append(ReportHtml.esc(s.predicted()))
                        .append("</td><td>").append(f3(s.probability())).append("</td><td>").append(inline(s.imagePng(),
                                "image")).append("</td><td>").append(s.gradCamPng() == null ? "-"
                                : inline(s.gradCamPng(), "Grad-CAM overlay")).append("</td></tr>");
            }
            h.append("</table>");
        }
        return h.append("</section></body></html>\n").toString();
    }

    private static String inline(byte[] png, String alt) {
        return "<img alt=\"" + alt + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png)
                + "\">";
    }

    private static String f3(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static Object num(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Double nullable(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static List<Double> finite(double[] v) {
        List<Double> out = new ArrayList<>(v.length);
        for (double x : v) {
            out.add(Double.isFinite(x) ? x : null);
        }
        return out;
    }
}
