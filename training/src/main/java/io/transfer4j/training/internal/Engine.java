package io.transfer4j.training.internal;

import io.transfer4j.zoo.Backend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.InferenceGraph;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TrainingProvenance;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.BatchEnd;
import io.transfer4j.training.Callback;
import io.transfer4j.training.ClassWeights;
import io.transfer4j.training.Decision;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.FeatureCacheMode;
import io.transfer4j.training.FineTunePlan;
import io.transfer4j.training.History;
import io.transfer4j.training.Metric;
import io.transfer4j.training.Metrics;
import io.transfer4j.training.Phase;
import io.transfer4j.training.Progress;
import io.transfer4j.training.TerminateOnNaN;
import io.transfer4j.training.TrainingAccuracy;
import io.transfer4j.training.TrainingControl;
import io.transfer4j.training.TrainingData;
import io.transfer4j.training.TrainingDivergedException;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.zoo.LayerGroup;

/**
 * Runs a {@link FineTunePlan}: the phase loop and the epoch loop, validation and callbacks. One instance per
 * {@code fit()}. Its collaborators each do one job: {@link TrainingData} (what the training data is),
 * {@link CachePlanner} (what a phase feeds on: data or cached features), {@link CheckpointStore} (what the run
 * directory holds, written at every epoch end and phase end).
 *
 * <p>Resuming happens once, before the loop: {@link #restore} turns the last checkpoint into the position the
 * loop continues from (phase, epochs done, whether the phase was already stopped) with the model, optimiser,
 * callbacks and snapshots as they were; a run whose checkpoint is past the last phase only gets the last phase's
 * trainable selection back and is then finished (tested, saved). The loop itself knows nothing of resuming.
 *
 * <p>Reproducibility: every random stream is a function of (seed, phase, epoch): ND4J's generator (dropout) is
 * re-seeded at each epoch start, the feature cache shuffles with a seed drawn from the same triple, and the
 * training data is moved to the epoch with {@link TrainingData#epoch}. A run resumed from the checkpoint of
 * epoch k therefore sees exactly the batches and random numbers an uninterrupted run sees.
 */
public final class Engine implements TrainingControl {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Everything a run needs, checked by the FineTuner builder. */
    public record Config(TransferModel model, TrainingData train, DataSetIterator validation,
                         DataSetIterator test, FineTunePlan plan, Path runDir, long seed, List<Callback> callbacks,
                         ClassWeights classWeights, int topK, FeatureCacheMode cacheMode, long cacheMemoryLimit,
                         int augmentedViews, boolean prefixPerBatch, CachePool sharedCaches,
                         long restorePointMemoryLimit) {
    }

    /** Where the loop stands: a phase, the epochs of it already done, and whether a callback already ended it. */
    private record Position(int phase, int epochsDone, boolean stopped) {
        static Position startOf(int phase) {
            return new Position(phase, 0, false);
        }
    }

    private final Config cfg;
    private final TransferModel model;
    private final TrainingData train;
    private final String dataFingerprint;
    private final CheckpointStore store;
    private final CachePlanner caches;
    private final List<EpochRecord> history = new ArrayList<>();
    private final Map<String, Map<String, INDArray>> snapshots = new LinkedHashMap<>();
    private final List<Callback> userCallbacks;

    // phase state
    private Phase phase;
    private int phaseIndex;
    private int epochInPhase;
    private int batchInEpoch;
    private double lrFactor = 1;
    private List<Callback> callbacks = List.of();
    private EarlyStopper stopper;
    private CachePlanner.Feed feed;
    private LearningRates lrs;
    private Runnable restoreLoss = () -> { };
    private double[] classWeights;
    /** Counts each training batch's correct predictions from the step's own forward pass. */
    private final TrainingAccuracy accuracy = new TrainingAccuracy();

    public Engine(Config cfg) {
        this.cfg = cfg;
        this.model = cfg.model();
        this.train = cfg.train();
        this.dataFingerprint = train.fingerprint();
        this.store = new CheckpointStore(cfg.runDir(), new CheckpointStore.RunIdentity(cfg.plan().fingerprint(),
                cfg.seed(), dataFingerprint));
        this.caches = new CachePlanner(model, train, cfg.validation(), cfg.cacheMode(), cfg.cacheMemoryLimit(),
                cfg.augmentedViews(), cfg.prefixPerBatch(), cfg.runDir(), cfg.sharedCaches());
        List<Callback> user = new ArrayList<>(cfg.callbacks());
        if (user.stream().noneMatch(c -> c instanceof TerminateOnNaN)) {
            user.add(new TerminateOnNaN());
        }
        this.userCallbacks = List.copyOf(user);
    }

