package io.transfer4j.cli.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.Metric;
import io.transfer4j.training.Metrics;
import io.transfer4j.training.ScoredSample;

/** A run report with two phases, a 4-class test set and two confused samples, made from numbers. */
final class SampleReports {

    static final List<String> LABELS = List.of("circles", "squares", "stripes", "triangles");

    private SampleReports() {
    }

    static List<EpochRecord> history() {
        List<EpochRecord> h = new ArrayList<>();
        for (int e = 1; e <= 4; e++) {
            h.add(new EpochRecord("head", e, 1.4 / e, 1.5 / e, Map.of(Metric.ACCURACY, 0.4 + 0.1 * e,
                    Metric.VAL_ACCURACY, 0.35 + 0.1 * e), 1e-3, 2.5, 120));
        }
        for (int e = 1; e <= 3; e++) {
            h.add(new EpochRecord("finetune-res5", e, 0.3 / e, 0.4 / e, Map.of(Metric.ACCURACY, 0.85 + 0.03 * e,
                    Metric.VAL_ACCURACY, 0.8 + 0.04 * e, Metric.VAL_TOP_K_ACCURACY, 0.99), 1e-4 / e, 4.0, 60));
        }
        return h;
    }

    /** Test metrics with the confusion matrix {{10,0,0,0},{1,8,1,0},{0,0,10,0},{0,2,0,8}}. */
    static Metrics evaluation() {
        long[][] confusion = {{10, 0, 0, 0}, {1, 8, 1, 0}, {0, 0, 10, 0}, {0, 2, 0, 8}};
        List<ScoredSample> samples = new ArrayList<>();
        for (int a = 0; a < 4; a++) {
            for (int p = 0; p < 4; p++) {
                for (long i = 0; i < confusion[a][p]; i++) {
                    float[] probs = {0.1f, 0.1f, 0.1f, 0.1f};
                    probs[p] = 0.7f;
                    samples.add(new ScoredSample(a, probs, LABELS.get(a) + "/" + LABELS.get(a) + "_" + i + ".png"));
                }
            }
        }
        return Metrics.compute(LABELS, samples, 2);
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
