package io.transfer4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.cli.internal.FineTunerTrainer;
import io.transfer4j.cli.internal.FitPipeline;
import io.transfer4j.cli.internal.Predictions;
import io.transfer4j.cli.internal.StagedDirectory;
import io.transfer4j.cli.internal.WorkDirs;
import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.Zoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code transfer4j quickstart}: the whole transfer-learning path on a generated image set, in a few minutes on a
 * laptop CPU. Writes {@code WORKDIR/data} (reused by later runs) and {@code WORKDIR/run} (replaced only when a new
 * run completes).
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune ResNet50 (or --backbone mobilenetv2 / vgg16) on a generated 4-class image set (circles, squares, stripes, triangles; "
                + "100 PNG/JPEG images each) and show every step: ImageNet weights (or random initialisation when "
                + "they are not installed), frozen backbone, new head (global average pooling -> softmax), head "
                + "training, fine-tuning of the last stage (res5; stage5 / block5) with a lower learning rate and early stopping, "
                + "evaluation on a held-out test split, a saved model bundle, three predictions and a run report.",
                "Input size: 64 x 64 px, so it finishes in a few minutes on a 2-core CPU."},
        footer = {"", "Writes:",
                "  WORKDIR/data/<class>/*.png|jpg   the sample images (kept; a second run reuses them)",
                "  WORKDIR/run/model.t4j            the model bundle (transfer4j predict --model ...)",
                "  WORKDIR/run/report.html          plots, metrics, most-confused images with Grad-CAM",
                "  WORKDIR/run/...                  config.json, split.json, history.csv/json, PNG plots, metrics"})
public final class QuickstartCommand implements Callable<Integer> {

    /** Disk space the quickstart needs: images, the ResNet50 bundle (~95 MB) and its checkpoints. */
    static final long NEEDED_BYTES = 600L * 1000 * 1000;

    @Spec
    CommandSpec spec;

    @Option(names = "--workdir", paramLabel = "DIR", defaultValue = "transfer4j-work",
            description = "Where to write the data and the run (default: ./${DEFAULT-VALUE}).")
    Path workdir;

    @Option(names = "--backbone", defaultValue = "resnet50", paramLabel = "ID",
            description = "Backbone: resnet50 (default), mobilenetv2 (~13x fewer FLOPs: the fast choice on a CPU) or"
                    + " vgg16. Its last group is the one fine-tuned.")
    String backbone;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for data, split, head and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    // smaller runs for tests and demos on slow machines
    @Option(names = "--images-per-class", defaultValue = "100", hidden = true)
    int imagesPerClass;

    @Option(names = "--size", defaultValue = "64", hidden = true)
    int size;

    @Option(names = "--head-epochs", defaultValue = "4", hidden = true)
    int headEpochs;

    @Option(names = "--fine-tune-epochs", defaultValue = "4", hidden = true)
    int fineTuneEpochs;

    @Override
    public Integer call() throws Exception {
        Output out = Output.of(spec);
        if (imagesPerClass < 4) {
            throw new UsageException("--images-per-class must be >= 4 (train, validation and test need images of "
                    + "every class); received " + imagesPerClass);
        }
        if (size < 32) {
            throw new UsageException("--size must be >= 32 (the backbones' smallest input); received " + size);
        }
        String lastGroup = switch (backbone) {
            case "resnet50" -> "res5";
            case "mobilenetv2" -> "stage5";
            case "vgg16" -> "block5";
            default -> throw new UsageException("--backbone must be resnet50, mobilenetv2 or vgg16; received '"
                    + backbone + "'");
        };
        Instant t0 = Instant.now();
        out.info("transfer4j quickstart: " + backbone + " transfer learning on generated images at " + size + "x"
                + size + " px");
        Path work = WorkDirs.prepare(workdir, "work directory (--workdir)", NEEDED_BYTES);

        ImageFolders.Spec data = new ImageFolders.Spec(4, imagesPerClass, 96, List.of("png", "jpg"), seed);
        Path dataDir = work.resolve("data");
        boolean made = ImageFolders.ensure(dataDir, data);
        out.info((made ? "Wrote " : "Reusing ") + 4 * imagesPerClass + " sample images (" + String.join(", ",
                data.classNames()) + "; PNG and JPEG, 96 px) in " + dataDir);

        FitConfig cfg = new FitConfig(dataDir, backbone, work.resolve("run"), seed, size, 16, 0.15, 0.15,
                FitConfig.Weights.AUTO, FitConfig.Pooling.AVG, List.of(), 0.0, false, headEpochs, 1e-3, lastGroup,
                fineTuneEpochs, 1e-4, 2).withDefaults();
        FitPipeline.Outcome o;
        List<Predictions.Row> predicted;
        try (StagedDirectory run = StagedDirectory.begin(cfg.runDir())) {
            o = FitPipeline.run("transfer4j quickstart", cfg, FitPipeline.Mode.ONE_SHOT, run.staging(), run.target(),
                    Zoo.fromEnvironment(), new FineTunerTrainer(), out);
            predicted = Predictions.predict(run.staging().resolve(FitPipeline.BUNDLE), examples(o.split()));
            run.commit();
        }
        Duration took = Duration.between(t0, Instant.now());
        out.result(out.wrap(summary(o, predicted, dataDir, took)), Output.fields(
                "testAccuracy", o.test() == null ? null : o.test().accuracy(),
                "bundle", o.bundle().toString(), "report", o.report().toString(), "runDir", o.runDir().toString(),
                "data", dataDir.toString(), "inputSize", size, "pretrained", o.weights().pretrained(),
                "seconds", took.toMillis() / 1000.0, "predictions", predicted.stream().map(p -> Output.fields(
                        "file", p.file().toString(), "label", p.label(), "probability", p.probability())).toList()));
        return ExitCode.OK;
    }

    /** One test image of each of the first three classes. */
    static List<Path> examples(DataSplit split) {
        List<Path> files = new ArrayList<>();
        for (String c : split.classes().subList(0, Math.min(3, split.classes().size()))) {
            split.test().stream().filter(i -> i.label().equals(c)).findFirst()
                    .ifPresent(i -> files.add(split.root().resolve(i.file())));
        }
        return files;
    }

    static String summary(FitPipeline.Outcome o, List<Predictions.Row> predicted, Path dataDir, Duration took) {
        StringBuilder sb = new StringBuilder("\n");
        if (o.test() != null) {
            sb.append(String.format(Locale.ROOT, "Test accuracy: %.1f %% on %d held-out images%s%n",
                    100 * o.test().accuracy(), o.test().examples(), o.weights().pretrained() ? ""
                            : " (random initialisation: install ImageNet weights for far better results)"));
        }
        sb.append("Predictions with the saved bundle:\n");
        for (Predictions.Row r : predicted) {
            sb.append(String.format(Locale.ROOT, "  %-32s -> %-10s %5.1f %%%n", dataDir.relativize(r.file()),
                    r.label(), 100 * r.probability()));
        }
        sb.append("\nWritten:\n");
        sb.append("  model bundle   ").append(o.bundle()).append('\n');
        sb.append("  run report     ").append(o.report()).append('\n');
        sb.append("  run directory  ").append(o.runDir()).append(" (config, split, history.csv/json, plots, metrics)\n");
        sb.append("  sample data    ").append(dataDir).append('\n');
        sb.append(String.format(Locale.ROOT, "%nDone in %.0f s. Next: transfer4j predict --model %s IMAGE...",
                took.toMillis() / 1000.0, o.bundle()));
        return sb.toString();
    }
}