    // ------------------------------------------------------------------ the run

    public TrainingResult run() {
        try (caches) {
            return runPhases();
        } finally {
            if (feed != null) {
                feed.graph().getListeners().remove(accuracy);
            }
        }
    }

    private TrainingResult runPhases() {
        int phases = cfg.plan().phases().size();
        Position at = store.resume().map(this::restore).orElseGet(this::begin);
        while (at.phase() < phases) {
            if (!runPhase(at)) {
                return finish(TrainingResult.StopReason.STOPPED_BY_CALLBACK);
            }
            at = Position.startOf(at.phase() + 1);
            store.phaseEnd(moment(at));
            if (at.phase() < phases) {
                beginPhase(at.phase());
            }
        }
        return finish(TrainingResult.StopReason.COMPLETED);
    }

    /** A fresh run: writes the run files and enters the first phase. */
    private Position begin() {
        store.begin(runJson(), model, extras());
        beginPhase(0);
        return Position.startOf(0);
    }

    /**
     * Puts the run back where the checkpoint left it. Mid-phase, callback states are restored after
     * {@code onPhaseBegin} (which resets what is per phase); at a phase boundary, run-long states (e.g. a
     * best-only checkpoint's best value) come back first and {@code onPhaseBegin} then resets what is per phase.
     */
    private Position restore(RunDirectory.Checkpoint c) {
        RunState s = c.state();
        history.addAll(s.history());
        int phases = cfg.plan().phases().size();
        LOG.info("Resuming {} at phase {} of {}, after epoch {} of it", cfg.runDir(), Math.min(s.phaseIndex() + 1,
                phases), phases, s.epochsDone());
        if (s.phaseIndex() >= phases) {
            // the run had finished (e.g. killed while writing model.t4j): the model as the last phase left it
            enterPhase(phases - 1);
            applySelection();
            loadParams(model.graph(), c.params());
            return new Position(s.phaseIndex(), 0, false);
        }
        enterPhase(s.phaseIndex());
        applySelection();
        loadParams(model.graph(), c.params());
        openFeed();
        if (s.epochsDone() > 0 || s.phaseStopped()) {
            callbacks.forEach(cb -> cb.onPhaseBegin(phase.name(), this));
            lrFactor = s.lrFactor();
            restoreCallbackStates(s, callbacks);
            snapshots.putAll(c.snapshots());
            restoreOptimizer(c);
        } else {
            restoreCallbackStates(s, userCallbacks);
            callbacks.forEach(cb -> cb.onPhaseBegin(phase.name(), this));
        }
        return new Position(s.phaseIndex(), s.epochsDone(), s.phaseStopped());
    }

    /**
     * Runs the epochs of the phase at {@code at} that are not done yet, then ends the phase.
     *
     * @return false if a callback stopped the whole run
     */
    private boolean runPhase(Position at) {
        boolean stopPhase = at.stopped();
        boolean stopRun = false;
        for (epochInPhase = at.epochsDone(); epochInPhase < phase.maxEpochs() && !stopPhase; epochInPhase++) {
            Decision d = runEpoch();
            if (d == Decision.STOP_TRAINING) {
                stopRun = true;
                break;
            }
            stopPhase = d == Decision.STOP_PHASE;
        }
        callbacks.forEach(c -> c.onPhaseEnd(phase.name(), this));
        restoreLoss.run();
        if (stopper != null && stopper.stopped()) {
            LOG.info("Phase '{}' stopped early after epoch {}; best epoch {}", phase.name(), epochInPhase,
                    stopper.bestEpoch());
        }
        return !stopRun;
    }

