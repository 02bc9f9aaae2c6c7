package io.transfer4j.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.transfer4j.core.InferenceGraph;
import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.Task;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.internal.Engine;
import io.transfer4j.training.internal.Evaluator;
import io.transfer4j.zoo.LayerGroup;
import io.transfer4j.internal.DirectoryLock;
import io.transfer4j.internal.Names;

/**
 * The training module's entry point: a {@link TransferModel}, training/validation/test data and a
 * {@link FineTunePlan} in, a {@link TrainingResult} out.
 *
 * <pre>{@code
 * TrainingResult r = FineTuner.builder()
 *         .model(model).train(trainFlow).validation(valFlow).test(testFlow)
 *         .plan(FineTunePlan.kerasRecipe("res5", 10, 10))
 *         .runDir(Path.of("runs/cats")).seed(42)
 *         .callbacks(ModelCheckpoint.bestOnly(Path.of("runs/cats/best.t4j"), Monitor.of(Metric.VAL_ACCURACY)))
 *         .build().fit();
 * }</pre>
 *
 * <p>Everything is checked in {@link Builder#build()}, before any training: unknown layer groups or layers
 * (with the valid names and the nearest), monitors on metrics the run does not compute, early stopping on a
 * validation metric without validation data or with an empty validation set. With a run directory every epoch
 * ends with a checkpoint; calling {@code fit()} again with the same directory (e.g. after a kill) resumes from
 * it and reaches the same result as an uninterrupted run.
 */
public final class FineTuner {
    private final Engine.Config config;

