package io.transfer4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.enums.MeshBuildMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.spark.internal.ExecutorModels;
import io.transfer4j.spark.internal.HadoopFiles;
import io.transfer4j.spark.internal.SampleMaker;
import io.transfer4j.training.Callback;
import io.transfer4j.training.Decision;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.FineTunePlan;
import io.transfer4j.training.Metric;
import io.transfer4j.training.Metrics;
import io.transfer4j.training.Optimizer;
import io.transfer4j.training.Phase;
import io.transfer4j.training.Progress;
import io.transfer4j.training.TrainingControl;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.zoo.LayerGroup;

/**
 * Runs a {@link FineTunePlan} on Apache Spark with one of Deeplearning4j's training masters
 * ({@link GradientExchange}): parameter averaging (default; each executor trains a copy of the network on its share
 * of the data and the driver averages the parameters every few minibatches) or shared gradients (executors
 * exchange threshold-encoded updates over Aeron UDP while they train).
 *
 * <ul>
 *   <li>A head-only phase whose data is not augmented trains on cached features: the frozen body runs once on the
 *       executors (the features stay in Spark's block store, memory then disk), and only the head is trained.</li>
 *   <li>Any other phase trains the whole graph (frozen layers stay frozen); images are decoded, resized, augmented
 *       (seeded by seed, epoch and image index, as a local flow does) and normalised on the executors.</li>
 *   <li>Validation runs on the executors each epoch and feeds the one results model ({@link Metrics},
 *       {@link EpochRecord}); the phase's early-stopping rule decides as it does locally.</li>
 * </ul>
 *
 * <pre>{@code
 * TrainingResult r = SparkFineTuner.builder().model(model).plan(FineTunePlan.kerasRecipe("res5", 5, 3))
 *         .train(LabelledImage.of(split, DataSplit.Part.TRAIN))
 *         .validation(LabelledImage.of(split, DataSplit.Part.VALIDATION))
 *         .augment(AugmentOptions.builder().horizontalFlip(true).build()).build().fit(sc);
 * ModelBundle.save(r.model(), Path.of("model.t4j"), BundleExtras.none());
 * }</pre>
 */
public final class SparkFineTuner {
    private static final Logger LOG = LoggerFactory.getLogger(SparkFineTuner.class);

    private final TransferModel model;
    private final FineTunePlan plan;
    private final List<LabelledImage> train;
    private final List<LabelledImage> validation;
    private final AugmentOptions augment;
    private final int batchSize;
    private final GradientExchange exchange;
    private final long seed;
    private final Consumer<EpochRecord> listener;

