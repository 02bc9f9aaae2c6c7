package io.transfer4j.cli.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A run report with two phases, a 4-class test set and two confused samples, made from numbers. */
final class SampleReports {

    static final List<String> LABELS = List.of("circles", "squares", "stripes", "triangles");

    private SampleReports() {
    }

    static List<HistoryEntry> history() {
        List<HistoryEntry> h = new ArrayList<>();
        for (int e = 1; e <= 4; e++) {
            h.add(new HistoryEntry("head", e, 1.4 / e, 1.5 / e, Map.of("accuracy", 0.4 + 0.1 * e,
                    "val_accuracy", 0.35 + 0.1 * e), 1e-3, 2.5, 120));
        }
        for (int e = 1; e <= 3; e++) {
            h.add(new HistoryEntry("finetune-res5", e, 0.3 / e, 0.4 / e, Map.of("accuracy", 0.85 + 0.03 * e,
                    "val_accuracy", 0.8 + 0.04 * e, "top2", 0.99), 1e-4 / e, 4.0, 60));
        }
        return h;
    }

    static Evaluation evaluation() {
        return new Evaluation(LABELS, new int[][] {{10, 0, 0, 0}, {1, 8, 1, 0}, {0, 0, 10, 0}, {0, 2, 0, 8}});
    }

    static byte[] square(Color c) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 32, 32);
        g.setColor(c);
        g.fillRect(8, 8, 16, 16);
        g.dispose();
        return Plots.png(img);
    }

    static RunReport report() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("backbone", "resnet50 (random initialisation, BN calibrated)");
        facts.put("input size", "64 x 64 px");
        facts.put("model bundle", "/tmp/run/model.t4j");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("backbone", "resnet50");
        config.put("seed", 42);
        List<ConfusedSample> confused = List.of(
                new ConfusedSample("test/squares/squares_0007.png", "squares", "circles", 0.71,
                        square(Color.GREEN), square(Color.RED)),
                new ConfusedSample("test/triangles/<odd> & name.jpg", "triangles", "squares", 0.55,
                        square(Color.MAGENTA), null));
        return new RunReport("transfer4j test run", Instant.parse("2026-11-23T20:00:00Z"), facts, config, history(),
                evaluation(), confused, List.of("ImageNet weights for resnet50 are not installed: random init."));
    }
}
