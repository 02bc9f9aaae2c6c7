package io.transfer4j.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import io.transfer4j.training.ClassMetrics;
import io.transfer4j.training.History;
import io.transfer4j.training.Metrics;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {

    @TempDir
    Path dir;

    @Test
    void writesEveryFileOfTheReportButNotTheRunsHistory() throws Exception {
        List<Path> written = SampleReports.report().write(dir);
        for (String f : List.of(RunReport.LEARNING_CURVE, RunReport.CONFUSION_MATRIX, RunReport.METRICS,
                RunReport.PER_CLASS, RunReport.REPORT)) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        assertEquals(dir.resolve(RunReport.REPORT), written.get(written.size() - 1), "report is written last");
        assertFalse(Files.exists(dir.resolve(History.CSV_FILE)), "history.csv has one writer: the training run");
        assertFalse(Files.exists(dir.resolve(History.JSON_FILE)));
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".partial")), "no temp files left");
        }
    }

    @Test
    void metricsComeFromTheConfusionMatrix() throws Exception {
        Metrics e = SampleReports.evaluation();
        assertEquals(36 / 40.0, e.accuracy(), 1e-12);
        ClassMetrics squares = e.perClass().get(1);
        assertEquals(8 / 10.0, squares.precision(), 1e-12); // column: 8 of 0+8+0+2
        assertEquals(8 / 10.0, squares.recall(), 1e-12);
        assertEquals(10, squares.support());
        ClassMetrics circles = e.perClass().get(0);
        assertEquals(10 / 11.0, circles.precision(), 1e-12);
        assertEquals(1.0, circles.recall(), 1e-12);
        SampleReports.report().write(dir);
        JsonNode m = new ObjectMapper().readTree(dir.resolve(RunReport.METRICS).toFile());
        assertEquals(0.9, m.get("accuracy").asDouble(), 1e-12);
        assertEquals(40, m.get("samples").asInt());
        assertEquals(1, m.get("confusion").get(1).get(0).asInt());
        assertEquals(e.loss(), m.get("loss").asDouble(), 1e-12);
        assertEquals(10, m.get("perClass").get(0).get("support").asInt());
        List<String> perClass = Files.readAllLines(dir.resolve(RunReport.PER_CLASS));
        assertEquals("class,precision,recall,f1,support", perClass.get(0));
        assertTrue(perClass.get(1).startsWith("circles,0.909091,1,0.952381,10"), perClass.get(1));
    }

    @Test
    void plotsHaveOnePanelPerQuantityAndDrawTheSeries() throws Exception {
        SampleReports.report().write(dir);
        BufferedImage curve = ImageIO.read(dir.resolve(RunReport.LEARNING_CURVE).toFile());
        assertEquals(900, curve.getWidth());
        assertEquals(3 * 280, curve.getHeight(), "loss, accuracy and learning-rate panels");
        // the training (blue) and validation (orange) series are drawn in every panel that has them
        for (int panel = 0; panel < 2; panel++) {
            assertTrue(countColour(curve, panel * 280, 280, 0x1f77b4) > 50, "training series in panel " + panel);
            assertTrue(countColour(curve, panel * 280, 280, 0xff7f0e) > 50, "validation series in panel " + panel);
        }
        assertTrue(countColour(curve, 560, 280, 0x2ca02c) > 50, "learning-rate series");
        BufferedImage matrix = ImageIO.read(dir.resolve(RunReport.CONFUSION_MATRIX).toFile());
        assertTrue(matrix.getWidth() >= 420 && matrix.getHeight() >= 420);
        // rows circles and stripes are 100 % correct: their diagonal cells have the darkest shade
        assertTrue(countColour(matrix, 0, matrix.getHeight(), 0x08519c) > 2 * 40 * 40, "two fully dark cells");
        assertTrue(countColour(matrix, 0, matrix.getHeight(), Plots.shade(0.8).getRGB() & 0xffffff) > 2 * 40 * 40,
                "two 80 % cells (squares, triangles)");
    }

    private static int countColour(BufferedImage img, int y0, int h, int rgb) {
        int n = 0;
        for (int y = y0; y < y0 + h; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void reportIsSelfContained() throws Exception {
        SampleReports.report().write(dir);
        String html = Files.readString(dir.resolve(RunReport.REPORT));
        for (String id : List.of("summary", "notes", "learning-curve", "test-metrics", "confusion-matrix",
                "per-class-metrics", "confused-samples", "history", "config")) {
            assertTrue(html.contains("id=\"" + id + "\""), "section " + id);
        }
        Matcher m = Pattern.compile("(?:src|href)\\s*=\\s*\"([^\"]*)\"").matcher(html);
        int images = 0;
        while (m.find()) {
            assertTrue(m.group(1).startsWith("data:image/png;base64,"), "only inline images: " + m.group(1));
            images++;
        }
        assertEquals(2 + 2 + 1, images, "2 plots, 2 sample thumbnails, 1 Grad-CAM");
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("<odd>"), "file names are escaped");
        assertTrue(html.contains("&lt;odd&gt; &amp; name.jpg"));
        assertTrue(html.contains("90.0\u00a0%"), "test accuracy shown, with a no-break space before the unit");
        assertFalse(html.matches("(?s).*\\d %.*"), "no percentage can wrap between number and unit");
    }
}
