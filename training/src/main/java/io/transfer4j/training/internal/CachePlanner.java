package io.transfer4j.training.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.transfer4j.core.InferenceGraph;
import io.transfer4j.core.LayerSelection;
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
 * <p>Today one cache exists: {@link Plan.AtCut}, the backbone's output, for a phase that trains only the head on
 * inputs that do not change between epochs. A cache at the freeze boundary of a partly unfrozen phase (the inputs
 * of the first trainable layer) is one more {@link Plan} case: {@link #plan} picks it for a phase whose selection
 * leaves a frozen prefix and whose inputs are not augmented, and {@link #open} builds its feed (the graph from the
 * boundary on, whose parameters are the model's).
 */
final class CachePlanner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CachePlanner.class);

    /** Which cache, if any, a phase trains from. */
    sealed interface Plan {
        /** No cache: every batch runs through the whole graph. */
        record Direct() implements Plan {
        }

        /** Features at the backbone's cut, replayed into the head graph. */
        record AtCut(String vertex) implements Plan {
        }
    }

    private final TransferModel model;
    private final TrainingData train;
    private final DataSetIterator validation;
    private final FeatureCacheMode mode;
    private final long memoryLimit;
    private final Path runDir;
    private final String dataFingerprint;
    private FeatureCache trainCache;
    private FeatureCache valCache;
    /** The frozen body up to the cut, derived for inference, for building the feature cache. */
    private InferenceGraph bodyGraph;

    CachePlanner(TransferModel model, TrainingData train, DataSetIterator validation, FeatureCacheMode mode,
                 long memoryLimit, Path runDir) {
        this.model = model;
        this.train = train;
        this.validation = validation;
        this.mode = mode;
        this.memoryLimit = memoryLimit;
        this.runDir = runDir;
        this.dataFingerprint = train.fingerprint();
    }

    /** The cache for {@code phase}: only a head-only phase on unchanging inputs (or {@code ALWAYS}) is cached. */
    Plan plan(Phase phase) {
        if (!(phase.trainable() instanceof LayerSelection.HeadOnly)) {
            return new Plan.Direct();
        }
        boolean cache = switch (mode) {
            case OFF -> false;
            case ALWAYS -> true;
            case AUTO -> !train.augmented();
        };
        return cache ? new Plan.AtCut(model.bodyOutputName()) : new Plan.Direct();
    }

    /**
     * The feed of {@code phase}, with the model's trainable selection already applied. A cache is rebuilt only
     * when what it was computed from (frozen parameters, data) changed since the previous phase.
     */
    Feed open(Phase phase) {
        Plan plan = plan(phase);
        if (plan instanceof Plan.AtCut cut) {
            String key = cut.vertex() + ":" + bodyHash() + ":" + dataFingerprint;
            if (trainCache == null || !trainCache.key().equals(key)) {
                close();
                long t = System.nanoTime();
                trainCache = FeatureCache.build(key, train.iterator(), this::body, memoryLimit, spillDir("train"));
                if (validation != null) {
                    valCache = FeatureCache.build(key, validation, this::body, memoryLimit, spillDir("validation"));
                }
                LOG.info("Feature cache for phase '{}': {} training examples at '{}' ({}) in {} s", phase.name(),
                        trainCache.examples(), cut.vertex(), trainCache.onDisk() ? "disk" : "memory",
                        Engine.fmt((System.nanoTime() - t) / 1e9));
            }
            return new Cached(model.headGraph(), trainCache, valCache);
        }
        return new Direct(model, train, validation);
    }

    /** Class counts of the cached training data, when a cache exists (it skipped what could not be decoded). */
    Optional<long[]> cachedClassCounts() {
        return trainCache == null ? Optional.empty() : Optional.of(trainCache.classCounts());
    }

    @Override
    public void close() {
        if (trainCache != null) {
            trainCache.close();
            trainCache = null;
        }
        if (valCache != null) {
            valCache.close();
            valCache = null;
        }
    }

    private INDArray body(INDArray input) {
        if (bodyGraph == null || !bodyGraph.isCurrentFor(model.graph())) {
            bodyGraph = InferenceGraph.derive(model.graph(), model.bodyOutputName());
        }
        return bodyGraph.output(input);
    }

    private Path spillDir(String which) {
        Path base = runDir != null ? runDir.resolve("feature-cache")
                : Path.of(System.getProperty("java.io.tmpdir")).resolve("transfer4j-feature-cache-"
                + ProcessHandle.current().pid());
        return base.resolve(which);
    }

    /** A checksum of every frozen body parameter: a cache of other parameters is never reused. */
    private String bodyHash() {
        CRC32C crc = new CRC32C();
        ComputationGraph g = model.graph();
        for (String v : model.bodyVertices()) {
            Layer layer = g.getVertex(v).hasLayer() ? g.getVertex(v).getLayer() : null;
            if (layer == null) {
                continue;
            }
            for (Map.Entry<String, INDArray> e : new TreeMap<>(layer.paramTable()).entrySet()) {
                crc.update((v + "/" + e.getKey()).getBytes(StandardCharsets.UTF_8));
                // a copy: a parameter is a view into the graph's flat parameter buffer
                crc.update(e.getValue().dup('c').data().asBytes());
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

    /** The data through the whole graph; validation runs the model's derived inference graph. */
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
            InferenceGraph g = model.inferenceGraph();
            return Evaluator.evaluate(g::output, val, labels, topK, null);
        }

        @Override
        public boolean cached() {
            return false;
        }
    }

    private record Cached(ComputationGraph graph, FeatureCache train, FeatureCache val) implements Feed {
        @Override
        public int batchesPerEpoch() {
            return train.batches();
        }

        @Override
        public Iterator<DataSet> epoch(int globalEpoch, long seed) {
            return train.shuffled(seed);
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