    private SparkFineTuner(Builder b) {
        this.model = b.model;
        this.plan = b.plan;
        this.train = List.copyOf(b.train);
        this.validation = b.validation == null ? List.of() : List.copyOf(b.validation);
        this.augment = b.augment;
        this.batchSize = b.batchSize;
        this.exchange = b.exchange;
        this.seed = b.seed;
        this.listener = b.listener;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Runs every phase; the model passed to the builder holds the trained parameters afterwards. */
    public TrainingResult fit(JavaSparkContext sc) {
        checkSharedGradientsSetUp(sc);
        byte[] conf = HadoopFiles.serialise(sc.hadoopConfiguration());
        SampleMaker samples = new SampleMaker(model.input(), model.normalization(), model.interpolation(), augment,
                seed, conf);
        int classes = model.labels().size();
        List<EpochRecord> history = new ArrayList<>();
        Control control = new Control(history, model);
        TrainingResult.StopReason reason = TrainingResult.StopReason.COMPLETED;
        for (Phase phase : plan.phases()) {
            control.phase = phase.name();
            boolean cached = phase.trainable() instanceof LayerSelection.HeadOnly && augment == null;
            int batches = Math.max(1, (train.size() + batchSize - 1) / batchSize);
            double lr0 = phase.schedule().lr(Progress.start(batches, phase.maxEpochs()));
            model.setTrainable(phase.trainable(), phase.optimizer().updater(lr0));

            JavaRDD<DataSet> trainFeatures = null;
            JavaPairRDD<Long, INDArray> valInputs;
            ComputationGraph net;
            Broadcast<byte[]> body = null;
            if (cached) {
                body = sc.broadcast(bundleBytes(model));
                String sha = SparkPredict.sha256(body.value());
                trainFeatures = features(sc, train, samples, body, sha, classes).persist(StorageLevel.MEMORY_AND_DISK());
                valInputs = validation.isEmpty() ? null
                        : keyedFeatures(sc, validation, samples, body, sha).persist(StorageLevel.MEMORY_AND_DISK());
                long n = trainFeatures.count();
                LOG.info("Phase '{}': features of {} training batches computed on the executors at '{}'",
                        phase.name(), n, model.bodyOutputName());
                net = model.headGraph();
            } else {
                valInputs = validation.isEmpty() ? null : keyedInputs(sc, validation, samples).persist(
                        StorageLevel.MEMORY_AND_DISK());
                net = model.graph();
            }
            SparkComputationGraph spark = new SparkComputationGraph(sc, net, trainingMaster(sc));
            Callback stopper = phase.earlyStopping() == null ? null : phase.earlyStopping().callback();
            if (stopper != null) {
                stopper.onPhaseBegin(phase.name(), control);
            }
            boolean stop = false;
            for (int epoch = 1; epoch <= phase.maxEpochs() && !stop; epoch++) {
                long t0 = System.nanoTime();
                double lr = phase.schedule().lr(new Progress(epoch - 1, 0, batches, phase.maxEpochs()));
                setLearningRates(spark.getNetwork(), phase, lr);
                JavaRDD<DataSet> data = cached ? trainFeatures : images(sc, train, samples, classes, epoch);
                spark.fit(data);
                if (cached) {
                    model.loadHeadParams(spark.getNetwork());
                }
                // the shared-gradients master reports no training score (0.0): recorded as unknown, not as perfect
                double loss = exchange instanceof GradientExchange.SharedGradients ? Double.NaN : spark.getScore();
                Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
                double valLoss = Double.NaN;
                if (valInputs != null) {
                    Metrics m = validate(spark, valInputs);
                    valLoss = m.loss();
                    metrics.put(Metric.VAL_ACCURACY, m.accuracy());
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                EpochRecord rec = new EpochRecord(phase.name(), epoch, loss, valLoss, metrics, lr, secs,
                        train.size() / secs);
                history.add(rec);
                listener.accept(rec);
                Decision d = stopper == null ? Decision.CONTINUE : stopper.onEpochEnd(rec, control);
                if (d == Decision.STOP_TRAINING) {
                    stop = true;
                    reason = TrainingResult.StopReason.STOPPED_BY_CALLBACK;
                } else if (d == Decision.STOP_PHASE) {
                    stop = true;
                }
            }
            if (stopper != null) {
                stopper.onPhaseEnd(phase.name(), control);
            }
            if (trainFeatures != null) {
                trainFeatures.unpersist();
            }
            if (valInputs != null) {
                valInputs.unpersist();
            }
            if (body != null) {
                body.destroy();
            }
            if (reason == TrainingResult.StopReason.STOPPED_BY_CALLBACK) {
                break;
            }
        }
        return new TrainingResult(history, model, null, reason, null);
    }

    // ------------------------------------------------------------------ data on the executors

    /** Minibatches of decoded (and, when configured, augmented) images for one epoch, in a seeded order. */
    private JavaRDD<DataSet> images(JavaSparkContext sc, List<LabelledImage> images, SampleMaker samples,
                                    int classes, int epoch) {
        List<scala.Tuple2<LabelledImage, Long>> order = indexed(images);
        Collections.shuffle(order, new Random(seed * 31 + epoch));
        int bs = batchSize;
        boolean aug = augment != null;
        return sc.parallelize(order, partitions(sc, images.size()))
                .mapPartitions(it -> samples.batches(it, bs, classes, epoch, aug));
    }

    /** The frozen body's output for every training image, as minibatches (the head's training data). */
    private JavaRDD<DataSet> features(JavaSparkContext sc, List<LabelledImage> images, SampleMaker samples,
                                      Broadcast<byte[]> body, String sha, int classes) {
        int bs = batchSize;
        return sc.parallelize(indexed(images), partitions(sc, images.size())).mapPartitions(it -> {
            Iterator<DataSet> batches = samples.batches(it, bs, classes, 0, false);
            List<DataSet> out = new ArrayList<>();
            while (batches.hasNext()) {
                DataSet ds = batches.next();
                INDArray f = ExecutorModels.withModel(sha, body.value(), m -> m.graph().output(
                        List.of(m.bodyOutputName()), false, new INDArray[] {ds.getFeatures()}, null)[0].detach());
                out.add(new DataSet(f, ds.getLabels()));
            }
            return out.iterator();
        });
    }

    /** The frozen body's output per validation image, keyed by its index. */
    private JavaPairRDD<Long, INDArray> keyedFeatures(JavaSparkContext sc, List<LabelledImage> images,
                                                      SampleMaker samples, Broadcast<byte[]> body, String sha) {
        return keyedInputs(sc, images, samples).mapValues(x -> ExecutorModels.withModel(sha, body.value(),
                m -> m.graph().output(List.of(m.bodyOutputName()), false, new INDArray[] {x}, null)[0].detach()));
    }

    /** Each validation image's network input, keyed by its index (unreadable images are left out and logged). */
    private JavaPairRDD<Long, INDArray> keyedInputs(JavaSparkContext sc, List<LabelledImage> images,
                                                    SampleMaker samples) {
        return sc.parallelize(indexed(images), partitions(sc, images.size())).mapPartitionsToPair(it -> {
            List<LabelledImage> chunk = new ArrayList<>();
            List<Long> idx = new ArrayList<>();
            it.forEachRemaining(t -> {
                chunk.add(t._1());
                idx.add(t._2());
            });
            INDArray[] x = samples.inputs(chunk, idx, 0, false);
            List<scala.Tuple2<Long, INDArray>> out = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                if (x[i] != null) {
                    out.add(new scala.Tuple2<>(idx.get(i), x[i]));
                }
            }
            return out.iterator();
        });
    }

    /** Validation probabilities from the executors, scored by the one evaluator's arithmetic. */
    private Metrics validate(SparkComputationGraph spark, JavaPairRDD<Long, INDArray> inputs) {
        List<scala.Tuple2<Long, INDArray>> out = spark.feedForwardWithKeySingle(inputs, batchSize).collect();
        int[] actual = new int[out.size()];
        float[][] probs = new float[out.size()][];
        for (int i = 0; i < out.size(); i++) {
            actual[i] = validation.get((int) (long) out.get(i)._1()).label();
            probs[i] = out.get(i)._2().reshape(-1).toFloatVector();
        }
        return Metrics.compute(model.labels(), actual, probs, Math.min(5, model.labels().size()));
    }

    private static List<scala.Tuple2<LabelledImage, Long>> indexed(List<LabelledImage> images) {
        List<scala.Tuple2<LabelledImage, Long>> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            out.add(new scala.Tuple2<>(images.get(i), (long) i));
        }
        return out;
    }

