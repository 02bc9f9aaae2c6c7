package io.transfer4j.spark;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.FineTunePlan;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code spark-submit} entry point: {@code score} a folder or manifest with a bundle, or {@code fine-tune} a
 * backbone on a folder of class sub-folders. See spark/README.md for the full command lines.
 */
@Command(name = "transfer4j-spark", mixinStandardHelpOptions = true, subcommands = {SparkMain.Score.class,
        SparkMain.FineTune.class}, description = "transfer4j on Apache Spark: batch scoring and distributed fine-tuning.")
public final class SparkMain implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new SparkMain())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("transfer4j-spark: " + (e.getMessage() == null ? e : e.getMessage()));
                    return 1;
                }).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }

    private static JavaSparkContext context(String app) {
        SparkConf conf = new SparkConf().setAppName(app);
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        return new JavaSparkContext(conf);
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = "Top-k labels (and optional embeddings) for every image of a folder or manifest.")
    static final class Score implements Callable<Integer> {
        @Option(names = "--bundle", required = true, description = "the .t4j bundle (any Hadoop path the driver reads)")
        String bundle;
        @Option(names = "--input", description = "a folder of images, scanned recursively")
        String input;
        @Option(names = "--manifest", description = "a text file with one image path per line")
        String manifest;
        @Option(names = "--output", required = true, description = "output directory (must not exist)")
        String output;
        @Option(names = "--format", defaultValue = "csv", description = "csv or parquet (default: ${DEFAULT-VALUE})")
        String format;
        @Option(names = "--top-k", defaultValue = "5", description = "labels per image (default: ${DEFAULT-VALUE})")
        int topK;
        @Option(names = "--embeddings", description = "also write the backbone's feature vector")
        boolean embeddings;
        @Option(names = "--batch-size", defaultValue = "16", description = "images per forward pass")
        int batchSize;

        @Override
        public Integer call() {
            if ((input == null) == (manifest == null)) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "give exactly one of --input DIR or --manifest FILE");
            }
            SparkPredict scorer = SparkPredict.builder().bundle(bundle).topK(topK).embeddings(embeddings)
                    .batchSize(batchSize).build();
            try (JavaSparkContext sc = context("transfer4j score")) {
                SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
                long t0 = System.nanoTime();
                JavaRDD<ScoreRow> rows = (input != null ? scorer.scoreDirectory(sc, input)
                        : scorer.scoreManifest(sc, manifest)).cache();
                scorer.write(spark, rows, format, output);
                long n = rows.count();
                long bad = rows.filter(r -> !r.ok()).count();
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("Scored %d images (%d error rows) in %.1f s, %.1f images/s -> %s%n", n, bad, secs,
                        n / secs, output);
            }
            return 0;
        }
    }

    @Command(name = "fine-tune", mixinStandardHelpOptions = true,
            description = "Keras's transfer recipe on a folder of class sub-folders, trained over Spark.")
    static final class FineTune implements Callable<Integer> {
        @Option(names = "--data", required = true, description = "folder of class sub-folders, readable by every executor")
        Path data;
        @Option(names = "--backbone", defaultValue = "resnet50", description = "backbone id (default: ${DEFAULT-VALUE})")
        String backbone;
        @Option(names = "--weights", defaultValue = "imagenet",
                description = "imagenet (installed weights, refused if absent) or random")
        String weights;
        @Option(names = "--image-size", defaultValue = "224", description = "input size in pixels")
        int size;
        @Option(names = "--head-epochs", defaultValue = "5")
        int headEpochs;
        @Option(names = "--fine-tune-epochs", defaultValue = "3")
        int fineTuneEpochs;
        @Option(names = "--batch-size", defaultValue = "16")
        int batchSize;
        @Option(names = "--augment", description = "flip and rotate the training images (executors)")
        boolean augment;
        @Option(names = "--seed", defaultValue = "42")
        long seed;
        @Option(names = "--gradient-exchange", defaultValue = "averaging", description = "averaging (DL4J parameter"
                + " averaging) or shared (DL4J shared gradients over Aeron UDP; see spark/README.md)"
                + " (default: ${DEFAULT-VALUE})")
        String exchange;
        @Option(names = "--shared-port", defaultValue = "40123",
                description = "shared: UDP port open between driver and executors (default: ${DEFAULT-VALUE})")
        int sharedPort;
        @Option(names = "--network-mask", description = "shared: the executors' network, e.g. 10.0.0.0/16")
        String networkMask;
        @Option(names = "--out", required = true, description = "the .t4j bundle to write")
        Path out;

        @Override
        public Integer call() throws Exception {
            GradientExchange gx = GradientExchange.parse(exchange);
            if (gx instanceof GradientExchange.SharedGradients sg) {
                gx = sg.port(sharedPort).networkMask(networkMask);
            }
            Zoo zoo = Zoo.fromEnvironment();
            InputShape shape = InputShape.rgb(size, size);
            Backbone b = switch (weights.toLowerCase(java.util.Locale.ROOT)) {
                case "random" -> zoo.random(backbone, shape, seed);
                case "imagenet" -> zoo.load(backbone, shape);
                default -> throw new IllegalArgumentException("--weights must be imagenet or random; received '"
                        + weights + "'");
            };
            DataSplit split = DataSplit.stratified(data, 0.8, 0.2, 0, seed);
            TransferModel model = TransferModel.builder().backbone(b).head(HeadSpec.builder().build())
                    .labels(split.classes()).seed(seed).build();
            if (!b.weights().pretrained()) {
                // a random backbone's BatchNorm statistics explode in inference mode until calibrated (TRAPS.md)
                FlowOptions opts = FlowOptions.builder().targetSize(size, size).batchSize(batchSize).seed(seed)
                        .build();
                try (DirectoryFlow flow = ImagePipeline.forBackbone(b.spec()).flowFromSplit(split,
                        DataSplit.Part.TRAIN, opts)) {
                    model.calibrateBatchNorm(flow, 3);
                }
            }
            try (JavaSparkContext sc = context("transfer4j fine-tune")) {
                TrainingResult r = SparkFineTuner.builder().model(model)
                        .plan(FineTunePlan.kerasRecipe(topGroup(model), headEpochs, fineTuneEpochs))
                        .train(LabelledImage.of(split, DataSplit.Part.TRAIN))
                        .validation(LabelledImage.of(split, DataSplit.Part.VALIDATION))
                        .augment(augment ? AugmentOptions.builder().horizontalFlip(true).rotationRange(15).build()
                                : null)
                        .gradientExchange(gx).batchSize(batchSize).seed(seed)
                        .listener(e -> System.out.println(line(e))).build().fit(sc);
                ModelBundle.save(r.model(), out, BundleExtras.none());
                System.out.println("Wrote " + out + " (" + r.history().size() + " epochs)");
            }
            return 0;
        }

        /** The group nearest the cut (the backbone's groups after the cut, as the model keeps them). */
        private static String topGroup(TransferModel m) {
            var groups = m.backbone().groups();
            return groups.get(groups.size() - 1).name();
        }

        private static String line(EpochRecord e) {
            return String.format(java.util.Locale.ROOT, "%-10s epoch %2d  loss %.4f  val_loss %.4f  %s  %.1f s",
                    e.phase(), e.epoch(), e.loss(), e.valLoss(), e.metrics(), e.seconds());
        }
    }
}
