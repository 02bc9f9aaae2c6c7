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

import org.deeplearning4j.nn.graph.ComputationGraph;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.augmentation.Subset;
import io.transfer4j.cli.Output;
import io.transfer4j.cli.ExitCode;
import io.transfer4j.cli.UsageException;
import io.transfer4j.core.TransferModel;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What examples c and d share: a class-folder data set read with {@code flow_from_directory} semantics (Keras's
 * per-class validation split: the first share of each class's sorted files), a backbone from the zoo with
 * ImageNet weights when they can be had and random weights otherwise (said loudly), training, and the outputs.
 */
abstract class AbstractTransferExample implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", defaultValue = "../shared/datasets/dl4j-animals", paramLabel = "DIR",
            description = "One sub-directory per class. Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (created). Default: runs/NAME.")
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

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    abstract String exampleName();

    abstract String backboneId();

    /** Builds the model on the backbone and trains it, reporting every epoch; returns the history. */
    abstract List<MnistCnn.Epoch> train(Backbone backbone, List<String> labels, DirectoryFlow trainFlow,
                                        DirectoryFlow valFlow, Output log, Map<String, Object> metrics,
                                        List<Integer> phaseStarts);

    /** Training-set augmentation ({@link AugmentOptions#none()} for none). */
    AugmentOptions augmentation() {
        return AugmentOptions.none();
    }

    void checkOptions() {
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
        checkOptions();
        Output log = Output.of(spec);
        long t0 = System.nanoTime();
        io.transfer4j.zoo.Backend.ensureInitialised();
        Zoo zoo = Zoo.fromEnvironment();
        List<String> notes = new ArrayList<>();
        int size = imageSize != null ? imageSize : 224;
        Backbone backbone = zoo.loadOrRandom(backboneId(), InputShape.rgb(size, size), seed, notes::add);
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

        ImagePipeline pipeline = ImagePipeline.forBackbone(backbone.spec());
        FlowOptions.Builder fo = FlowOptions.builder().targetSize(size, size).batchSize(batchSize).seed(seed)
                .validationSplit(validationSplit);
        DirectoryFlow trainFlow = pipeline.augment(augmentation())
                .flowFromDirectory(data, fo.subset(Subset.TRAINING).shuffle(true).build());
        DirectoryFlow valFlow = pipeline.withoutAugmentation()
                .flowFromDirectory(data, fo.subset(Subset.VALIDATION).shuffle(false).build());
        List<String> labels = trainFlow.getLabels();
        log.info(String.format(Locale.ROOT, "%s: %d training, %d validation images of %d classes %s from %s; %s %dx%d, %s",
                exampleName(), trainFlow.samples(), valFlow.samples(), labels.size(), labels, data, backboneId(),
                size, size, pretrained ? "ImageNet weights" : "random weights"));

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("example", exampleName());
        metrics.put("data", data.toAbsolutePath().normalize().toString());
        metrics.put("classes", labels);
        metrics.put("train_images", trainFlow.samples());
        metrics.put("validation_images", valFlow.samples());
        metrics.put("backbone", backboneId());
        metrics.put("input_size", size);
        metrics.put("pretrained_weights", pretrained);
        metrics.put("weights_note", pretrained ? backbone.weights().source()
                : "random initialisation; accuracy says little about transfer learning. " + String.join(" ", notes));
        metrics.put("batch_size", batchSize);
        metrics.put("seed", seed);

        ExampleOutputs outputs = new ExampleOutputs(out != null ? out : Path.of("runs", exampleName()));
        List<Integer> phaseStarts = new ArrayList<>();
        List<MnistCnn.Epoch> history;
        try (trainFlow; valFlow) {
            history = train(backbone, labels, trainFlow, valFlow, log, metrics, phaseStarts);
        }
        double totalSeconds = (System.nanoTime() - t0) / 1e9;
        outputs.writeHistory(history);
        outputs.writeLearningCurve(exampleName() + (pretrained ? "" : " (random init)"), history, phaseStarts);
        MnistCnn.Epoch last = history.get(history.size() - 1);
        metrics.put("final_val_accuracy", last.valAccuracy());
        metrics.put("final_val_loss", last.valLoss());
        metrics.put("total_seconds", totalSeconds);
        metrics.put("machine", AbstractMnistExample.machine());
        outputs.writeJson("metrics.json", metrics);
        log.result(String.format(Locale.ROOT, "validation accuracy %.4f (%d images)%s; total %.0f s%nwrote %s "
                        + "(history.csv, learning-curve.png, metrics.json)", last.valAccuracy(), valFlow.samples(),
                pretrained ? "" : " -- random weights: not a transfer-learning result", totalSeconds, outputs.dir()),
                Output.fields("out", outputs.dir().toString(), "metrics", metrics));
        return ExitCode.OK;
    }

    static void printEpoch(Output log, String phase, MnistCnn.Epoch row) {
        Map<String, Object> fields = Output.fields("phase", phase);
        fields.putAll(ExampleOutputs.epochFields(row));
        log.event("epoch", fields, String.format(Locale.ROOT, "[%s] %s", phase, row));
    }

    static ComputationGraph graphOf(TransferModel m) {
        return m.graph();
    }
}