    private int partitions(JavaSparkContext sc, int n) {
        return Math.max(1, Math.min(n / batchSize + 1, sc.defaultParallelism() * 2));
    }

    // ------------------------------------------------------------------ training master and learning rates

    private TrainingMaster<?, ?> trainingMaster(JavaSparkContext sc) {
        if (exchange instanceof GradientExchange.SharedGradients sg) {
            String controller = sg.controller() != null ? sg.controller()
                    : sc.getConf().get("spark.driver.host", "127.0.0.1");
            VoidConfiguration.VoidConfigurationBuilder v = VoidConfiguration.builder().unicastPort(sg.port())
                    .controllerAddress(controller).meshBuildMode(MeshBuildMode.PLAIN);
            if (sg.networkMask() != null) {
                v.networkMask(sg.networkMask());
            }
            // One trainer per executor JVM (its tasks feed it; ND4J uses the executor's cores inside it). With one
            // per task, a trainer whose share of a small epoch is empty stops draining its update queue and the
            // others block on it (DL4J 1.0.0-M2 EncodedGradientsAccumulator; seen on local[2]).
            int workersPerNode = 1;
            return new SharedTrainingMaster.Builder(v.build(), workersPerNode,
                    new AdaptiveThresholdAlgorithm(sg.threshold()), batchSize).batchSizePerWorker(batchSize)
                    // the master persists the training RDD itself: at the level the feature cache already has
                    .storageLevel(StorageLevel.MEMORY_AND_DISK())
                    .workersPerNode(workersPerNode).workerPrefetchNumBatches(0).collectTrainingStats(false)
                    .rddTrainingApproach(RDDTrainingApproach.Direct).rngSeed(seed).build();
        }
        int frequency = ((GradientExchange.Averaging) exchange).frequency();
        return new ParameterAveragingTrainingMaster.Builder(batchSize).batchSizePerWorker(batchSize)
                .averagingFrequency(frequency).workerPrefetchNumBatches(0).saveUpdater(true)
                .rddTrainingApproach(RDDTrainingApproach.Direct).rngSeed(seed).build();
    }

