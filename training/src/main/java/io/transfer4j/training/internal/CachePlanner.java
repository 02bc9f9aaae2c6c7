package io.transfer4j.training.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.transfer4j.core.InferenceGraph;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.FeatureCacheMode;
import io.transfer4j.training.Metrics;
import io.transfer4j.training.Phase;
import io.transfer4j.training.TrainingData;

/**
 * Decides, phase by phase, what the training loop feeds on — the data through the whole graph, or features of
 * the frozen part computed once and replayed ({@link FeatureCache}) through the part that trains — and builds
 * that {@link Feed}. The only place that knows about caches; the loop sees a {@link Feed}.
 *
 * <p>One kind of cache, {@link Plan.AtBoundary}: the activations at the phase's freeze boundary (the one frozen
 * tensor the trainable part reads — the cut for a head-only phase, stage 4's output for ResNet50 with {@code res5}
 * trainable), for a phase whose inputs do not change between epochs, or, when asked for, K seeded augmented views of
 * every image. The feed trains the model's {@link TransferModel#suffixGraph()} (parameters shared with the model)
 * and replays the data's own epoch order when the data can tell it, so cached and uncached runs see the same
 * batches.
 *
 * <p>A phase with a freeze boundary that is not cached (augmented inputs, or {@code OFF}) runs the same prefix
 * computation without storing it, {@link Plan.PrefixPerBatch}: each batch goes through the derived prefix, then the
 * suffix graph trains on the result. Fitting the whole graph instead would keep every frozen layer's activations
 * in DL4J's training workspace although no gradient flows into them (ResNet50 head-only, 224 px, batch 16: 3.4
 * instead of 1.0 GiB peak RSS, docs/performance.md).
 */
