package io.transfer4j.cli.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.transfer4j.training.ClassMetrics;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.Metrics;
import io.transfer4j.internal.AtomicFiles;

/**
 * Everything a run report shows, and the report's files in a run directory. The history and the model are the
 * training run's ({@code history.csv}, {@code history.json}, {@code model.t4j}, written by the training module);
 * the report adds, each written beside its target and moved into place ({@code report.html} last):
 *
 * <pre>
 * config.json              the resolved run configuration (written when the run starts)
 * learning-curve.png       loss / accuracy / learning rate, training vs validation, phases marked
 * confusion-matrix.png     test-set confusion matrix
 * metrics.json             test accuracy, loss, macro F1, per-class precision/recall/F1/AUC, confusion matrix
 * per-class-metrics.csv    the per-class table
 * report.html              everything above in one self-contained page (no external resources)
 * </pre>
 *
 * @param title     heading, e.g. "transfer4j quickstart"
 * @param created   when the run finished
 * @param facts     short ordered key/value facts (backbone, weights, input size, duration, bundle path ...)
 * @param config    the run configuration as written to {@code config.json}
 * @param history   the epochs of all phases in order
 * @param test      test-set metrics, or null when there was no test split
 * @param confused  the most confused test samples (may be empty)
 * @param notes     paragraphs worth reading (e.g. why ImageNet weights were not used)
 */
public record RunReport(String title, Instant created, Map<String, String> facts, Map<String, Object> config,
                        List<EpochRecord> history, Metrics test, List<ConfusedSample> confused,
                        List<String> notes) {

    public static final String CONFIG = "config.json";
    public static final String LEARNING_CURVE = "learning-curve.png";
    public static final String CONFUSION_MATRIX = "confusion-matrix.png";
    public static final String METRICS = "metrics.json";
    public static final String PER_CLASS = "per-class-metrics.csv";
    public static final String REPORT = "report.html";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();

    public RunReport {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(created, "created");
        facts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        config = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(config));
        history = List.copyOf(history);
        confused = List.copyOf(confused);
        notes = List.copyOf(notes);
    }

    /** Writes {@code config.json}. */
    public static Path writeConfig(Path runDir, Map<String, ?> config) throws IOException {
        return AtomicFiles.write(runDir.resolve(CONFIG), JSON.writeValueAsBytes(config));
    }

    /** Writes the plots, the test metrics and the report into {@code runDir}; returns the files written, in order. */
    public List<Path> write(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        List<Path> written = new ArrayList<>();
        byte[] curve = null;
        if (!history.isEmpty()) {
            curve = Plots.png(Plots.learningCurve(history));
            written.add(AtomicFiles.write(runDir.resolve(LEARNING_CURVE), curve));
        }
        byte[] matrix = null;
        if (test != null) {
            matrix = Plots.png(Plots.confusionMatrix(test));
            written.add(AtomicFiles.write(runDir.resolve(CONFUSION_MATRIX), matrix));
            written.add(AtomicFiles.write(runDir.resolve(METRICS), JSON.writeValueAsBytes(metricsJson(test))));
            written.add(AtomicFiles.writeString(runDir.resolve(PER_CLASS), perClassCsv(test)));
        }
        written.add(AtomicFiles.writeString(runDir.resolve(REPORT), ReportHtml.render(this, curve, matrix)));
        return written;
    }

    static String perClassCsv(Metrics m) {
        StringBuilder sb = new StringBuilder("class,precision,recall,f1,support\n");
        for (ClassMetrics c : m.perClass()) {
            sb.append(csvField(c.label())).append(',').append(num(c.precision())).append(',').append(num(c.recall()))
                    .append(',').append(num(c.f1())).append(',').append(c.support()).append('\n');
        }
        return sb.toString();
    }

    /** The test metrics as JSON fields; a number that is not defined (an AUC without positives) is null. */
    static Map<String, Object> metricsJson(Metrics m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("accuracy", m.accuracy());
        j.put("macroF1", m.macroF1());
        j.put("loss", m.loss());
        j.put("rocAuc", orNull(m.rocAuc()));
        j.put("samples", m.examples());
        j.put("labels", m.labels());
        List<Map<String, Object>> perClass = new ArrayList<>();
        for (ClassMetrics c : m.perClass()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("label", c.label());
            row.put("precision", c.precision());
            row.put("recall", c.recall());
            row.put("f1", c.f1());
            row.put("support", c.support());
            row.put("rocAuc", orNull(c.rocAuc()));
            perClass.add(row);
        }
        j.put("perClass", perClass);
        j.put("confusion", m.confusion());
        return j;
    }

    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
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