    /**
     * Shared gradients stall or fail deep inside Aeron when its publication timeout is left at the default: refuse
     * to start, saying what to set, unless driver and executors carry the property (spark/transfer4j-spark-submit
     * and the module's tests set it).
     */
    private void checkSharedGradientsSetUp(JavaSparkContext sc) {
        if (!(exchange instanceof GradientExchange.SharedGradients)) {
            return;
        }
        String flag = "-D" + GradientExchange.AERON_UNBLOCK_PROPERTY + "=" + GradientExchange.AERON_UNBLOCK_VALUE;
        boolean driver = System.getProperty(GradientExchange.AERON_UNBLOCK_PROPERTY) != null;
        boolean local = sc.master().startsWith("local");
        boolean executors = local || sc.getConf().get("spark.executor.extraJavaOptions", "")
                .contains(GradientExchange.AERON_UNBLOCK_PROPERTY);
        if (!driver || !executors) {
            throw new IllegalStateException("shared gradients need " + flag + " on the "
                    + (driver ? "executors" : executors ? "driver" : "driver and the executors")
                    + " (Aeron's default publication timeout drops workers mid-epoch). Run through"
                    + " spark/transfer4j-spark-submit, which sets it, or add it to spark.driver.extraJavaOptions and"
                    + " spark.executor.extraJavaOptions; or use GradientExchange.averaging(n), which needs neither"
                    + " Aeron nor a UDP port");
        }
    }