final class CachePlanner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CachePlanner.class);

    /** Which cache, if any, a phase trains from. */
    sealed interface Plan {
        /** No cache: every batch runs through the whole graph. */
        record Direct() implements Plan {
        }

        /**
         * Activations at the freeze boundary {@code vertex}, replayed into the graph from there on; {@code views}
         * augmented views per image (0: the inputs are not augmented, one plain pass).
         */
        record AtBoundary(String vertex, int views) implements Plan {
        }

        /**
         * No cache, but the frozen prefix up to the boundary {@code vertex} runs on each batch as the derived
         * inference graph and the suffix graph trains on its output: {@link AtBoundary}'s computation, not stored.
         */
        record PrefixPerBatch(String vertex) implements Plan {
        }
    }

    private final TransferModel model;
    private final TrainingData train;
    private final DataSetIterator validation;
    private final FeatureCacheMode mode;
    private final long memoryLimit;
    private final int augmentedViews;
    private final boolean prefixPerBatch;
    private final Path runDir;
    private final String dataFingerprint;
    /** Caches shared with other runs, or null. */
    private final CachePool pool;
    /** True while the current caches belong to the pool (not closed here). */
    private boolean pooled;
    private FeatureCache trainCache;
    private FeatureCache valCache;
    /** The frozen prefix up to the boundary, derived for inference, for building the cache. */
    private InferenceGraph prefixGraph;
    private String prefixBoundary;

    CachePlanner(TransferModel model, TrainingData train, DataSetIterator validation, FeatureCacheMode mode,
                 long memoryLimit, int augmentedViews, boolean prefixPerBatch, Path runDir, CachePool pool) {
        this.model = model;
        this.train = train;
        this.validation = validation;
        this.mode = mode;
        this.memoryLimit = memoryLimit;
        this.augmentedViews = augmentedViews;
        this.prefixPerBatch = prefixPerBatch;
        this.runDir = runDir;
        this.dataFingerprint = train.fingerprint();
        this.pool = pool;
    }

    /**
     * The cache for {@code phase}, whose trainable selection the model already has: a phase with a single freeze
     * boundary on inputs that do not change (or {@code ALWAYS}), or on augmented data with augmented views asked
     * for and data that can replay its epochs. Any other phase with a freeze boundary runs its prefix per batch
     * (unless that is switched off); a phase without one (nothing frozen, or a boundary inside a residual block)
     * fits the whole graph.
     */
    Plan plan(Phase phase) {
        java.util.Optional<String> boundary = model.freezeBoundary();
        if (boundary.isEmpty()) {
            return new Plan.Direct();
        }
        boolean views = train.augmented() && augmentedViews > 0 && train.order(0).isPresent();
        boolean cache = switch (mode) {
            case OFF -> false;
            case ALWAYS -> true;
            case AUTO -> !train.augmented() || views;
        };
        if (cache) {
            return new Plan.AtBoundary(boundary.get(), views ? augmentedViews : 0);
        }
        return prefixPerBatch ? new Plan.PrefixPerBatch(boundary.get()) : new Plan.Direct();
    }

    /**
     * The feed of {@code phase}, with the model's trainable selection already applied. A cache is rebuilt only
     * when what it was computed from (boundary, frozen parameters, data, views) changed since the previous phase.
     */
    Feed open(Phase phase) {
        Plan plan = plan(phase);
        if (plan instanceof Plan.AtBoundary at) {
            String key = at.vertex() + ":" + prefixHash() + ":" + dataFingerprint + ":views=" + at.views();
            if (trainCache == null || !trainCache.key().equals(key)) {
                close();
                boolean share = pool != null && !dataFingerprint.startsWith("unknown:") && (validation == null
                        || !TrainingData.of(validation).fingerprint().startsWith("unknown:"));
                String poolKey = key + ":val=" + (validation == null ? "none"
                        : TrainingData.of(validation).fingerprint());
                CachePool.Entry shared = share ? pool.get(poolKey) : null;
                if (shared != null) {
                    trainCache = shared.train();
                    valCache = shared.validation();
                    pooled = true;
                    LOG.info("Cache at freeze boundary '{}' for phase '{}': reused from an earlier run", at.vertex(),
                            phase.name());
                    return new Cached(model.suffixGraph(), train, trainCache, valCache);
                }
                long t = System.nanoTime();
                UnaryOperator<INDArray> prefix = x -> prefix(at.vertex(), x);
                trainCache = FeatureCache.build(key, Math.max(1, at.views()), passes(at.views() > 0), prefix,
                        memoryLimit, share ? pool.spillDir("train") : spillDir("train"));
                if (validation != null) {
                    valCache = FeatureCache.build(key, validation, prefix, memoryLimit,
                            share ? pool.spillDir("validation") : spillDir("validation"));
                }
                if (share) {
                    pool.put(poolKey, new CachePool.Entry(trainCache, valCache));
                    pooled = true;
                }
                // the cached phase never runs the prefix again, and a later phase with other frozen weights or
                // another boundary derives its own: dropped, so that the derived weights and the direct executor's
                // buffers (ResNet50 to res4f at 224 px, batch 16: ~300 MiB) go at the phase-start collection
                prefixGraph = null;
                prefixBoundary = null;
                long perImage = trainCache.bytesPerExample();
                LOG.info("Cache at freeze boundary '{}' {} for phase '{}': {} training examples{}, {} KiB per image, "
                        + "{} MiB in {} ({} s)", at.vertex(), java.util.Arrays.toString(trainCache.exampleShape()),
                        phase.name(), trainCache.examples(), at.views() > 0 ? " x " + at.views() + " augmented views"
                                : "", Engine.fmt(perImage / 1024.0),
                        Engine.fmt(perImage * trainCache.examples() * trainCache.views() / 1048576.0),
                        trainCache.onDisk() ? "files under " + spillDir("train") : "memory",
                        Engine.fmt((System.nanoTime() - t) / 1e9));
            }
            return new Cached(model.suffixGraph(), train, trainCache, valCache);
        }
        Direct direct = new Direct(model, train, validation);
        if (plan instanceof Plan.PrefixPerBatch at) {
            LOG.info("Phase '{}': frozen prefix up to '{}' {} runs per batch on its derived inference graph (not "
                    + "cached: {}); the trainable suffix graph fits", phase.name(), at.vertex(),
                    java.util.Arrays.toString(model.activationShape(at.vertex())), mode == FeatureCacheMode.OFF
                            ? "feature cache OFF" : "augmented inputs");
            // derived once for the phase: the prefix is frozen, while the suffix's training changes the model's
            // parameters (and so its checksum) at every step
            InferenceGraph prefix = prefixGraph(at.vertex());
            return new PrefixPerBatch(model.suffixGraph(), direct, prefix::output);
        }
        LOG.info("Phase '{}': the whole graph fits on every batch ({})", phase.name(), model.frozenVertices()
                .isEmpty() ? "nothing frozen" : model.freezeBoundary().isPresent() ? "frozen prefix per batch switched"
                + " off" : "no single freeze boundary: the trainable layers read several frozen outputs");
        return direct;
    }

    /**
     * The passes a training cache is built from: the data's next epoch (inputs not augmented), or epoch {@code v}
     * for augmented view {@code v}; each batch with its sample indices when the data knows them.
     */
    private IntFunction<Iterator<FeatureCache.Batch>> passes(boolean views) {
        return v -> {
            DataSetIterator src = train.iterator();
            Iterator<DataSet> it;
            if (views) {
                it = train.epoch(v);
            } else {
                src.reset();
                it = new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return src.hasNext();
                    }

                    @Override
                    public DataSet next() {
                        return src.next();
                    }
                };
            }
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public FeatureCache.Batch next() {
                    DataSet d = it.next();
                    return new FeatureCache.Batch(d, train.lastBatchSamples().orElse(null));
                }
            };
        };
    }

    /** Class counts of the cached training data, when a cache exists (it skipped what could not be decoded). */
    Optional<long[]> cachedClassCounts() {
        return trainCache == null ? Optional.empty() : Optional.of(trainCache.classCounts());
    }

    @Override
    public void close() {
        if (pooled) {
            // the pool owns them; other runs reuse them
            trainCache = null;
            valCache = null;
            pooled = false;
            return;
        }
        if (trainCache != null) {
            trainCache.close();
            trainCache = null;
        }
        if (valCache != null) {
            valCache.close();
            valCache = null;
        }
    }

    /** The frozen prefix's output at {@code boundary}, on its derived inference graph (BN folded). */
    private INDArray prefix(String boundary, INDArray input) {
        return prefixGraph(boundary).output(input);
    }

    /** The frozen prefix up to {@code boundary}, derived for inference; derived again when the model changed. */
    private InferenceGraph prefixGraph(String boundary) {
        if (prefixGraph == null || !boundary.equals(prefixBoundary) || !prefixGraph.isCurrentFor(model.graph())) {
            prefixGraph = InferenceGraph.derive(model.graph(), boundary);
            prefixBoundary = boundary;
        }
        return prefixGraph;
    }

    private Path spillDir(String which) {
        Path base = runDir != null ? runDir.resolve("feature-cache")
                : Path.of(System.getProperty("java.io.tmpdir")).resolve("transfer4j-feature-cache-"
                + ProcessHandle.current().pid());
        return base.resolve(which);
    }

    /** A checksum of every frozen parameter: a cache of other parameters is never reused. */
    private String prefixHash() {
        CRC32C crc = new CRC32C();
        ComputationGraph g = model.graph();
        java.util.Set<String> frozen = model.frozenVertices();
        for (String v : model.bodyVertices()) {
            if (!frozen.contains(v)) {
                continue;
            }
            Layer layer = g.getVertex(v).hasLayer() ? g.getVertex(v).getLayer() : null;
            if (layer == null) {
                continue;
            }
            for (Map.Entry<String, INDArray> e : new TreeMap<>(layer.paramTable()).entrySet()) {
                crc.update((v + "/" + e.getKey()).getBytes(StandardCharsets.UTF_8));
                // a copy: a parameter is a view into the graph's flat parameter buffer (closed at once: the
                // copies add up to the frozen part's size)
                INDArray copy = e.getValue().dup('c');
                crc.update(copy.data().asBytes());
                copy.close();
            }
        }
        return Long.toHexString(crc.getValue());
    }

    /** What one phase trains on: the graph that trains, its batches per epoch, and its validation batches. */
    interface Feed {
        /** The graph whose {@code fit} the loop calls (its parameters are, or are views of, the model's). */
        ComputationGraph graph();

        int batchesPerEpoch();

        /** The training batches of epoch {@code globalEpoch} (counted over the run), shuffled from {@code seed}. */
        Iterator<DataSet> epoch(int globalEpoch, long seed);

        /** Validation metrics of {@link #graph()} (the one evaluation loop), or null without validation data. */
        Metrics validate(List<String> labels, int topK);

        /** True if the batches are cached features (for the logs). */
        boolean cached();
    }

    /** The data through the whole graph; validation runs that graph in inference mode. */
    private record Direct(TransferModel model, TrainingData train, DataSetIterator val) implements Feed {
        @Override
        public ComputationGraph graph() {
            return model.graph();
        }

        @Override
        public int batchesPerEpoch() {
            return train.batchesPerEpoch();
        }

        @Override
        public Iterator<DataSet> epoch(int globalEpoch, long seed) {
            return train.epoch(globalEpoch);
        }

        @Override
        public Metrics validate(List<String> labels, int topK) {
            if (val == null) {
                return null;
            }
            // the training graph itself in inference mode, as the cached and prefix-per-batch feeds validate: a
            // derived graph would copy every weight the next epoch changes (VGG16 full fine-tuning: 512 MiB plus
            // its executor's buffers, ~1 GiB over the step's peak), DL4J's executor reuses the training workspaces
            ComputationGraph g = model.graph();
            return Evaluator.evaluate(x -> g.outputSingle(false, x), val, labels, topK, null);
        }

        @Override
        public boolean cached() {
            return false;
        }
    }

    /**
     * Each batch through the derived frozen prefix, then into the suffix graph {@code graph}; the same batches as
     * {@link Direct} (its epochs), validation through the same prefix and the suffix graph.
     */
    private record PrefixPerBatch(ComputationGraph graph, Direct data, UnaryOperator<INDArray> prefix)
            implements Feed {
        @Override
        public int batchesPerEpoch() {
            return data.batchesPerEpoch();
        }

        @Override
        public Iterator<DataSet> epoch(int globalEpoch, long seed) {
            Iterator<DataSet> batches = data.epoch(globalEpoch, seed);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return batches.hasNext();
                }

                @Override
                public DataSet next() {
                    DataSet d = batches.next();
                    return new DataSet(prefix.apply(d.getFeatures()), d.getLabels(), null, d.getLabelsMaskArray());
                }
            };
        }

        /**
         * The same computation as training and as {@link Cached}'s validation: the phase's derived prefix, then the
         * suffix graph in inference mode. (Validating on {@code model.inferenceGraph()} derived the whole model
         * again after every epoch, since the suffix's training changes its parameters: seconds and a second copy
         * of the weights each time, docs/performance.md, Memory.)
         */
        @Override
        public Metrics validate(List<String> labels, int topK) {
            if (data.val() == null) {
                return null;
            }
            return Evaluator.evaluate(x -> {
                INDArray features = prefix.apply(x);
                INDArray out = graph.outputSingle(false, features);
                if (features != x && features.closeable()) {
                    features.close();
                }
                return out;
            }, data.val(), labels, topK, null);
        }

        @Override
        public boolean cached() {
            return false;
        }
    }

    /**
     * Cached activations through the graph from the boundary on. Epoch {@code e} replays the data's own order and
     * batch cuts for {@code e} (augmented view {@code e mod views}) when the data can tell them, else a seeded
     * permutation.
     */
    private record Cached(ComputationGraph graph, TrainingData data, FeatureCache train, FeatureCache val)
            implements Feed {
        @Override
        public int batchesPerEpoch() {
            return data.order(0).isPresent() ? data.batchesPerEpoch() : train.batches();
        }

        @Override
        public Iterator<DataSet> epoch(int globalEpoch, long seed) {
            return data.order(globalEpoch).map(o -> train.epoch(globalEpoch % train.views(), o.samples(),
                    o.batchSize())).orElseGet(() -> train.shuffled(seed));
        }

        @Override
        public Metrics validate(List<String> labels, int topK) {
            return val == null ? null : Evaluator.evaluate(x -> graph.outputSingle(false, x), val.inOrder(), labels,
                    topK);
        }

        @Override
        public boolean cached() {
            return true;
        }
    }
}