    /** Runs one epoch: training batches, validation, the epoch's callbacks and its checkpoint. */
    private Decision runEpoch() {
        long epochSeed = mix(cfg.seed(), phaseIndex, epochInPhase);
        Nd4j.getRandom().setSeed(epochSeed);
        long start = System.nanoTime();
        Iterator<DataSet> batches = feed.epoch(history.size(), epochSeed);
        ComputationGraph graph = feed.graph();
        // oneDNN's conv backward copies whole activations 4x at once; chunked over the batch above 32 MiB
        Backend.boundConvolutionMemory(graph);
        int batchesPerEpoch = feed.batchesPerEpoch();
        double lossSum = 0;
        long seen = 0;
        double lr = Double.NaN;
        batchInEpoch = 0;
        accuracy.reset();
        // what a diverged epoch puts back; large ones go to a file instead of staying resident (RestorePoint)
        try (RestorePoint beforeEpoch = RestorePoint.take(model.graph(), model.frozenVertices(),
                cfg.restorePointMemoryLimit(), cfg.runDir())) {
            while (batches.hasNext()) {
                DataSet ds = batches.next();
                lr = scheduledLr() * lrFactor;
                lrs.apply(lr);
                accuracy.labels(ds.getLabels());
                graph.fit(ds);
                double loss = graph.score();
                int n = ds.numExamples();
                lossSum += loss * n;
                seen += n;
                batchInEpoch++;
                BatchEnd end = new BatchEnd(phase.name(), epochInPhase + 1, phase.maxEpochs(), batchInEpoch,
                        Math.max(batchesPerEpoch, batchInEpoch), loss, lr, seen, (System.nanoTime() - start) / 1e9);
                Decision d = Decision.CONTINUE;
                for (Callback c : callbacks) {
                    d = d.and(c.onBatchEnd(end, this));
                }
                if (!Double.isFinite(loss)) {
                    beforeEpoch.restore(model.graph());   // the caller's model is left as it was before the epoch
                    throw diverged(loss, lr);
                }
                if (d == Decision.STOP_TRAINING) {
                    LOG.info("A callback stopped the run in phase '{}', epoch {}, batch {}", phase.name(),
                            epochInPhase + 1, batchInEpoch);
                    return d;
                }
            }
        }
        if (seen == 0) {
            throw new IllegalStateException("the training data gave no batch in phase '" + phase.name()
                    + "', epoch " + (epochInPhase + 1) + "; check the training iterator (an exhausted iterator that "
                    + "cannot be reset?)");
        }
        Metrics val = validate();
        double seconds = (System.nanoTime() - start) / 1e9;
        EpochRecord record = EpochRecord.of(phase.name(), epochInPhase + 1, lossSum / seen, accuracy.accuracy(), val,
                lr, seconds, seen / seconds);
        history.add(record);
        LOG.info("{} epoch {}/{}: loss {} accuracy {} val_loss {} val_accuracy {} lr {} ({} s, {} img/s{})",
                phase.name(), record.epoch(), phase.maxEpochs(), fmt(record.loss()),
                fmt(record.value(Metric.ACCURACY)), fmt(record.valLoss()),
                fmt(record.value(Metric.VAL_ACCURACY)), fmt(lr), fmt(seconds), fmt(record.imagesPerSecond()),
                feed.cached() ? ", cached features" : "");
        Decision d = Decision.CONTINUE;
        for (Callback c : callbacks) {
            d = d.and(c.onEpochEnd(record, this));
        }
        store.epochEnd(moment(new Position(phaseIndex, epochInPhase + 1, d == Decision.STOP_PHASE)));
        return d;
    }

    private TrainingDivergedException diverged(double loss, double lr) {
        String where = store.dir().isEmpty() ? "" : store.hasCheckpoint()
                ? "; the last good checkpoint in " + cfg.runDir() + " is kept (resume from it with a lower rate)"
                : "; no checkpoint was written yet";
        return new TrainingDivergedException("Loss became " + loss + " in phase '" + phase.name() + "', epoch "
                + (epochInPhase + 1) + ", batch " + batchInEpoch + " at learning rate " + lr
                + where + "; the model keeps its weights from before this epoch. Lower the learning rate (or check the "
                + "input normalisation).", history);
    }

    private TrainingResult finish(TrainingResult.StopReason reason) {
        Metrics test = null;
        if (cfg.test() != null) {
            InferenceGraph g = model.inferenceGraph();
            test = Evaluator.evaluate(g::output, cfg.test(), model.labels(), cfg.topK(), null);
            LOG.info("Test: {}", test.summary().lines().findFirst().orElse(""));
        }
        model.recordTraining(provenance(test == null ? null : new TrainingProvenance.Results(
                new TrainingProvenance.Evaluation(test.accuracy(), test.loss(), test.macroF1(), test.rocAuc()))));
        TrainingResult result = new TrainingResult(history, model, test, reason, cfg.runDir());
        store.finish(result);
        return result;
    }

    // ------------------------------------------------------------------ phases

    /** Enters phase {@code index} of a run in progress: the phase's selection, feed and callbacks begin. */
    private void beginPhase(int index) {
        enterPhase(index);
        applySelection();
        collectGarbage();
        openFeed();
        collectGarbage();
        callbacks.forEach(c -> c.onPhaseBegin(phase.name(), this));
    }

