package io.transfer4j.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Where an example writes its results: one {@code --out} directory with {@code history.csv},
 * {@code learning-curve.png} and {@code metrics.json}. Every file is written to a temporary file beside its target
 * and moved into place, so an interrupted run never leaves a half-written file over a good one.
 */
final class ExampleOutputs {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    ExampleOutputs(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("--out " + dir + " is a file; pass a directory (it is created when missing)");
        }
        Files.createDirectories(dir);
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path write(String name, byte[] bytes) throws IOException {
        Path target = dir.resolve(name);
        // not createTempFile: its files are owner-only (0600); outputs get the usual permissions
        Path tmp = dir.resolve("." + name + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        try {
            Files.write(tmp, bytes, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    Path writeJson(String name, Map<String, ?> values) throws IOException {
        return write(name, JSON.writeValueAsBytes(values));
    }

    /** One epoch as JSON fields (for {@code --json} event lines). */
    static Map<String, Object> epochFields(MnistCnn.Epoch e) {
        return io.transfer4j.cli.Output.fields("epoch", e.epoch(), "loss", e.loss(), "accuracy", e.accuracy(),
                "val_loss", e.valLoss(), "val_accuracy", e.valAccuracy(), "seconds", e.seconds(),
                "images_per_second", e.imagesPerSecond());
    }

    /** Keras-style history: one row per epoch. */
    Path writeHistory(List<MnistCnn.Epoch> history) throws IOException {
        StringBuilder csv = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,seconds,images_per_second\n");
        for (MnistCnn.Epoch e : history) {
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.2f,%.1f%n", e.epoch(), e.loss(), e.accuracy(),
                    e.valLoss(), e.valAccuracy(), e.seconds(), e.imagesPerSecond()));
        }
        return write("history.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The tutorial's figure: accuracy (left) and loss (right) per epoch, training as dots, validation as a line.
     * {@code markEpochs} draws vertical lines (e.g. where fine-tuning starts); empty for none.
     */
    Path writeLearningCurve(String title, List<MnistCnn.Epoch> history, List<Integer> markEpochs) throws IOException {
        double[] x = history.stream().mapToDouble(MnistCnn.Epoch::epoch).toArray();
        XYChart acc = chart(title + ": training & validation accuracy", "Accuracy");
        series(acc, "Training accuracy", x, history.stream().mapToDouble(MnistCnn.Epoch::accuracy).toArray(), true);
        series(acc, "Validation accuracy", x, history.stream().mapToDouble(MnistCnn.Epoch::valAccuracy).toArray(), false);
        XYChart loss = chart(title + ": training & validation loss", "Loss");
        series(loss, "Training loss", x, history.stream().mapToDouble(MnistCnn.Epoch::loss).toArray(), true);
        series(loss, "Validation loss", x, history.stream().mapToDouble(MnistCnn.Epoch::valLoss).toArray(), false);
        for (int m : markEpochs) {
            for (XYChart c : List.of(acc, loss)) {
                double lo = c.getSeriesMap().values().stream().mapToDouble(s -> min(s.getYData())).min().orElse(0);
                double hi = c.getSeriesMap().values().stream().mapToDouble(s -> max(s.getYData())).max().orElse(1);
                XYSeries s = c.addSeries("fine-tuning from epoch " + m + (c == acc ? "" : " "),
                        new double[] {m - 0.5, m - 0.5}, new double[] {lo, hi});
                s.setMarker(SeriesMarkers.NONE);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(List.of(acc, loss), 1, 2, png, BitmapEncoder.BitmapFormat.PNG);
        return write("learning-curve.png", png.toByteArray());
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(700).height(500).title(title).xAxisTitle("Epochs").yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        return c;
    }

    private static void series(XYChart c, String name, double[] x, double[] y, boolean dots) {
        XYSeries s = c.addSeries(name, x, y);
        if (dots) {
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
        } else {
            s.setMarker(SeriesMarkers.NONE);
        }
    }

    private static double min(double[] a) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : a) {
            m = Math.min(m, v);
        }
        return m;
    }

    private static double max(double[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
