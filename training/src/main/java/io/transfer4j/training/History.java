package io.transfer4j.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.transfer4j.internal.AtomicFiles;

/**
 * A run's history as data, and its two file forms: CSV (first column {@code phase}, then {@code epoch},
 * {@code loss}, {@code val_loss}, the other metrics any epoch has in {@link Metric} order ({@code accuracy},
 * {@code val_accuracy}, ...), {@code lr}, {@code seconds}, {@code images_per_second})
 * and JSON (a list of {@link EpochRecord}s; NaN written as the string {@code "NaN"}).
 */
public record History(List<EpochRecord> epochs) {

    /** The file names {@link #write} uses. */
    public static final String CSV_FILE = "history.csv";
    public static final String JSON_FILE = "history.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public History {
        epochs = List.copyOf(epochs);
    }

    /** The CSV text. Metric columns are those any epoch has, in {@link Metric} order. */
    public String toCsv() {
        Set<Metric> cols = EnumSet.noneOf(Metric.class);
        epochs.forEach(e -> cols.addAll(e.metrics().keySet()));
        cols.remove(Metric.LOSS);
        cols.remove(Metric.VAL_LOSS);
        StringBuilder sb = new StringBuilder("phase,epoch,loss,val_loss");
        cols.forEach(m -> sb.append(',').append(m.key()));
        sb.append(",lr,seconds,images_per_second\n");
        for (EpochRecord e : epochs) {
            sb.append(csvText(e.phase())).append(',').append(e.epoch()).append(',').append(num(e.loss()))
                    .append(',').append(num(e.valLoss()));
            cols.forEach(m -> sb.append(',').append(num(e.value(m))));
            sb.append(',').append(num(e.lr())).append(',').append(String.format(Locale.ROOT, "%.3f", e.seconds()))
                    .append(',').append(String.format(Locale.ROOT, "%.1f", e.imagesPerSecond())).append('\n');
        }
        return sb.toString();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(epochs);
        } catch (IOException e) {
            throw new IllegalStateException("history could not be written as JSON", e);
        }
    }

    /**
     * Writes {@code history.csv} and {@code history.json} into {@code dir}, each atomically: the one writer of a
     * run's history files (runs, {@code transfer4j fit}, the examples).
     */
    public void write(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve(CSV_FILE), toCsv());
        AtomicFiles.writeString(dir.resolve(JSON_FILE), toJson());
    }

    public static History readJson(Path file) throws IOException {
        return new History(JSON.readValue(Files.readString(file), new TypeReference<List<EpochRecord>>() { }));
    }

    /**
     * The history a model bundle holds ({@code history.json}, written by a run or the tuner), if it holds one.
     *
     * @throws IOException when the bundle cannot be read, or its history is not a list of epochs
     */
    public static java.util.Optional<History> fromBundle(Path bundle) throws IOException {
        java.util.Optional<String> json = io.transfer4j.core.ModelBundle.readHistory(bundle);
        if (json.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(parseJson(json.get()));
        } catch (IOException e) {
            throw new io.transfer4j.core.InvalidBundleException("bundle " + bundle + ": " + JSON_FILE
                    + " is not a training history (a list of epochs): " + e.getMessage(), e);
        }
    }

    public static History parseJson(String json) throws IOException {
        return new History(JSON.readValue(json, new TypeReference<List<EpochRecord>>() { }));
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static String csvText(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