    /**
     * A full collection at a phase boundary. ND4J frees an array's native buffer only when its Java object is
     * collected, and with a large heap and few Java allocations that can take minutes: the previous phase's graph,
     * the new graph's random initialisation and a cache build's per-batch arrays stayed resident until then
     * (ResNet50 recipe: ~0.9 GB at each phase start; {@code quickstart} peaked at 6.4 GiB, docs/performance.md,
     * Memory). Costs ~0.1-1 s per phase, so only for models where the dead memory is worth it: it scales with the
     * parameter count (graph copies, random initialisation), ~100 MiB and more from {@value #GC_MIN_PARAMS}
     * parameters on (ResNet50 23.5 M, VGG16 138 M; the tiny test backbones have far fewer).
     */
    private void collectGarbage() {
        if (model.graph().numParams() >= GC_MIN_PARAMS) {
            System.gc();
        }
    }

    /** Default bytes of trained parameters an epoch's {@link RestorePoint} copies in memory (more go to a file). */
    public static final long RESTORE_POINT_MEMORY_LIMIT = RestorePoint.MEMORY_LIMIT;

    /** Models from this many parameters on get a full collection at each phase boundary. */
    static final long GC_MIN_PARAMS = 4_000_000;

    /** Makes {@code index} the current phase with its callbacks (early stopping first, then the user's). */
    private void enterPhase(int index) {
        phaseIndex = index;
        phase = cfg.plan().phase(index);
        stopper = phase.earlyStopping() == null ? null : new EarlyStopper(phase.earlyStopping());
        List<Callback> list = new ArrayList<>();
        if (stopper != null) {
            list.add(stopper);
        }
        list.addAll(userCallbacks);
        callbacks = List.copyOf(list);
        snapshots.clear();
        lrFactor = 1;
    }

    /** Freezes and unfreezes the model as the current phase says (parameters are kept). */
    private void applySelection() {
        model.setTrainable(phase.trainable(), Updaters.toUpdater(phase.optimizer(), phase.schedule()
                .lr(Progress.start(1, phase.maxEpochs()))));
    }

