package io.transfer4j.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.cli.internal.Args;
import io.transfer4j.cli.internal.FitRun;
import io.transfer4j.cli.internal.Tables;
import io.transfer4j.cli.internal.FineTunerTrainer;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.ClassMetrics;
import io.transfer4j.training.ClinicalMetrics;
import io.transfer4j.training.FineTuner;
import io.transfer4j.training.Metrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code transfer4j evaluate --model BUNDLE --data DIR}: accuracy, per-class metrics and confusion matrix. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a model bundle on a folder of class folders (DIR/<class>/*.png|jpg|tif): accuracy, "
                + "macro F1, per-class precision/recall/F1 and the confusion matrix.",
                "The class folders must be among the model's labels. Images are never augmented."},
        footer = {"", "Example:", "  transfer4j evaluate --model transfer4j-work/run/model.t4j --data images/test"})
public final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "BUNDLE", description = "The model bundle (.t4j).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Folder of class folders.")
    Path data;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "N", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--positive", paramLabel = "CLASS", description = "Binary tasks: the positive class (default: "
            + "the second label).")
    String positive;

    @Option(names = "--threshold", defaultValue = "0.5", paramLabel = "T|youden|sensitivity=S", description = "Binary "
            + "tasks: the decision threshold on the positive class's probability, or how to choose it on "
            + "--threshold-data: youden (max sensitivity + specificity - 1) or sensitivity=0.95 (the most specific "
            + "threshold reaching that sensitivity). Default ${DEFAULT-VALUE}.")
    String threshold;

    @Option(names = "--threshold-data", paramLabel = "DIR", description = "Validation class folders the threshold is "
            + "chosen on (never the evaluated data).")
    Path thresholdData;

    @Option(names = "--bootstrap", defaultValue = "1000", paramLabel = "N", description = "Bootstrap resamples for "
            + "the 95 %% confidence intervals of ROC AUC and average precision (default ${DEFAULT-VALUE}; 0 = none).")
    int bootstrap;

    @Option(names = "--dicom-window", paramLabel = "W", description = "DICOM window: file, full, lung, mediastinum, "
            + "bone, brain, abdomen, or CENTRE,WIDTH. Default: the window fit used (config.json in the bundle's run "
            + "directory), else each file's own.")
    String dicomWindow;

    @Option(names = "--max-pixels", paramLabel = "N", description = "Refuse image files declaring more pixels (width"
            + " x height) than N, a decompression-bomb guard (default ${DEFAULT-VALUE}).",
            defaultValue = "" + io.transfer4j.augmentation.ImageDecoder.DEFAULT_MAX_PIXELS)
    long maxPixels;

    @Option(names = "--out", paramLabel = "DIR", description = "Write metrics.json, report.html and the ROC, "
            + "precision-recall and reliability plots there.")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        Output out = Output.of(spec);
        Args.existingDir(data, "--data");
        if (batchSize < 1) {
            throw new UsageException("--batch-size must be >= 1; received " + batchSize);
        }
        if (maxPixels < 1) {
            throw new UsageException("--max-pixels must be >= 1 pixel (width x height; the default is "
                    + io.transfer4j.augmentation.ImageDecoder.DEFAULT_MAX_PIXELS + "); received " + maxPixels);
        }
        Instant t0 = Instant.now();
        TransferModel m = Args.bundle(model);
        List<String> labels = m.labels();
        List<String> folders = Args.classFolders(data);
        List<String> unknown = folders.stream().filter(f -> !labels.contains(f)).toList();
        if (folders.isEmpty()) {
            throw new UsageException("--data " + data + " has no class folders; expected DIR/<class>/<images> with "
                    + "classes among " + labels);
        }
        if (!unknown.isEmpty()) {
            throw new UsageException("--data " + data + " has class folders the model does not know: " + unknown
                    + "; the model's labels are " + labels);
        }
        out.info("Evaluating " + model + " (" + m.backbone().id() + ", " + labels.size() + " classes, input "
                + m.input() + ") on " + data);
        io.transfer4j.augmentation.DicomWindow window = Args.dicomWindow(dicomWindow, model);
        if (bootstrap < 0) {
            throw new UsageException("--bootstrap must be >= 0; received " + bootstrap);
        }
        Metrics metrics = evaluate(m, data, folders, window, out, "evaluate");
        List<ClinicalMetrics> clinical = clinical(m, metrics, window, out);
        out.result(format(metrics, data, FitRun.seconds(t0)) + "\n" + clinicalLines(clinical)
                + String.format(Locale.ROOT, "%n%nloss %.4f, top-2 accuracy %.1f %%, ROC AUC %.3f", metrics.loss(),
                100 * metrics.topKAccuracy(), metrics.rocAuc()), Output.fields("model", model.toString(),
                "data", data.toString(), "samples", metrics.examples(), "accuracy", metrics.accuracy(),
                "macroF1", metrics.macroF1(), "loss", metrics.loss(), "top2Accuracy", metrics.topKAccuracy(),
                "rocAuc", metrics.rocAuc(), "labels", metrics.labels(), "perClass", perClassFields(metrics),
                "confusion", metrics.confusion(), "clinical", clinical.stream()
                        .map(io.transfer4j.cli.report.ClinicalReport::json).toList()));
        if (outDir != null) {
            Map<String, String> facts = new java.util.LinkedHashMap<>();
            facts.put("model", model.toString());
            facts.put("data", data.toString());
            facts.put("DICOM window", window.toString());
            List<io.transfer4j.cli.report.ConfusedSample> confused;
            try (io.transfer4j.core.Predictor predictor = io.transfer4j.core.Predictor.of(m,
                    io.transfer4j.core.Predictor.Options.defaults().withMaxPixels(maxPixels))) {
                confused = FitRun.mostConfused(data, metrics,
                        io.transfer4j.cli.internal.Predictions.gradCam(predictor, window), window);
            }
            for (Path p : io.transfer4j.cli.report.ClinicalReport.write(outDir, "Evaluation of " + model.getFileName(),
                    facts, metrics, clinical, confused)) {
                out.info("Wrote " + p);
            }
        }
        return ExitCode.OK;
    }

    private Metrics evaluate(TransferModel m, Path dir, List<String> folders,
                             io.transfer4j.augmentation.DicomWindow window, Output out, String what) {
        FlowOptions opts = FlowOptions.builder().targetSize(m.input().height(), m.input().width())
                .batchSize(batchSize).shuffle(false).classes(folders).dicomWindow(window).maxPixels(maxPixels).build();
        DirectoryFlow opened;
        try {
            opened = ImagePipeline.of(m.normalization()).flowFromDirectory(dir, opts);
        } catch (IllegalArgumentException e) {
            // the options were checked above: what is left is the folder's content (e.g. no usable image), the
            // user's to fix
            throw new UsageException(e.getMessage());
        }
        try (DirectoryFlow flow = opened) {
            if (flow.samples() == 0) {
                throw new UsageException(dir + " holds no readable images in its class folders");
            }
            try (Output.Progress bar = out.progress(what, flow.batchesPerEpoch(), "batches")) {
                // the folders may be a subset of the model's labels (a test set without some class): by name
                return FineTuner.evaluate(m, flow, FineTunerTrainer.TOP_K, done -> bar.update(done, null));
            }
        }
    }

    /** Binary: the positive class at the chosen threshold; multi-class: every class against the rest. */
    private List<ClinicalMetrics> clinical(TransferModel m, Metrics metrics,
                                           io.transfer4j.augmentation.DicomWindow window, Output out)
            throws java.io.IOException {
        List<String> labels = metrics.labels();
        if (labels.size() != 2) {
            if (positive != null || !threshold.equals("0.5") || thresholdData != null) {
                throw new UsageException("--positive/--threshold/--threshold-data apply to binary models; this one has "
                        + labels.size() + " classes " + labels + " (each is reported against the rest)");
            }
            return ClinicalMetrics.oneVsRest(metrics, bootstrap, 42);
        }
        int pos;
        try {
            pos = positive == null ? 1 : ClinicalMetrics.indexOf(metrics, positive);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--positive: " + e.getMessage());
        }
        String t = threshold.trim().toLowerCase(Locale.ROOT);
        double th;
        String rule;
        if (t.equals("youden") || t.startsWith("sensitivity=")) {
            if (thresholdData == null) {
                throw new UsageException("--threshold " + threshold + " is chosen on validation data: add "
                        + "--threshold-data DIR (class folders not used for --data)");
            }
            Args.existingDir(thresholdData, "--threshold-data");
            if (thresholdData.toAbsolutePath().normalize().equals(data.toAbsolutePath().normalize())) {
                throw new UsageException("--threshold-data must not be the evaluated --data (the threshold would be "
                        + "fitted to the test set); pass the validation folders");
            }
            Metrics val = evaluate(m, thresholdData, Args.classFolders(thresholdData), window, out, "threshold");
            if (t.equals("youden")) {
                th = ClinicalMetrics.youdenThreshold(val, pos);
                rule = "youden on " + thresholdData;
            } else {
                double target;
                try {
                    target = Double.parseDouble(t.substring("sensitivity=".length()));
                    th = ClinicalMetrics.thresholdForSensitivity(val, pos, target);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--threshold sensitivity=S needs S in (0, 1], e.g. sensitivity=0.95; "
                            + "received '" + threshold + "'");
                }
                rule = "sensitivity >= " + target + " on " + thresholdData;
            }
            out.info(String.format(Locale.ROOT, "Threshold %.4f (%s)", th, rule));
        } else {
            try {
                th = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new UsageException("--threshold must be a number in [0, 1], youden or sensitivity=S; received '"
                        + threshold + "'");
            }
            if (!(th >= 0 && th <= 1)) {
                throw new UsageException("--threshold must be in [0, 1]; received " + th);
            }
            rule = "fixed";
        }
        return List.of(ClinicalMetrics.of(metrics, pos, th, rule, bootstrap, 42));
    }

    /** Per-class rows as JSON fields (no AUC: it is not defined for every class and not in the table). */
    private static List<Map<String, Object>> perClassFields(Metrics m) {
        return m.perClass().stream().map(c -> Output.fields("label", c.label(), "precision", c.precision(),
                "recall", c.recall(), "f1", c.f1(), "support", c.support())).toList();
    }

    static String format(Metrics e, Path data, String took) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d images in %s: accuracy %.1f %%, macro F1 %.3f (%s)%n%n",
                e.examples(), data, 100 * e.accuracy(), e.macroF1(), took));
        List<List<String>> rows = new ArrayList<>();
        for (ClassMetrics c : e.perClass()) {
            rows.add(List.of(c.label(), f3(c.precision()), f3(c.recall()), f3(c.f1()), Long.toString(c.support())));
        }
        sb.append(Tables.render(List.of("class", "precision", "recall", "f1", "support"), rows)).append('\n');
        sb.append("confusion matrix (rows: actual, columns: predicted)\n");
        List<String> header = new ArrayList<>();
        header.add("");
        header.addAll(e.labels());
        List<List<String>> cm = new ArrayList<>();
        long[][] m = e.confusion();
        for (int i = 0; i < m.length; i++) {
            List<String> row = new ArrayList<>();
            row.add(e.labels().get(i));
            for (long v : m[i]) {
                row.add(Long.toString(v));
            }
            cm.add(row);
        }
        sb.append(Tables.render(header, cm));
        return sb.toString().stripTrailing();
    }

    static String clinicalLines(List<ClinicalMetrics> clinical) {
        StringBuilder sb = new StringBuilder();
        for (ClinicalMetrics c : clinical) {
            sb.append(String.format(Locale.ROOT, "%n%s: sensitivity %s, specificity %s, PPV %s, NPV %s at %s; "
                            + "ROC AUC %s (95 %% CI %s-%s), AP %s, ECE %s", c.positive(), f3(c.sensitivity()),
                    f3(c.specificity()), f3(c.ppv()), f3(c.npv()), Double.isNaN(c.threshold()) ? "the most probable "
                            + "class" : "threshold " + f3(c.threshold()) + " (" + c.thresholdRule() + ")",
                    f3(c.rocAuc()), f3(c.rocAucCi()[0]), f3(c.rocAucCi()[1]), f3(c.averagePrecision()),
                    f3(c.calibration().ece())));
        }
        return sb.toString();
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
