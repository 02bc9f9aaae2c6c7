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

    @Override
    public Integer call() throws Exception {
        Output out = Output.of(spec);
        Args.existingDir(data, "--data");
        if (batchSize < 1) {
            throw new UsageException("--batch-size must be >= 1; received " + batchSize);
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
        FlowOptions opts = FlowOptions.builder().targetSize(m.input().height(), m.input().width())
                .batchSize(batchSize).shuffle(false).classes(folders).build();
        Metrics metrics;
        try (DirectoryFlow flow = ImagePipeline.of(m.normalization()).flowFromDirectory(data, opts)) {
            if (flow.samples() == 0) {
                throw new UsageException("--data " + data + " holds no readable images in its class folders");
            }
            try (Output.Progress bar = out.progress("evaluate", flow.batchesPerEpoch(), "batches")) {
                // the folders may be a subset of the model's labels (a test set without some class): by name
                metrics = FineTuner.evaluate(m, flow, FineTunerTrainer.TOP_K, done -> bar.update(done, null));
            }
        }
        out.result(format(metrics, data, FitRun.seconds(t0)) + String.format(Locale.ROOT,
                "%n%nloss %.4f, top-2 accuracy %.1f %%, ROC AUC %.3f", metrics.loss(), 100 * metrics.topKAccuracy(),
                metrics.rocAuc()), Output.fields("model", model.toString(),
                "data", data.toString(), "samples", metrics.examples(), "accuracy", metrics.accuracy(),
                "macroF1", metrics.macroF1(), "loss", metrics.loss(), "top2Accuracy", metrics.topKAccuracy(),
                "rocAuc", metrics.rocAuc(), "labels", metrics.labels(), "perClass", perClassFields(metrics),
                "confusion", metrics.confusion()));
        return ExitCode.OK;
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

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