    /** The current phase's feed (data or cached features), class weighting and per-layer learning rates. */
    private void openFeed() {
        feed = caches.open(phase);
        int batchesPerEpoch = feed.batchesPerEpoch();
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException("the training data is empty (no batch); check the training folder or "
                    + "iterator");
        }
        if (!feed.graph().getListeners().contains(accuracy)) {
            feed.graph().addListeners(accuracy);
        }
        Map<String, String> groupOf = new HashMap<>();
        for (LayerGroup g : model.backbone().groups()) {
            g.layers().forEach(l -> groupOf.put(l, g.name()));
        }
        double[] weights = classWeights();
        restoreLoss = weights == null ? () -> { } : ClassWeighting.install(feed.graph(), weights);
        lrs = LearningRates.prepare(feed.graph(), layer -> {
            String g = groupOf.get(layer);
            return phase.groupLrMultipliers().get(g == null ? "head" : g);
        }, phase.optimizer(), phase.schedule().lr(Progress.start(batchesPerEpoch, phase.maxEpochs())));
        LOG.info("Phase '{}' ({} of {}): {} trains, {} epochs max, {} batches per epoch{}", phase.name(),
                phaseIndex + 1, cfg.plan().phases().size(), phase.trainable().describe(), phase.maxEpochs(),
                batchesPerEpoch, feed.cached() ? ", on cached features" : "");
    }

    private Metrics validate() {
        return feed.validate(model.labels(), cfg.topK());
    }

    private double[] classWeights() {
        if (cfg.classWeights() instanceof ClassWeights.None) {
            return null;
        }
        if (classWeights == null) {
            int n = model.labels().size();
            long[] counts = cfg.classWeights() instanceof ClassWeights.Balanced
                    ? caches.cachedClassCounts().orElseGet(() -> train.classCounts(n)) : new long[n];
            classWeights = cfg.classWeights().resolve(model.labels(), counts);
            LOG.info("Class weights: {}", Arrays.toString(classWeights));
        }
        return classWeights;
    }

    // ------------------------------------------------------------------ checkpoints

    private byte[] runJson() {
        try {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("plan", planJson());
            run.put("seed", cfg.seed());
            run.put("topK", cfg.topK());
            // written through the interface type, so the JSON carries the "type" id
            run.put("classWeights", JSON.readTree(JSON.writerFor(ClassWeights.class)
                    .writeValueAsString(cfg.classWeights())));
            run.put("featureCache", cfg.cacheMode());
            run.put("augmentedViews", cfg.augmentedViews());
            run.put("prefixPerBatch", cfg.prefixPerBatch());
            run.put("dataFingerprint", dataFingerprint);
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(run);
        } catch (IOException e) {
            throw new IllegalStateException("could not write run.json: " + e.getMessage(), e);
        }
    }

    /** The loop's position and live state, for the checkpoint store to take what it keeps from. */
    private CheckpointStore.Moment moment(Position at) {
        return new CheckpointStore.Moment(at.phase(), at.epochsDone(), at.stopped(), lrFactor,
                feed.batchesPerEpoch(), history, model.graph(), feed.graph(), callbacks, userCallbacks, snapshots);
    }

    /** Puts the optimiser state and iteration count of a mid-phase checkpoint back into the phase's graph. */
    private void restoreOptimizer(RunDirectory.Checkpoint c) {
        RunState s = c.state();
        ComputationGraph graph = feed.graph();
        if (c.updater() != null && s.epochsDone() > 0) {
            INDArray view = graph.getUpdater().getStateViewArray();
            if (view == null || view.length() != c.updater().length()) {
                throw new IllegalStateException("the checkpoint's optimiser state (" + c.updater().length()
                        + " values) does not fit phase '" + phase.name() + "' (" + (view == null ? 0 : view.length())
                        + "); the run directory belongs to a different model");
            }
            view.assign(c.updater().reshape(view.shape()));
        }
        graph.getConfiguration().setIterationCount((int) s.iterations());
    }

    private static void restoreCallbackStates(RunState s, List<Callback> callbacks) {
        for (Callback cb : callbacks) {
            Map<String, Double> st = s.callbackStates().get(cb.id());
            if (st != null) {
                cb.restoreState(st);
            }
        }
    }

    /** A copy of every parameter array of {@code g}, by name. */
    static Map<String, INDArray> params(ComputationGraph g) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        g.paramTable().forEach((k, v) -> m.put(k, v.dup()));
        return m;
    }

    private static void loadParams(ComputationGraph g, Map<String, INDArray> params) {
        Map<String, INDArray> table = g.paramTable();
        if (!table.keySet().equals(params.keySet())) {
            throw new IllegalArgumentException("the checkpoint's parameters do not match the model ("
                    + params.size() + " arrays saved, " + table.size() + " in the model); the run directory "
                    + "belongs to a different model");
        }
        params.forEach((k, v) -> table.get(k).assign(v.reshape(table.get(k).shape())));
    }

    private BundleExtras extras() {
        return new BundleExtras(provenance(null), new History(history).toJson(), false);
    }

    /** What the bundle records of this run: plan, seed, data fingerprint and (when finished) the test metrics. */
    private TrainingProvenance provenance(TrainingProvenance.Results results) {
        return new TrainingProvenance(cfg.plan().provenance(), new TrainingProvenance.Seeds(cfg.seed()),
                new TrainingProvenance.Data(dataFingerprint), results);
    }

    private JsonNode planJson() {
        try {
            return JSON.readTree(cfg.plan().toJson());
        } catch (IOException | IllegalArgumentException e) {
            return JSON.valueToTree(cfg.plan().describe());
        }
    }

    // ------------------------------------------------------------------ TrainingControl

    @Override
    public String phase() {
        return phase.name();
    }

    @Override
    public List<EpochRecord> history() {
        return Collections.unmodifiableList(history);
    }

    @Override
    public double scheduledLr() {
        int bpe = Math.max(1, Math.max(feed == null ? 0 : feed.batchesPerEpoch(), batchInEpoch + 1));
        return phase.schedule().lr(new Progress(Math.min(epochInPhase, phase.maxEpochs() - 1),
                Math.min(batchInEpoch, bpe - 1), bpe, phase.maxEpochs()));
    }

    @Override
    public double lrFactor() {
        return lrFactor;
    }

    @Override
    public void setLrFactor(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("learning-rate factor must be finite and > 0; received " + factor);
        }
        this.lrFactor = factor;
    }

    @Override
    public void saveModel(Path file) throws IOException {
        ModelBundle.save(model, file, extras());
    }

    @Override
    public void storeSnapshot(String key) {
        snapshots.put(key, params(model.graph()));
    }

    @Override
    public boolean restoreSnapshot(String key) {
        Map<String, INDArray> s = snapshots.get(key);
        if (s == null) {
            return false;
        }
        loadParams(model.graph(), s);
        return true;
    }

    @Override
    public Optional<Path> runDir() {
        return store.dir();
    }

    // ------------------------------------------------------------------ helpers

    /** A well-mixed seed for (seed, phase, epoch) (SplitMix64 finaliser). */
    static long mix(long seed, int phase, int epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + phase * 0xBF58476D1CE4E5B9L + epoch * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, v != 0 && Math.abs(v) < 1e-3 ? "%.2e"
                : "%.4f", v);
    }
}
