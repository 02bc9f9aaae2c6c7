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

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.MnistData;
import io.transfer4j.augmentation.MnistFlow;
import io.transfer4j.cli.Output;
import io.transfer4j.cli.ExitCode;
import io.transfer4j.cli.UsageException;
import io.transfer4j.cli.internal.FineTunerTrainer;
import io.transfer4j.cli.report.Plots;
import io.transfer4j.cli.report.RunReport;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.History;
import io.transfer4j.training.Metric;
import io.transfer4j.training.Metrics;
import io.transfer4j.internal.AtomicFiles;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What examples a and b share: reading MNIST / Fashion-MNIST, the seeded validation split, training the tutorial
 * CNN, and writing history, learning curve, metrics (and optionally the model) to {@code --out}.
 */
abstract class AbstractMnistExample implements Callable<Integer> {

    /** The two label sets the tutorials use. */
    enum Classes {
        DIGITS(MnistFlow.DIGIT_LABELS), FASHION(MnistFlow.FASHION_LABELS);

        final List<String> names;

        Classes(List<String> names) {
            this.names = names;
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR|FILE.csv",
            description = "A directory with the IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
                    + "t10k-...) or Kaggle CSVs (mnist_train.csv, fashion-mnist_train.csv, ..._test.csv); or a Kaggle "
                    + "training CSV file (label, then 784 pixels).")
    Path data;

    @Option(names = "--test-data", paramLabel = "DIR|FILE.csv",
            description = "Where the test part is (default: the same directory; for a CSV file, the same name with "
                    + "'train' replaced by 'test').")
    Path testData;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (created). Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--classes", defaultValue = "DIGITS",
            description = "Class names for reports: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Classes classes;

