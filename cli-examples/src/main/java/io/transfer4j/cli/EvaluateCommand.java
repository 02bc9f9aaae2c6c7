package io.transfer4j.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.cli.internal.Args;
import io.transfer4j.cli.internal.FitRun;
import io.transfer4j.cli.internal.Tables;
import io.transfer4j.cli.report.ClassMetrics;
import io.transfer4j.cli.report.Evaluation;
import io.transfer4j.core.TransferModel;
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
        // the folders may be a subset of the model's labels (a test set without some class)
        int[] toModelIndex = folders.stream().mapToInt(labels::indexOf).toArray();
        io.transfer4j.training.Metrics metrics;
        try (DirectoryFlow flow = ImagePipeline.of(m.normalization()).flowFromDirectory(data, opts)) {
            if (flow.samples() == 0) {
                throw new UsageException("--data " + data + " holds no readable images in its class folders");
            }
            metrics = FitRun.metrics(labels, FitRun.score(m.graph(), flow, out, "evaluate", toModelIndex));
        }
        Evaluation eval = Evaluation.of(metrics);
        out.result(format(eval, data, FitRun.seconds(t0)) + String.format(Locale.ROOT,
                "%n%nloss %.4f, top-2 accuracy %.1f %%, ROC AUC %.3f", metrics.loss(), 100 * metrics.topKAccuracy(),
                metrics.rocAuc()), Output.fields("model", model.toString(),
                "data", data.toString(), "samples", eval.total(), "accuracy", eval.accuracy(),
                "macroF1", eval.macroF1(), "loss", metrics.loss(), "top2Accuracy", metrics.topKAccuracy(),
                "rocAuc", metrics.rocAuc(), "labels", eval.labels(), "perClass", eval.perClass(),
                "confusion", eval.confusion()));
        return Transfer4j.OK;
    }

    static String format(Evaluation e, Path data, String took) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d images in %s: accuracy %.1f %%, macro F1 %.3f (%s)%n%n",
                e.total(), data, 100 * e.accuracy(), e.macroF1(), took));
        List<List<String>> rows = new ArrayList<>();
        for (ClassMetrics c : e.perClass()) {
            rows.add(List.of(c.label(), f3(c.precision()), f3(c.recall()), f3(c.f1()), Integer.toString(c.support())));
        }
        sb.append(Tables.render(List.of("class", "precision", "recall", "f1", "support"), rows)).append('\n');
        sb.append("confusion matrix (rows: actual, columns: predicted)\n");
        List<String> header = new ArrayList<>();
        header.add("");
        header.addAll(e.labels());
        List<List<String>> cm = new ArrayList<>();
        int[][] m = e.confusion();
        for (int i = 0; i < m.length; i++) {
            List<String> row = new ArrayList<>();
            row.add(e.labels().get(i));
            for (int v : m[i]) {
                row.add(Integer.toString(v));
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
