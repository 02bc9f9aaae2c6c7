package io.transfer4j.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.augmentation.Subset;
import io.transfer4j.cli.Output;
import io.transfer4j.cli.ExitCode;
import io.transfer4j.cli.UsageException;
import io.transfer4j.cli.internal.FineTunerTrainer;
import io.transfer4j.cli.report.Plots;
import io.transfer4j.cli.report.RunReport;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.Metric;
import io.transfer4j.training.ProgressListener;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.internal.AtomicFiles;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The command-line frame of examples c and d; the tutorial itself is each example's {@link #fit} method. This
 * class checks the options, gives the example its backbone (ImageNet weights when they can be had, random weights
 * otherwise, said loudly) and its folder flows ({@code flow_from_directory} semantics: Keras's per-class
 * validation split, the first share of each class's sorted files), and after training adds the learning curve
 * and {@code metrics.json} to the run directory {@code --out}, where {@code FineTuner} has written the history,
 * the checkpoints and {@code model.t4j}.
 */
abstract class AbstractTransferExample implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", defaultValue = "../shared/datasets/dl4j-animals", paramLabel = "DIR",
            description = "One sub-directory per class. Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (created): history, checkpoints, "
            + "model.t4j, learning curve, metrics. The same directory again continues an interrupted run. "
            + "Default: runs/NAME.")
    Path out;

    @Option(names = "--image-size", paramLabel = "PX", description = "Input height and width. Default: 224 with "
            + "ImageNet weights; 64 with random weights (offline), to keep the run short.")
    Integer imageSize;

    @Option(names = "--batch-size", defaultValue = "16", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--validation-split", defaultValue = "0.2",
            description = "Share of each class held out (Keras semantics: the first files in sorted order). "
                    + "Default: ${DEFAULT-VALUE}.")
    double validationSplit;

    @Option(names = "--patience", defaultValue = "3", description = "Early stopping: epochs without a lower "
            + "val_loss before a phase stops (the best epoch's weights are kept). Default: ${DEFAULT-VALUE}.")
    int patience;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    /** Facts for {@code metrics.json}, filled while the example runs. */
    final Map<String, Object> metrics = new LinkedHashMap<>();
    Output log;
    private Backbone backbone;
    private int size;

    abstract String exampleName();

    abstract String backboneId();

    /** The tutorial: build the model on {@link #backbone()} and train it on {@link #flow} data into {@code runDir}. */
    abstract TrainingResult fit(Path runDir);

    void checkOptions() {
    }

    /** The backbone, ImageNet-pretrained when the weights can be had (see {@link #call()}). */
    final Backbone backbone() {
        return backbone;
    }

    /** {@code flow_from_directory(data, target_size, batch_size, subset=...)}; training data shuffled. */
    final DirectoryFlow flow(Subset subset) {
        FlowOptions options = FlowOptions.builder().targetSize(size, size).batchSize(batchSize).seed(seed)
                .subset(subset).shuffle(subset == Subset.TRAINING).build();
        DirectoryFlow flow = ImagePipeline.forBackbone(backbone.spec())
                .augment(AugmentOptions.builder().validationSplit(validationSplit).build())
                .flowFromDirectory(data, options);
        metrics.put(subset == Subset.TRAINING ? "train_images" : "validation_images", flow.samples());
        if (subset == Subset.TRAINING) {
            metrics.put("classes", flow.getLabels());
        }
        return flow;
    }

    /** Progress bars and one line per epoch, as {@code transfer4j fit} shows them. */
    final ProgressListener progress() {
        return new FineTunerTrainer.Talk(log);
    }

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(data)) {
            throw new UsageException("--data " + data + " is not a directory; pass a folder with one sub-directory "
                    + "per class (e.g. ../shared/datasets/dl4j-animals)");
        }
        if (batchSize < 1) {
            throw new UsageException("--batch-size must be >= 1; received " + batchSize);
        }
        if (!(validationSplit > 0 && validationSplit < 1)) {
            throw new UsageException("--validation-split must be in (0, 1); received " + validationSplit);
        }
        if (imageSize != null && imageSize < 32) {
            throw new UsageException("--image-size must be >= 32 (the backbones' minimum); received " + imageSize);
        }
        if (patience < 1) {
            throw new UsageException("--patience must be >= 1; received " + patience);
        }
        checkOptions();
        Path runDir = out != null ? out : Path.of("runs", exampleName());
        if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
            throw new UsageException("--out " + runDir + " is a file; pass a directory (it is created when missing)");
        }
        log = Output.of(spec);
        long t0 = System.nanoTime();
        io.transfer4j.zoo.Backend.ensureInitialised();
        Zoo zoo = Zoo.fromEnvironment();
        List<String> notes = new ArrayList<>();
        size = imageSize != null ? imageSize : 224;
        backbone = zoo.loadOrRandom(backboneId(), InputShape.rgb(size, size), seed, notes::add);
        boolean pretrained = backbone.weights().pretrained();
        if (!pretrained) {
            log.warn("ImageNet weights for " + backboneId() + " cannot be had here: " + String.join(" ", notes));
            log.warn("to use them, run `transfer4j models download " + backboneId() + "` on a connected "
                    + "machine, or copy the file and run `transfer4j models install " + backboneId() + " --from FILE`.");
            log.warn("running with RANDOM initialisation instead: the accuracy below says the pipeline "
                    + "works, not what transfer learning achieves.");
            if (imageSize == null) {
                size = 64;
                backbone = zoo.random(backboneId(), InputShape.rgb(size, size), seed);
                log.warn("input size " + size + " px with random weights (pass --image-size to change it).");
            }
        }
        metrics.put("example", exampleName());
        metrics.put("data", data.toAbsolutePath().normalize().toString());
        metrics.put("backbone", backboneId());
        metrics.put("input_size", size);
        metrics.put("pretrained_weights", pretrained);
        metrics.put("weights_note", pretrained ? backbone.weights().source()
                : "random initialisation; accuracy says little about transfer learning. " + String.join(" ", notes));
        metrics.put("batch_size", batchSize);
        metrics.put("patience", patience);
        metrics.put("seed", seed);
        log.info(String.format(Locale.ROOT, "%s: %s %dx%d, %s, data %s", exampleName(), backboneId(), size, size,
                pretrained ? "ImageNet weights" : "random weights", data));

        TrainingResult result = fit(runDir);

        List<EpochRecord> history = result.history();
        AtomicFiles.write(runDir.resolve(RunReport.LEARNING_CURVE), Plots.png(Plots.learningCurve(history)));
        EpochRecord last = history.get(history.size() - 1);
        double totalSeconds = (System.nanoTime() - t0) / 1e9;
        metrics.put("epochs_run", history.size());
        metrics.put("final_accuracy", last.value(Metric.ACCURACY));
        metrics.put("final_val_accuracy", last.value(Metric.VAL_ACCURACY));
        metrics.put("final_val_loss", last.valLoss());
        metrics.put("total_seconds", totalSeconds);
        metrics.put("machine", AbstractMnistExample.machine());
        AbstractMnistExample.writeJson(runDir.resolve(AbstractMnistExample.METRICS), metrics);
        log.result(String.format(Locale.ROOT, "validation accuracy %.4f (%s images) after %d epochs%s; total %.0f s"
                        + "%nwrote %s (history.csv/json, model.t4j, learning-curve.png, metrics.json; checkpoints)",
                last.value(Metric.VAL_ACCURACY), metrics.get("validation_images"), history.size(),
                pretrained ? "" : " -- random weights: not a transfer-learning result", totalSeconds, runDir),
                Output.fields("out", runDir.toString(), "metrics", metrics));
        return ExitCode.OK;
    }
}