    private FineTuner(Engine.Config config) {
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the plan (or resumes it from the run directory's checkpoint). The run directory is held for the whole
     * run ({@link DirectoryLock}): a second {@code fit()} into it from another thread or process fails at once with
     * an {@link IllegalStateException} naming the holder, instead of interleaving checkpoints.
     */
    public TrainingResult fit() {
        if (config.runDir() == null) {
            return new Engine(config).run();
        }
        DirectoryLock lock;
        try {
            lock = DirectoryLock.claim(config.runDir(), "run directory", "FineTuner.fit");
        } catch (DirectoryLock.InUseException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use run directory " + config.runDir() + ": " + e.getMessage(), e);
        }
        try (lock) {
            return new Engine(config).run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release run directory " + config.runDir() + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Evaluates a model on labelled data in inference mode, with the same loop that validates every epoch: every
     * metric plus each example's probabilities ({@link Metrics#samples()}, keyed by file for folder flows). The
     * data's classes may be a subset of the model's (matched by name).
     *
     * @param topK       k of the top-k accuracy
     * @param afterBatch told the number of batches done after each one (a progress bar), or null
     */
    public static Metrics evaluate(TransferModel model, DataSetIterator data, int topK, IntConsumer afterBatch) {
        InferenceGraph g = model.inferenceGraph();
        return Evaluator.evaluate(g::output, data, model.labels(), topK, afterBatch);
    }

    /**
     * Evaluates any model given as a function from a batch's features to its class probabilities (inference
     * mode), e.g. {@code x -> network.output(x, false)} for a {@code MultiLayerNetwork}.
     */
    public static Metrics evaluate(UnaryOperator<INDArray> probabilities, DataSetIterator data, List<String> labels,
                                   int topK) {
        return Evaluator.evaluate(probabilities, data, labels, topK, null);
    }

    /**
     * Resumes the run in {@code runDir} from its last checkpoint with the plan, seed, class weights and model
     * recorded there; the data must be the same as when the run began (checked for folder flows).
     */
    public static TrainingResult resume(Path runDir, DataSetIterator train, DataSetIterator validation,
                                        DataSetIterator test, Callback... callbacks) {
        return resumeBuilder(runDir).train(train).validation(validation).test(test).callbacks(callbacks).build()
                .fit();
    }

    /** A builder filled from a run directory (model, plan, seed, options); add the data and callbacks. */
    public static Builder resumeBuilder(Path runDir) {
        Path runJson = runDir.resolve("run.json");
        if (!Files.isRegularFile(runJson)) {
            throw new IllegalArgumentException("no run to resume in " + runDir + ": run.json is missing; pass the "
                    + "directory a FineTuner run was started with");
        }
        try {
            ObjectMapper json = new ObjectMapper();
            JsonNode run = json.readTree(runJson.toFile());
            return builder().runDir(runDir)
                    .model(ModelBundle.load(runDir.resolve("initial-model.t4j")))
                    .plan(FineTunePlan.fromJson(run.get("plan").toString()))
                    .seed(run.get("seed").asLong())
                    .topK(run.get("topK").asInt())
                    .classWeights(json.treeToValue(run.get("classWeights"), ClassWeights.class))
                    .featureCache(FeatureCacheMode.valueOf(run.get("featureCache").asText()))
                    .augmentedViews(run.has("augmentedViews") ? run.get("augmentedViews").asInt() : 0)
                    // a run begun before the option existed fitted the whole graph
                    .prefixPerBatch(run.has("prefixPerBatch") && run.get("prefixPerBatch").asBoolean())
                    .allowRandomWeights();      // the run was allowed to start with these weights
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the run in " + runDir + ": " + e.getMessage(), e);
        }
    }

    /** Collects a run; {@link #build()} checks it against the model and the data. */
    public static final class Builder {
        private TransferModel model;
        private DataSetIterator train;
        private DataSetIterator validation;
        private DataSetIterator test;
        private FineTunePlan plan;
        private Path runDir;
        private long seed = 42;
        private final List<Callback> callbacks = new ArrayList<>();
        private ClassWeights classWeights = ClassWeights.none();
        private int topK = 5;
        private FeatureCacheMode cacheMode = FeatureCacheMode.AUTO;
        private long cacheMemoryLimit = 1L << 30;
        private boolean epochLines = true;
        private int augmentedViews;
        private SharedFeatureCaches sharedCaches;
        private boolean prefixPerBatch = true;
        private long restorePointMemoryLimit = Engine.RESTORE_POINT_MEMORY_LIMIT;
        private boolean allowRandomWeights;

        private Builder() {
        }

        public Builder model(TransferModel model) {
            this.model = model;
            return this;
        }

        /** Training data; the features must be what the model's input expects (normalised NCHW). */
        public Builder train(DataSetIterator train) {
            this.train = train;
            return this;
        }

        public Builder validation(DataSetIterator validation) {
            this.validation = validation;
            return this;
        }

        public Builder test(DataSetIterator test) {
            this.test = test;
            return this;
        }

        public Builder plan(FineTunePlan plan) {
            this.plan = plan;
            return this;
        }

        /** Where checkpoints, history and the final model go; an existing checkpoint there is resumed. */
        public Builder runDir(Path runDir) {
            this.runDir = runDir;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder callbacks(Callback... callbacks) {
            this.callbacks.addAll(List.of(callbacks));
            return this;
        }

        /**
         * A display of progress (batches, loss, ETA); any number may be added. The first one replaces the default
         * display, one line per epoch on {@code System.out} ({@link ProgressListener#epochLines}).
         */
        public Builder progress(ProgressListener listener) {
            this.callbacks.add(Objects.requireNonNull(listener, "progress listener").asCallback());
            this.epochLines = false;
            return this;
        }

        /** No default progress display (Keras' {@code verbose=0}); listeners given with {@link #progress} stay. */
        public Builder silent() {
            this.epochLines = false;
            return this;
        }

        public Builder classWeights(ClassWeights weights) {
            this.classWeights = Objects.requireNonNull(weights, "classWeights: use ClassWeights.none() for none");
            return this;
        }

        /** k of the top-k accuracy (default 5, clamped to the number of classes). */
        public Builder topK(int k) {
            this.topK = k;
            return this;
        }

        public Builder featureCache(FeatureCacheMode mode) {
            this.cacheMode = Objects.requireNonNull(mode, "featureCache mode");
            return this;
        }

        /** Bytes of cached features held in memory before the cache spills to disk (default 1 GiB). */
        public Builder featureCacheMemoryLimit(long bytes) {
            this.cacheMemoryLimit = bytes;
            return this;
        }

        /**
         * Off by default (0): phases on augmented data recompute the frozen prefix every epoch on fresh random
         * transforms. With {@code k > 0}, such a phase caches the prefix's activations of {@code k} seeded augmented
         * views of every training image (the flow's epochs 0..k-1) and global epoch {@code e} trains on view
         * {@code e mod k}, in the flow's batch order for that epoch. With {@code k} at least the total number of
         * epochs the result equals the uncached run; with fewer views the model sees each augmentation repeatedly
         * (measured effect on validation accuracy: training README). Memory: {@code k} times the un-augmented cache.
         * Needs an augmentation flow ({@code ImageFlow}) as training data.
         */
        public Builder augmentedViews(int k) {
            this.augmentedViews = k;
            return this;
        }

        /**
         * Takes feature caches from (and leaves them in) {@code caches}, shared with other runs on the same frozen
         * body and data, instead of building and dropping them in this run (see {@link SharedFeatureCaches}).
         */
        public Builder sharedFeatureCaches(SharedFeatureCaches caches) {
            this.sharedCaches = caches;
            return this;
        }

        /**
         * On by default: a phase that trains only the top of the network (a single freeze boundary: head-only, or
         * e.g. ResNet50 {@code res5} + head) and whose prefix is not cached (augmented inputs, or
         * {@link FeatureCacheMode#OFF}) runs each batch through the frozen prefix's derived inference graph
         * (BatchNorm folded) and fits only the trainable suffix ({@code TransferModel.suffixGraph()}). The same
         * training as fitting the whole graph with the prefix frozen, within float32 rounding, without DL4J keeping
         * every frozen layer's activations for a backward pass that never reaches them (ResNet50 head-only at 224
         * px, batch 16: 1.0 instead of 3.4 GiB peak RSS). Off: every phase without a cache fits the whole graph.
         */
        public Builder prefixPerBatch(boolean on) {
            this.prefixPerBatch = on;
            return this;
        }

        /**
         * Bytes of trained parameters an epoch's restore point (what a diverged epoch puts back) may copy in memory;
         * above, it goes to a file (default 64 MiB). For tests of the file path on small models.
         */
        Builder restorePointMemoryLimit(long bytes) {
            this.restorePointMemoryLimit = bytes;
            return this;
        }

        /**
         * Trains a backbone whose random weights stand in for pretrained ones that could not be had
         * ({@link io.transfer4j.zoo.Zoo#loadOrRandom}), which {@link #build()} otherwise refuses: from random
         * initialisation small data reaches about chance accuracy. A backbone from {@code zoo.random(...)} was
         * asked for and needs no permission.
         */
        public Builder allowRandomWeights() {
            this.allowRandomWeights = true;
            return this;
        }

        public FineTuner build() {
            if (model == null) {
                throw new IllegalArgumentException("FineTuner needs a model: .model(TransferModel)");
            }
            if (train == null) {
                throw new IllegalArgumentException("FineTuner needs training data: .train(DataSetIterator)");
            }
            if (plan == null) {
                throw new IllegalArgumentException("FineTuner needs a plan: .plan(FineTunePlan.kerasRecipe(...)) "
                        + "or FineTunePlan.of(phases)");
            }
            io.transfer4j.zoo.Backbone.requireRealWeights(model.backbone().id(), model.backbone().weights(),
                    allowRandomWeights, "call .allowRandomWeights() on this builder");
            if (topK < 1) {
                throw new IllegalArgumentException("topK must be >= 1; received " + topK);
            }
            if (cacheMemoryLimit < 0) {
                throw new IllegalArgumentException("featureCacheMemoryLimit must be >= 0 bytes; received "
                        + cacheMemoryLimit);
            }
            if (augmentedViews < 0) {
                throw new IllegalArgumentException("augmentedViews must be >= 0 (0 = off); received " + augmentedViews);
            }
            if (augmentedViews > 0 && TrainingData.of(train).order(0).isEmpty()) {
                throw new IllegalArgumentException("augmentedViews " + augmentedViews + " needs an augmentation flow "
                        + "(ImageFlow, e.g. ImagePipeline.flowFromDirectory) as training data, which knows its "
                        + "augmented epochs; received " + train.getClass().getName() + ". Use augmentedViews(0)");
            }
            if (model.task() == Task.MULTILABEL) {
                throw new IllegalArgumentException("FineTuner's metrics and class weights cover single-label tasks "
                        + "(MULTICLASS, BINARY); this model is MULTILABEL, which is not supported yet");
            }
            if (!(classWeights instanceof ClassWeights.None)) {
                if (model.task() != Task.MULTICLASS) {
                    throw new IllegalArgumentException("class weights need a MULTICLASS model (softmax over the "
                            + "classes); this model is " + model.task() + ". For two classes build it with "
                            + "Task.MULTICLASS and both labels");
                }
                if (classWeights instanceof ClassWeights.Explicit) {
                    classWeights.resolve(model.labels(), new long[model.labels().size()]);
                }
            }
            TrainingData data = TrainingData.of(train);
            if (data.samples().orElse(-1) == 0) {
                throw new IllegalArgumentException("the training flow has no images; check the folder and the "
                        + "validation split");
            }
            checkData("training", train);
            checkData("validation", validation);
            checkData("test", test);
            checkPlanAgainstModel();
            checkMetrics();
            List<Callback> all = new ArrayList<>(callbacks);
            if (epochLines) {
                all.add(ProgressListener.epochLines(System.out).asCallback());
            }
            return new FineTuner(new Engine.Config(model, data, validation, test, plan, runDir, seed,
                    List.copyOf(all), classWeights, topK, cacheMode, cacheMemoryLimit, augmentedViews,
                    prefixPerBatch, sharedCaches == null ? null : sharedCaches.pool(), restorePointMemoryLimit));
        }

        /**
         * The data must fit the model: the same classes in the same order (a label-count mismatch otherwise fails
         * inside DL4J with a shape message), and for image flows the input size the model was built for (global
         * pooling would otherwise train on another size without complaint).
         */
        private void checkData(String role, DataSetIterator it) {
            if (it == null) {
                return;
            }
            List<String> labels;
            try {
                labels = it.getLabels();
            } catch (UnsupportedOperationException e) {
                labels = null;
            }
            if (labels != null && !labels.isEmpty() && !labels.equals(model.labels())) {
                throw new IllegalArgumentException("the " + role + " data has " + labels.size() + " classes "
                        + labels + " but the model was built for " + model.labels().size() + " labels "
                        + model.labels() + (labels.size() == model.labels().size() ? " (same count, other names or "
                        + "order)" : "") + "; build the model with .labels(trainFlow.getLabels()) and give every "
                        + "flow the same class folders");
            }
            var in = model.input();
            TrainingData.of(it).sampleShape().filter(s -> !s.equals(in)).ifPresent(s -> {
                throw new IllegalArgumentException("the " + role + " flow yields " + s + " images (channels x "
                        + "height x width) but the model was built for " + in + "; use FlowOptions.builder()"
                        + ".targetSize(" + in.height() + ", " + in.width() + ") or build the backbone for "
                        + s.height() + "x" + s.width() + " px");
            });
        }

        private void checkPlanAgainstModel() {
            List<String> groups = model.backbone().groups().stream().map(LayerGroup::name).toList();
            for (Phase p : plan.phases()) {
                if (p.trainable() instanceof LayerSelection.FromGroup g && !groups.contains(g.group())) {
                    throw new IllegalArgumentException("phase '" + p.name() + "' unfreezes layer group '" + g.group()
                            + "', which " + model.backbone().id() + " does not have; groups: "
                            + String.join(", ", groups) + "." + Names.didYouMean(g.group(), groups));
                }
                if (p.trainable() instanceof LayerSelection.FromLayer l
                        && !model.bodyVertices().contains(model.layerName(l.layer()))) {
                    throw new IllegalArgumentException("phase '" + p.name() + "' unfreezes from layer '" + l.layer()
                            + "', which is not in the backbone of " + model.backbone().id() + " (cut at "
                            + model.bodyOutputName() + ")." + Names.didYouMean(l.layer(), model.bodyVertices()));
                }
                for (String g : p.groupLrMultipliers().keySet()) {
                    if (!g.equals("head") && !groups.contains(g)) {
                        throw new IllegalArgumentException("phase '" + p.name() + "' sets a learning-rate multiplier "
                                + "for layer group '" + g + "', which " + model.backbone().id() + " does not have; "
                                + "groups: " + String.join(", ", groups) + ", head." + Names.didYouMean(g, groups));
                    }
                }
                // a custom schedule must give a usable rate from its first step
                p.schedule().lr(Progress.start(1, p.maxEpochs()));
            }
        }

        private void checkMetrics() {
            Set<Metric> computed = EnumSet.of(Metric.LOSS, Metric.ACCURACY);
            if (validation != null) {
                computed.addAll(EnumSet.allOf(Metric.class));
            }
            for (Phase p : plan.phases()) {
                if (p.earlyStopping() != null) {
                    requireComputed("phase '" + p.name() + "' early stopping", p.earlyStopping().monitor().metric(),
                            computed);
                }
            }
            for (Callback c : callbacks) {
                for (Metric m : c.requiredMetrics()) {
                    requireComputed("callback " + c.id(), m, computed);
                }
            }
            boolean needsValidation = plan.phases().stream().anyMatch(p -> p.earlyStopping() != null
                    && p.earlyStopping().monitor().metric().validation())
                    || callbacks.stream().anyMatch(c -> c.requiredMetrics().stream().anyMatch(Metric::validation));
            if (needsValidation && (validation == null || TrainingData.of(validation).isEmpty())) {
                throw new IllegalArgumentException("the validation set is empty, but early stopping or a callback "
                        + "monitors a validation metric; give validation data (e.g. validationSplit > 0 with enough "
                        + "images per class) or monitor 'loss'");
            }
        }

        private static void requireComputed(String who, Metric m, Set<Metric> computed) {
            if (!computed.contains(m)) {
                throw new IllegalArgumentException(who + " monitors '" + m.key() + "', which this run does not "
                        + "compute: it needs validation data (.validation(...)). Computed: " + computed.stream()
                        .map(Metric::key).collect(Collectors.joining(", ")) + ".");
            }
        }
    }
}