    /** The phase's base rate on every trainable layer, times its group's multiplier (the head's is 1). */
    private void setLearningRates(ComputationGraph net, Phase phase, double lr) {
        Map<String, String> groupOf = new HashMap<>();
        for (LayerGroup g : model.backbone().groups()) {
            g.layers().forEach(l -> groupOf.put(l, g.name()));
        }
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (l.numParams() == 0 || model.frozenVertices().contains(name)) {
                continue;
            }
            String group = groupOf.get(name);
            Double mult = phase.groupLrMultipliers().get(group == null ? "head" : group);
            net.setLearningRate(name, lr * (mult == null ? 1.0 : mult));
        }
    }

    private static byte[] bundleBytes(TransferModel model) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("transfer4j-spark-", ".t4j");
            ModelBundle.save(model, tmp, BundleExtras.none());
            return Files.readAllBytes(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("could not serialise the model for the executors: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // temp file only
                }
            }
        }
    }

    /**
     * What the phase's callbacks may do on Spark: read history and rates, keep parameter snapshots on the driver
     * (early stopping's restoreBest); no run directory.
     */
    private static final class Control implements TrainingControl {
        final List<EpochRecord> history;
        final TransferModel model;
        final Map<String, INDArray> snapshots = new HashMap<>();
        String phase;
        double factor = 1;

        Control(List<EpochRecord> history, TransferModel model) {
            this.history = history;
            this.model = model;
        }

        @Override
        public String phase() {
            return phase;
        }

        @Override
        public List<EpochRecord> history() {
            return Collections.unmodifiableList(history);
        }

        @Override
        public double scheduledLr() {
            return history.isEmpty() ? Double.NaN : history.get(history.size() - 1).lr();
        }

        @Override
        public double lrFactor() {
            return factor;
        }

        @Override
        public void setLrFactor(double f) {
            this.factor = f;
        }

        @Override
        public void saveModel(Path file) {
            throw new UnsupportedOperationException("saving mid-run is not available on Spark; save the result");
        }

        @Override
        public void storeSnapshot(String key) {
            snapshots.put(key, model.graph().params().dup());
        }

        @Override
        public boolean restoreSnapshot(String key) {
            INDArray p = snapshots.get(key);
            if (p == null) {
                return false;
            }
            model.graph().setParams(p);
            return true;
        }

        @Override
        public Optional<Path> runDir() {
            return Optional.empty();
        }
    }

    /**
     * Collects the run; {@link #build()} checks it. Defaults: batch 16, parameter averaging every 5 minibatches,
     * seed 42.
     */
    public static final class Builder {
        private TransferModel model;
        private FineTunePlan plan;
        private List<LabelledImage> train;
        private List<LabelledImage> validation;
        private AugmentOptions augment;
        private int batchSize = 16;
        private GradientExchange exchange = GradientExchange.averaging(GradientExchange.Averaging.DEFAULT_FREQUENCY);
        private long seed = 42;
        private boolean allowRandomWeights;
        private Consumer<EpochRecord> listener = r -> LOG.info("{} epoch {}: loss {} val_loss {} {}", r.phase(),
                r.epoch(), r.loss(), r.valLoss(), r.metrics());

        private Builder() {
        }

        public Builder model(TransferModel m) {
            this.model = m;
            return this;
        }

        public Builder plan(FineTunePlan p) {
            this.plan = p;
            return this;
        }

        public Builder train(List<LabelledImage> images) {
            this.train = images;
            return this;
        }

        public Builder validation(List<LabelledImage> images) {
            this.validation = images;
            return this;
        }

        /** Augmentation of the training images (never of validation); null for none. */
        public Builder augment(AugmentOptions options) {
            this.augment = options;
            return this;
        }

        /** Minibatch size per worker. */
        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** Parameter averaging across workers after this many minibatches each (short for {@code
         * gradientExchange(GradientExchange.averaging(n))}). */
        public Builder averagingFrequency(int n) {
            return gradientExchange(GradientExchange.averaging(n));
        }

        /** Parameter averaging (the default) or shared gradients; see {@link GradientExchange}. */
        public Builder gradientExchange(GradientExchange e) {
            this.exchange = Objects.requireNonNull(e, "gradientExchange: GradientExchange.averaging(5) or"
                    + " GradientExchange.sharedGradients()");
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * Trains a backbone whose random weights stand in for pretrained ones that could not be had
         * ({@link io.transfer4j.zoo.Zoo#loadOrRandom}), which {@link #build()} otherwise refuses, as
         * {@code FineTuner}'s does: from random initialisation small data reaches about chance accuracy.
         */
        public Builder allowRandomWeights() {
            this.allowRandomWeights = true;
            return this;
        }

        /** Called on the driver after every epoch (default: one log line); replace it, or pass r -> { }. */
        public Builder listener(Consumer<EpochRecord> l) {
            this.listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        public SparkFineTuner build() {
            Objects.requireNonNull(model, "a model is required: .model(TransferModel.builder()...build())");
            Objects.requireNonNull(plan, "a plan is required, e.g. .plan(FineTunePlan.kerasRecipe(\"res5\", 5, 3))");
            io.transfer4j.zoo.Backbone.requireRealWeights(model.backbone().id(), model.backbone().weights(),
                    allowRandomWeights, "call .allowRandomWeights() on this builder");
            if (train == null || train.isEmpty()) {
                throw new IllegalArgumentException("training images are required and must not be empty: "
                        + ".train(LabelledImage.of(split, DataSplit.Part.TRAIN))");
            }
            int classes = model.labels().size();
            for (List<LabelledImage> part : List.of(train, validation == null ? List.<LabelledImage>of() : validation)) {
                for (LabelledImage i : part) {
                    if (i.label() >= classes) {
                        throw new IllegalArgumentException("image " + i.path() + " has label index " + i.label()
                                + ", but the model has " + classes + " labels " + model.labels()
                                + "; build the model with the data's labels");
                    }
                }
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1; received " + batchSize);
            }
            if (augment != null && (augment.preprocessingFunction() != null || augment.featurewiseCenter()
                    || augment.featurewiseStdNormalization() || augment.zcaWhitening())) {
                throw new IllegalArgumentException("augmentation on Spark takes the random transforms and"
                        + " samplewise standardisation; received a preprocessing function or featurewise/ZCA"
                        + " standardisation, which need code or statistics on every executor. Leave them out, or"
                        + " fine-tune on one machine with FineTuner");
            }
            for (Phase p : plan.phases()) {
                if (p.optimizer() instanceof Optimizer.AdamW) {
                    throw new IllegalArgumentException("phase '" + p.name() + "': AdamW's decoupled weight decay is"
                            + " not available on Spark; use Optimizer.adam(), sgd or rmsProp there");
                }
                if (p.earlyStopping() != null && exchange instanceof GradientExchange.SharedGradients
                        && p.earlyStopping().monitor().metric() == Metric.LOSS) {
                    throw new IllegalArgumentException("phase '" + p.name() + "' stops early on the training loss,"
                            + " which DL4J's shared-gradients master does not report; monitor val_loss or"
                            + " val_accuracy (with validation images), or use GradientExchange.averaging(n)");
                }
                if (p.earlyStopping() != null && (validation == null || validation.isEmpty())
                        && p.earlyStopping().monitor().metric().validation()) {
                    throw new IllegalArgumentException("phase '" + p.name() + "' stops early on "
                            + p.earlyStopping().monitor().metric() + ", which needs validation images:"
                            + " .validation(LabelledImage.of(split, DataSplit.Part.VALIDATION))");
                }
            }
            return new SparkFineTuner(this);
        }
    }
}
