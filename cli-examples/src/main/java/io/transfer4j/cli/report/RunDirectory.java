package io.transfer4j.cli.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.transfer4j.zoo.AtomicFiles;

/**
 * The files of a run directory. Each file is written beside its target and moved into place, so a failure or a
 * kill never leaves a truncated file under its real name; {@code report.html} is written last.
 *
 * <pre>
 * config.json              the resolved run configuration (written when the run starts)
 * history.csv              one row per epoch; first column: the phase
 * history.json             the same as JSON
 * learning-curve.png       loss / accuracy / learning rate, training vs validation, phases marked
 * confusion-matrix.png     test-set confusion matrix
 * metrics.json             test accuracy, macro F1, per-class precision/recall/F1, confusion matrix
 * per-class-metrics.csv    the per-class table
 * report.html              everything above in one self-contained page (no external resources)
 * </pre>
 */
public final class RunDirectory {

    public static final String CONFIG = "config.json";
    public static final String HISTORY_CSV = "history.csv";
    public static final String HISTORY_JSON = "history.json";
    public static final String LEARNING_CURVE = "learning-curve.png";
    public static final String CONFUSION_MATRIX = "confusion-matrix.png";
    public static final String METRICS = "metrics.json";
    public static final String PER_CLASS = "per-class-metrics.csv";
    public static final String REPORT = "report.html";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();

    private RunDirectory() {
    }

    /** Writes {@code config.json}. */
    public static Path writeConfig(Path runDir, Map<String, ?> config) throws IOException {
        return AtomicFiles.write(runDir.resolve(CONFIG), JSON.writeValueAsBytes(config));
    }

    /** Writes history, plots, metrics and the report; returns the files written, in order. */
    public static List<Path> writeReport(Path runDir, RunReport report) throws IOException {
        Files.createDirectories(runDir);
        List<Path> written = new ArrayList<>();
        written.add(AtomicFiles.writeString(runDir.resolve(HISTORY_CSV), historyCsv(report.history())));
        written.add(AtomicFiles.write(runDir.resolve(HISTORY_JSON), JSON.writeValueAsBytes(report.history())));
        byte[] curve = null;
        if (!report.history().isEmpty()) {
            curve = Plots.png(Plots.learningCurve(report.history()));
            written.add(AtomicFiles.write(runDir.resolve(LEARNING_CURVE), curve));
        }
        byte[] matrix = null;
        if (report.test() != null) {
            matrix = Plots.png(Plots.confusionMatrix(report.test()));
            written.add(AtomicFiles.write(runDir.resolve(CONFUSION_MATRIX), matrix));
            written.add(AtomicFiles.write(runDir.resolve(METRICS), JSON.writeValueAsBytes(metricsJson(report.test()))));
            written.add(AtomicFiles.writeString(runDir.resolve(PER_CLASS), perClassCsv(report.test())));
        }
        written.add(AtomicFiles.writeString(runDir.resolve(REPORT), ReportHtml.render(report, curve, matrix)));
        return written;
    }

    /** The metric columns present in any entry: accuracy and val_accuracy first, then the others sorted. */
    static List<String> metricColumns(List<HistoryEntry> history) {
        TreeSet<String> keys = new TreeSet<>();
        history.forEach(h -> keys.addAll(h.metrics().keySet()));
        List<String> cols = new ArrayList<>();
        for (String first : List.of(HistoryEntry.ACCURACY, HistoryEntry.VAL_ACCURACY)) {
            if (keys.remove(first)) {
                cols.add(first);
            }
        }
        cols.addAll(keys);
        return cols;
    }

    public static String historyCsv(List<HistoryEntry> history) {
        List<String> cols = metricColumns(history);
        StringBuilder sb = new StringBuilder("phase,epoch,loss,val_loss");
        cols.forEach(k -> sb.append(',').append(k));
        sb.append(",lr,seconds,images_per_second\n");
        for (HistoryEntry h : history) {
            sb.append(h.phase()).append(',').append(h.epoch()).append(',').append(num(h.loss())).append(',')
                    .append(num(h.valLoss()));
            cols.forEach(k -> sb.append(',').append(num(h.metrics().getOrDefault(k, Double.NaN))));
            sb.append(',').append(num(h.lr())).append(',').append(num(h.seconds())).append(',')
                    .append(num(h.imagesPerSecond())).append('\n');
        }
        return sb.toString();
    }

    static String perClassCsv(Evaluation eval) {
        StringBuilder sb = new StringBuilder("class,precision,recall,f1,support\n");
        for (ClassMetrics c : eval.perClass()) {
            sb.append(csvField(c.label())).append(',').append(num(c.precision())).append(',').append(num(c.recall()))
                    .append(',').append(num(c.f1())).append(',').append(c.support()).append('\n');
        }
        return sb.toString();
    }

    static Map<String, Object> metricsJson(Evaluation eval) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", eval.accuracy());
        m.put("macroF1", eval.macroF1());
        m.put("samples", eval.total());
        m.put("labels", eval.labels());
        m.put("perClass", eval.perClass());
        m.put("confusion", eval.confusion());
        return m;
    }

    /** Empty for NaN (a CSV reader sees a missing value); otherwise up to 6 significant decimals. */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e")
                .replaceAll("\\.$", "");
    }

    static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