    @Option(names = "--epochs", defaultValue = "15", description = "Default: ${DEFAULT-VALUE} (as the tutorial).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "512", description = "Default: ${DEFAULT-VALUE} (as the tutorial).")
    int batchSize;

    @Option(names = "--validation-split", defaultValue = "0.3",
            description = "Share of the training set held out for validation, stratified. Default: ${DEFAULT-VALUE}.")
    double validationSplit;

    @Option(names = "--seed", defaultValue = "42", description = "Seeds the split, the shuffling, the weights and "
            + "the augmentation. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--learning-rate", defaultValue = "0.001",
            description = "RMSprop learning rate (rho 0.9, epsilon 1e-7 as Keras). Default: ${DEFAULT-VALUE}.")
    double learningRate;

    /** Where RMSprop's epsilon sits (see {@link Keras2RmsProp}). */
    enum RmsPropForm {
        /** DL4J's RmsProp (and Keras 3): lr*g / (sqrt(ms) + eps). */
        DL4J,
        /** Keras 2 / TensorFlow ApplyRMSProp: lr*g / sqrt(ms + eps). */
        KERAS2
    }

    @Option(names = "--rmsprop", defaultValue = "DL4J",
            description = "RMSprop form: DL4J = DL4J's RmsProp (as Keras 3: lr*g/(sqrt(ms)+eps)); KERAS2 = Keras 2 / "
                    + "TensorFlow (lr*g/sqrt(ms+eps)). Default: ${DEFAULT-VALUE}.")
    RmsPropForm rmsProp;

    @Option(names = "--limit-train", paramLabel = "N",
            description = "Use only the first N training images (before the split): for quick trials.")
    Integer limitTrain;

    @Option(names = "--limit-test", paramLabel = "N", description = "Evaluate on the first N test images only.")
    Integer limitTest;

    @Option(names = "--save-model", description = "Also write the trained network as model.zip (DL4J format).")
    boolean saveModel;

    @Option(names = "--restore-best-weights", description = "After training, go back to the weights of the epoch "
            + "with the lowest val_loss before testing, as Keras's EarlyStopping(monitor='val_loss', "
            + "restore_best_weights=True) with no early stop (or ModelCheckpoint(save_best_only=True) then "
            + "load_weights). Not in the tutorial's recipe, so off by default; the test accuracy of the last "
            + "epoch's weights is reported too.")
    boolean restoreBestWeights;

    /** Example name, used for the default output directory and in the metrics. */
    abstract String exampleName();

    /**
     * The training-set augmentation ({@link AugmentOptions#none()} for none); bad values throw a
     * {@link UsageException}. Called before any data is read.
     */
    abstract AugmentOptions augmentation();

    /** Settings of the augmentation for metrics.json; empty for none. */
    Map<String, Object> augmentationSettings() {
        return Map.of();
    }

    @Override
    public Integer call() throws IOException {
        check();
        AugmentOptions aug = augmentation();   // checks the augmentation options before any data is read
        Output log = Output.of(spec);
        long t0 = System.nanoTime();
        MnistData all = MnistData.read(data, MnistData.Part.TRAIN);
        MnistData test = MnistData.read(testLocation(), MnistData.Part.TEST);
        if (all.rows() != test.rows() || all.cols() != test.cols()) {
            throw new UsageException("training images are " + all.rows() + "x" + all.cols() + " but test images are "
                    + test.rows() + "x" + test.cols() + "; use the two parts of the same data set");
        }
        if (limitTrain != null) {
            all = all.first(limitTrain);
        }
        if (limitTest != null) {
            test = test.first(limitTest);
        }
        MnistData.Split split = all.split(validationSplit, seed);
        log.info(String.format(Locale.ROOT, "%s: %d training, %d validation, %d test images (%dx%d) from %s",
                exampleName(), split.train().size(), split.validation().size(), test.size(), all.rows(), all.cols(),
                data));

        MnistFlow train = MnistFlow.builder(split.train()).batchSize(batchSize).shuffle(true).seed(seed)
                .augment(aug).labels(classes.names).build();
        MnistFlow val = MnistFlow.builder(split.validation()).batchSize(batchSize).shuffle(false)
                .labels(classes.names).build();
        MnistFlow testFlow = MnistFlow.builder(test).batchSize(batchSize).shuffle(false).labels(classes.names).build();

        MultiLayerNetwork net = MnistCnn.network(all.rows(), all.cols(), seed, rmsProp == RmsPropForm.KERAS2
                ? new Keras2RmsProp(learningRate, MnistCnn.KERAS_RMSPROP_RHO, MnistCnn.KERAS_RMSPROP_EPSILON)
                : new org.nd4j.linalg.learning.config.RmsProp(learningRate, MnistCnn.KERAS_RMSPROP_RHO,
                        MnistCnn.KERAS_RMSPROP_EPSILON));
        log.info(String.format(Locale.ROOT, "model: %,d parameters; RMSprop %s form (lr=%s, rho=%s, eps=%s), batch %d, %d epochs%s",
                net.numParams(), rmsProp, learningRate, MnistCnn.KERAS_RMSPROP_RHO, MnistCnn.KERAS_RMSPROP_EPSILON, batchSize,
                epochs, train.isAugmented() ? ", augmented training data" : ""));

        Path outDir = outputDir();
        List<EpochRecord> history = new ArrayList<>();
        long trainStart = System.nanoTime();
        BestWeights best = new BestWeights();
        FineTunerTrainer.Talk talk = new FineTunerTrainer.Talk(log);
        MnistCnn.fit(net, train, val, epochs, row -> {
            history.add(row);
            if (restoreBestWeights) {
                best.offer(net, row);
            }
            talk.onEpoch(row);
            try {
                new History(history).write(outDir);   // kept current, so a killed run still has its history
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        Metrics testScore = MnistCnn.evaluate(net, testFlow);
        Metrics lastEpochScore = testScore;
        if (restoreBestWeights && best.epoch != history.get(history.size() - 1).epoch()) {
            net.setParams(best.params);
            testScore = MnistCnn.evaluate(net, testFlow);
        }
        double totalSeconds = (System.nanoTime() - t0) / 1e9;

        AtomicFiles.write(outDir.resolve(RunReport.LEARNING_CURVE), Plots.png(Plots.learningCurve(history)));
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("example", exampleName());
        metrics.put("data", data.toAbsolutePath().normalize().toString());
        metrics.put("data_source", all.source());
        metrics.put("train_images", split.train().size());
        metrics.put("validation_images", split.validation().size());
        metrics.put("test_images", test.size());
        metrics.put("parameters", net.numParams());
        metrics.put("epochs", epochs);
        metrics.put("batch_size", batchSize);
        metrics.put("optimizer", Map.of("name", "RMSprop", "form", rmsProp.name(), "learning_rate", learningRate,
                "rho", MnistCnn.KERAS_RMSPROP_RHO, "epsilon", MnistCnn.KERAS_RMSPROP_EPSILON));
        metrics.put("seed", seed);
        metrics.put("augmentation", augmentationSettings());
        metrics.put("test_loss", testScore.loss());
        metrics.put("test_accuracy", testScore.accuracy());
        if (restoreBestWeights) {
            metrics.put("restored_best_epoch", best.epoch);
            metrics.put("restored_best_val_loss", best.valLoss);
            metrics.put("last_epoch_test_loss", lastEpochScore.loss());
            metrics.put("last_epoch_test_accuracy", lastEpochScore.accuracy());
        }
        EpochRecord last = history.get(history.size() - 1);
        metrics.put("final_val_accuracy", last.value(Metric.VAL_ACCURACY));
        metrics.put("final_train_accuracy", last.value(Metric.ACCURACY));
        metrics.put("train_seconds", trainSeconds);
        metrics.put("total_seconds", totalSeconds);
        metrics.put("mean_train_images_per_second",
                history.stream().mapToDouble(EpochRecord::imagesPerSecond).average().orElse(0));
        metrics.put("machine", machine());
        writeJson(outDir.resolve(METRICS), metrics);
        if (saveModel) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            ModelSerializer.writeModel(net, bytes, true);
            AtomicFiles.write(outDir.resolve("model.zip"), bytes.toByteArray());
        }
        String restored = !restoreBestWeights ? "" : String.format(Locale.ROOT, " with the weights of epoch %d "
                + "(lowest val_loss %.4f; last epoch's weights: test accuracy %.4f)", best.epoch, best.valLoss,
                lastEpochScore.accuracy());
        log.result(String.format(Locale.ROOT, "test loss %.4f, test accuracy %.4f (%d images)%s; training took %.0f s, "
                        + "total %.0f s%nwrote %s (history.csv/json, learning-curve.png, metrics.json%s)", testScore.loss(),
                testScore.accuracy(), testScore.examples(), restored, trainSeconds, totalSeconds, outDir,
                saveModel ? ", model.zip" : ""), Output.fields("out", outDir.toString(), "metrics", metrics));
        return ExitCode.OK;
    }

    /** The parameters of the epoch with the lowest validation loss so far (Keras keeps the first of equals). */
    static final class BestWeights {
        INDArray params;
        int epoch = -1;
        double valLoss = Double.POSITIVE_INFINITY;

        @SuppressWarnings("try")   // the workspace scope is used for its side effect only
        void offer(MultiLayerNetwork net, EpochRecord row) {
            if (row.valLoss() < valLoss) {
                try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    params = net.params().dup();
                }
                epoch = row.epoch();
                valLoss = row.valLoss();
            }
        }
    }

    private void check() {
        if (epochs < 1) {
            throw new UsageException("--epochs must be >= 1; received " + epochs);
        }
        if (batchSize < 1) {
            throw new UsageException("--batch-size must be >= 1; received " + batchSize);
        }
        if (!(validationSplit > 0 && validationSplit < 1)) {
            throw new UsageException("--validation-split must be in (0, 1); received " + validationSplit);
        }
        if (!(learningRate > 0)) {
            throw new UsageException("--learning-rate must be > 0; received " + learningRate);
        }
        if (limitTrain != null && limitTrain < 10) {
            throw new UsageException("--limit-train must be >= 10 (some images per class); received " + limitTrain);
        }
        if (limitTest != null && limitTest < 1) {
            throw new UsageException("--limit-test must be >= 1; received " + limitTest);
        }
        if (!Files.exists(data)) {
            throw new UsageException("--data " + data + " does not exist; pass the directory with the MNIST or "
                    + "Fashion-MNIST IDX files (e.g. ../shared/datasets/mnist) or a Kaggle training CSV");
        }
        if (testData != null && !Files.exists(testData)) {
            throw new UsageException("--test-data " + testData + " does not exist");
        }
    }

    private Path testLocation() {
        if (testData != null) {
            return testData;
        }
        if (Files.isDirectory(data)) {
            return data;
        }
        String name = data.getFileName().toString();
        Path sibling = data.resolveSibling(name.replace("train", "test"));
        if (name.contains("train") && Files.isRegularFile(sibling)) {
            return sibling;
        }
        throw new UsageException("cannot tell where the test data for " + data + " is (looked for "
                + (name.contains("train") ? sibling.getFileName() : "a name containing 'train'") + "); pass --test-data FILE.csv");
    }

    private Path outputDir() throws IOException {
        Path dir = out != null ? out : Path.of("runs", exampleName());
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("--out " + dir + " is a file; pass a directory (it is created when missing)");
        }
        Files.createDirectories(dir);
        return dir;
    }

    /** The examples' {@code metrics.json}: what was run and what came out. */
    static final String METRICS = "metrics.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes {@code values} as indented JSON, atomically. */
    static void writeJson(Path file, Map<String, ?> values) throws IOException {
        AtomicFiles.write(file, JSON.writeValueAsBytes(values));
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("load_average_at_end", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        m.put("nd4j_backend", Nd4j.getBackend().getClass().getSimpleName());
        return m;
    }
}
