package io.transfer4j.training.internal;

import io.transfer4j.zoo.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.zip.CRC32C;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.ImageFlow;
import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.InferenceGraph;
import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.ModelBundle;
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
import io.transfer4j.training.TrainingControl;
import io.transfer4j.training.TrainingAccuracy;
import io.transfer4j.training.TrainingDivergedException;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.zoo.LayerGroup;

/**
 * Runs a {@link FineTunePlan}: the phase loop, the epoch loop, validation, callbacks, the feature cache and the
 * checkpoints. One instance per {@code fit()}.
 *
 * <p>Reproducibility: every random stream is a function of (seed, phase, epoch): ND4J's generator (dropout) is
 * re-seeded at each epoch start, the feature cache shuffles with a seed drawn from the same triple, and
 * augmentation flows are moved to the epoch with {@link ImageFlow#setEpoch}. A run resumed from the checkpoint
 * of epoch k therefore sees exactly the batches and random numbers an uninterrupted run sees.
 */
public final class Engine implements TrainingControl {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Everything a run needs, checked by the FineTuner builder. */
    public record Config(TransferModel model, DataSetIterator train, DataSetIterator validation,
                         DataSetIterator test, FineTunePlan plan, Path runDir, long seed, List<Callback> callbacks,
                         ClassWeights classWeights, int topK, FeatureCacheMode cacheMode, long cacheMemoryLimit) {
    }

    private final Config cfg;
    private final TransferModel model;
    private final RunDirectory runDir;
    private final List<EpochRecord> history = new ArrayList<>();
    private final Map<String, Map<String, INDArray>> snapshots = new LinkedHashMap<>();
    private final String dataFingerprint;

    // phase state
    private Phase phase;
    private int phaseIndex;
    private int epochInPhase;
    private int batchInEpoch;
    private int batchesPerEpoch;
    private double lrFactor = 1;
    private ComputationGraph trainingGraph;
    private boolean cached;
    /** The frozen body up to the cut, derived for inference, for building the feature cache. */
    private InferenceGraph bodyGraph;
    private FeatureCache trainCache;
    private FeatureCache valCache;
    private Integer genericBatchesPerEpoch;
    private LearningRates lrs;
    /** Counts each training batch's correct predictions from the step's own forward pass. */
    private final TrainingAccuracy accuracy = new TrainingAccuracy();
    private Runnable restoreLoss = () -> { };

    public Engine(Config cfg) {
        this.cfg = cfg;
        this.model = cfg.model();
        this.runDir = cfg.runDir() == null ? null : new RunDirectory(cfg.runDir());
        this.dataFingerprint = fingerprint(cfg.train());
    }

    // ------------------------------------------------------------------ the run

    public TrainingResult run() {
        try {
            return runPhases();
        } finally {
            closeCaches();
            if (trainingGraph != null) {
                trainingGraph.getListeners().remove(accuracy);
            }
        }
    }

    private TrainingResult runPhases() {
        Optional<RunDirectory.Checkpoint> resume = readCheckpoint();
        int startPhase = 0;
        if (resume.isPresent()) {
            RunState s = resume.get().state();
            history.addAll(s.history());
            startPhase = s.phaseIndex();
            LOG.info("Resuming {} at phase {} of {}, after epoch {} of it", cfg.runDir(), startPhase + 1,
                    cfg.plan().phases().size(), s.epochsDone());
        } else if (runDir != null) {
            writeRunFiles();
        }
        List<Callback> user = new ArrayList<>(cfg.callbacks());
        if (user.stream().noneMatch(c -> c instanceof TerminateOnNaN)) {
            user.add(new TerminateOnNaN());
        }
        if (resume.isPresent() && startPhase >= cfg.plan().phases().size()) {
            loadParams(model.graph(), resume.get().params());   // the run had finished: only test and report
        }
        for (phaseIndex = startPhase; phaseIndex < cfg.plan().phases().size(); phaseIndex++) {
            phase = cfg.plan().phase(phaseIndex);
            List<Callback> callbacks = new ArrayList<>();
            EarlyStopper stopper = phase.earlyStopping() == null ? null : new EarlyStopper(phase.earlyStopping());
            if (stopper != null) {
                callbacks.add(stopper);
            }
            callbacks.addAll(user);
            snapshots.clear();
            lrFactor = 1;
            preparePhase(resume.isPresent() && phaseIndex == startPhase ? resume.get() : null);
            boolean midPhase = resume.isPresent() && phaseIndex == startPhase
                    && (resume.get().state().epochsDone() > 0 || resume.get().state().phaseStopped());
            if (resume.isPresent() && phaseIndex == startPhase && !midPhase) {
                // resuming at a phase boundary: run-long states (e.g. a best-only checkpoint's best value) come
                // back first, then onPhaseBegin resets what is per phase
                restoreCallbackStates(resume.get().state(), user);
            }
            callbacks.forEach(c -> c.onPhaseBegin(phase.name(), this));
            int firstEpoch = 0;
            boolean stopPhase = false;
            if (midPhase) {
                RunState s = resume.get().state();
                restoreMidPhase(resume.get(), callbacks);
                firstEpoch = s.epochsDone();
                stopPhase = s.phaseStopped();
            }
            resume = Optional.empty();
            boolean stopRun = false;
            for (epochInPhase = firstEpoch; epochInPhase < phase.maxEpochs() && !stopPhase; epochInPhase++) {
                EpochOutcome out = runEpoch(callbacks);
                if (out.stopRun) {
                    stopRun = true;
                    break;
                }
                stopPhase = out.decision == Decision.STOP_PHASE;
                if (out.decision == Decision.STOP_TRAINING) {
                    stopRun = true;
                    break;
                }
            }
            callbacks.forEach(c -> c.onPhaseEnd(phase.name(), this));
            restoreLoss.run();
            if (stopper != null && stopper.stopped()) {
                LOG.info("Phase '{}' stopped early after epoch {}; best epoch {}", phase.name(), epochInPhase,
                        stopper.bestEpoch());
            }
            if (stopRun) {
                return finish(TrainingResult.StopReason.STOPPED_BY_CALLBACK);
            }
            checkpoint(phaseIndex + 1, 0, false, false, user);
        }
        return finish(TrainingResult.StopReason.COMPLETED);
    }

    private record EpochOutcome(Decision decision, boolean stopRun) {
    }

    private EpochOutcome runEpoch(List<Callback> callbacks) {
        long epochSeed = mix(cfg.seed(), phaseIndex, epochInPhase);
        Nd4j.getRandom().setSeed(epochSeed);
        long start = System.nanoTime();
        Map<String, INDArray> beforeEpoch = params(model.graph());
        Iterator<DataSet> batches = cached ? trainCache.shuffled(epochSeed) : trainingBatches(history.size());
        double lossSum = 0;
        long seen = 0;
        double lr = Double.NaN;
        batchInEpoch = 0;
        accuracy.reset();
        while (batches.hasNext()) {
            DataSet ds = batches.next();
            lr = scheduledLr() * lrFactor;
            lrs.apply(lr);
            accuracy.labels(ds.getLabels());
            trainingGraph.fit(ds);
            double loss = trainingGraph.score();
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
                loadParams(model.graph(), beforeEpoch);   // the caller's model is left as it was before the epoch
                throw diverged(loss, lr);
            }
            if (d == Decision.STOP_TRAINING) {
                LOG.info("A callback stopped the run in phase '{}', epoch {}, batch {}", phase.name(),
                        epochInPhase + 1, batchInEpoch);
                return new EpochOutcome(d, true);
            }
        }
        if (seen == 0) {
            throw new IllegalStateException("the training data gave no batch in phase '" + phase.name()
                    + "', epoch " + (epochInPhase + 1) + "; check the training iterator (an exhausted iterator that "
                    + "cannot be reset?)");
        }
        Metrics val = validate();
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
        metrics.put(Metric.ACCURACY, accuracy.accuracy());
        if (val != null) {
            for (Metric m : Metric.values()) {
                if (m.validation() && m != Metric.VAL_LOSS) {
                    metrics.put(m, val.value(m));
                }
            }
        }
        EpochRecord record = new EpochRecord(phase.name(), epochInPhase + 1, lossSum / seen,
                val == null ? Double.NaN : val.loss(), metrics, lr, seconds, seen / seconds);
        history.add(record);
        LOG.info("{} epoch {}/{}: loss {} accuracy {} val_loss {} val_accuracy {} lr {} ({} s, {} img/s{})",
                phase.name(), record.epoch(), phase.maxEpochs(), fmt(record.loss()),
                fmt(record.value(Metric.ACCURACY)), fmt(record.valLoss()),
                fmt(record.value(Metric.VAL_ACCURACY)), fmt(lr), fmt(seconds), fmt(record.imagesPerSecond()),
                cached ? ", cached features" : "");
        Decision d = Decision.CONTINUE;
        for (Callback c : callbacks) {
            d = d.and(c.onEpochEnd(record, this));
        }
        checkpoint(phaseIndex, epochInPhase + 1, d == Decision.STOP_PHASE, true, callbacks);
        return new EpochOutcome(d, false);
    }

    private TrainingDivergedException diverged(double loss, double lr) {
        String where = runDir == null ? "" : runDir.hasCheckpoint()
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
        JsonNode metricsJson = test == null ? null : JSON.valueToTree(Map.of("test", Map.of(
                "accuracy", test.accuracy(), "loss", test.loss(), "macroF1", test.macroF1(),
                "rocAuc", Double.isNaN(test.rocAuc()) ? "NaN" : test.rocAuc())));
        model.recordTraining(planJson(), JSON.valueToTree(Map.of("seed", cfg.seed())),
                JSON.valueToTree(Map.of("fingerprint", dataFingerprint)), metricsJson);
        if (runDir != null) {
            try {
                new History(history).write(cfg.runDir());
                ModelBundle.save(model, cfg.runDir().resolve("model.t4j"), extras(false));
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the final model to " + cfg.runDir() + ": "
                        + e.getMessage(), e);
            }
        }
        return new TrainingResult(history, model, test, reason, cfg.runDir());
    }

    // ------------------------------------------------------------------ phases

    private void preparePhase(RunDirectory.Checkpoint resume) {
        model.setTrainable(phase.trainable(), Updaters.toUpdater(phase.optimizer(), phase.schedule()
                .lr(Progress.start(1, phase.maxEpochs()))));
        if (resume != null) {
            loadParams(model.graph(), resume.params());
        }
        cached = useCache();
        if (cached) {
            String key = model.bodyOutputName() + ":" + bodyHash() + ":" + dataFingerprint;
            if (trainCache == null || !trainCache.key().equals(key)) {
                closeCaches();
                long t = System.nanoTime();
                trainCache = FeatureCache.build(key, cfg.train(), this::body, cfg.cacheMemoryLimit(),
                        spillDir("train"));
                if (cfg.validation() != null) {
                    valCache = FeatureCache.build(key, cfg.validation(), this::body, cfg.cacheMemoryLimit(),
                            spillDir("validation"));
                }
                LOG.info("Feature cache for phase '{}': {} training examples at '{}' ({}) in {} s", phase.name(),
                        trainCache.examples(), model.bodyOutputName(), trainCache.onDisk() ? "disk" : "memory",
                        fmt((System.nanoTime() - t) / 1e9));
            }
            trainingGraph = model.headGraph();
            batchesPerEpoch = trainCache.batches();
        } else {
            trainingGraph = model.graph();
            batchesPerEpoch = countBatches();
        }
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException("the training data is empty (no batch); check the training folder or "
                    + "iterator");
        }
        if (!trainingGraph.getListeners().contains(accuracy)) {
            trainingGraph.addListeners(accuracy);
        }
        Map<String, String> groupOf = new HashMap<>();
        for (LayerGroup g : model.backbone().groups()) {
            g.layers().forEach(l -> groupOf.put(l, g.name()));
        }
        double[] weights = classWeights();
        restoreLoss = weights == null ? () -> { } : ClassWeighting.install(trainingGraph, weights);
        lrs = LearningRates.prepare(trainingGraph, layer -> {
            String g = groupOf.get(layer);
            return phase.groupLrMultipliers().get(g == null ? "head" : g);
        }, phase.optimizer(), phase.schedule().lr(Progress.start(batchesPerEpoch, phase.maxEpochs())));
        LOG.info("Phase '{}' ({} of {}): {} trains, {} epochs max, {} batches per epoch{}", phase.name(),
                phaseIndex + 1, cfg.plan().phases().size(), phase.trainable().describe(), phase.maxEpochs(),
                batchesPerEpoch, cached ? ", on cached features" : "");
    }

    private void restoreMidPhase(RunDirectory.Checkpoint c, List<Callback> callbacks) {
        RunState s = c.state();
        lrFactor = s.lrFactor();
        restoreCallbackStates(s, callbacks);
        snapshots.putAll(c.snapshots());
        if (c.updater() != null && s.epochsDone() > 0) {
            INDArray view = trainingGraph.getUpdater().getStateViewArray();
            if (view == null || view.length() != c.updater().length()) {
                throw new IllegalStateException("the checkpoint's optimiser state (" + c.updater().length()
                        + " values) does not fit phase '" + phase.name() + "' (" + (view == null ? 0 : view.length())
                        + "); the run directory belongs to a different model");
            }
            view.assign(c.updater().reshape(view.shape()));
        }
        trainingGraph.getConfiguration().setIterationCount((int) s.iterations());
    }

    private static void restoreCallbackStates(RunState s, List<Callback> callbacks) {
        for (Callback cb : callbacks) {
            Map<String, Double> st = s.callbackStates().get(cb.id());
            if (st != null) {
                cb.restoreState(st);
            }
        }
    }

    private boolean useCache() {
        if (!(phase.trainable() instanceof LayerSelection.HeadOnly)) {
            return false;
        }
        return switch (cfg.cacheMode()) {
            case OFF -> false;
            case ALWAYS -> true;
            case AUTO -> cfg.train() instanceof ImageFlow f && !f.isAugmented();
        };
    }

    private INDArray body(INDArray input) {
        if (bodyGraph == null || !bodyGraph.isCurrentFor(model.graph())) {
            bodyGraph = InferenceGraph.derive(model.graph(), model.bodyOutputName());
        }
        return bodyGraph.output(input);
    }

    private Path spillDir(String which) {
        Path base = cfg.runDir() != null ? cfg.runDir().resolve("feature-cache")
                : Path.of(System.getProperty("java.io.tmpdir")).resolve("transfer4j-feature-cache-"
                + ProcessHandle.current().pid());
        return base.resolve(which);
    }

    private void closeCaches() {
        if (trainCache != null) {
            trainCache.close();
            trainCache = null;
        }
        if (valCache != null) {
            valCache.close();
            valCache = null;
        }
    }

    private String bodyHash() {
        CRC32C crc = new CRC32C();
        ComputationGraph g = model.graph();
        for (String v : model.bodyVertices()) {
            org.deeplearning4j.nn.api.Layer layer = g.getVertex(v).hasLayer() ? g.getVertex(v).getLayer() : null;
            if (layer == null) {
                continue;
            }
            for (Map.Entry<String, INDArray> e : new java.util.TreeMap<>(layer.paramTable()).entrySet()) {
                crc.update((v + "/" + e.getKey()).getBytes(StandardCharsets.UTF_8));
                // a copy: a parameter is a view into the graph's flat parameter buffer
                crc.update(e.getValue().dup('c').data().asBytes());
            }
        }
        return Long.toHexString(crc.getValue());
    }

    private int countBatches() {
        if (cfg.train() instanceof ImageFlow f) {
            return f.batchesPerEpoch();
        }
        if (genericBatchesPerEpoch == null) {
            cfg.train().reset();
            int n = 0;
            while (cfg.train().hasNext()) {
                cfg.train().next();
                n++;
            }
            genericBatchesPerEpoch = n;
        }
        return genericBatchesPerEpoch;
    }

    private Iterator<DataSet> trainingBatches(int globalEpoch) {
        if (cfg.train() instanceof ImageFlow f) {
            f.setEpoch(globalEpoch);
        } else {
            cfg.train().reset();
        }
        return iterate(cfg.train());
    }

    private static Iterator<DataSet> iterate(DataSetIterator it) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public DataSet next() {
                if (!it.hasNext()) {
                    throw new NoSuchElementException();
                }
                return it.next();
            }
        };
    }

    private Metrics validate() {
        if (cfg.validation() == null) {
            return null;
        }
        if (cached && valCache != null) {
            ComputationGraph head = trainingGraph;
            return Evaluator.evaluate(x -> head.outputSingle(false, x), valCache.inOrder(), model.labels(),
                    cfg.topK());
        }
        InferenceGraph g = model.inferenceGraph();
        return Evaluator.evaluate(g::output, cfg.validation(), model.labels(), cfg.topK(), null);
    }

    private double[] cachedWeights;

    private double[] classWeights() {
        if (cfg.classWeights() instanceof ClassWeights.None) {
            return null;
        }
        if (cachedWeights == null) {
            long[] counts = new long[model.labels().size()];
            if (cfg.classWeights() instanceof ClassWeights.Balanced) {
                counts = classCounts();
            }
            cachedWeights = cfg.classWeights().resolve(model.labels(), counts);
            LOG.info("Class weights: {}", java.util.Arrays.toString(cachedWeights));
        }
        return cachedWeights;
    }

    private long[] classCounts() {
        long[] counts = new long[model.labels().size()];
        if (trainCache != null) {
            return trainCache.classCounts();
        }
        if (cfg.train() instanceof ImageFlow f) {
            for (int c : f.classes()) {
                counts[c]++;
            }
            return counts;
        }
        cfg.train().reset();
        while (cfg.train().hasNext()) {
            INDArray idx = cfg.train().next().getLabels().argMax(1);
            for (int i = 0; i < idx.length(); i++) {
                counts[idx.getInt(i)]++;
            }
        }
        return counts;
    }

    // ------------------------------------------------------------------ checkpoints

    private Optional<RunDirectory.Checkpoint> readCheckpoint() {
        if (runDir == null || !runDir.hasCheckpoint()) {
            return Optional.empty();
        }
        try {
            RunDirectory.Checkpoint c = runDir.read().orElseThrow();
            RunState s = c.state();
            if (!s.planHash().equals(cfg.plan().fingerprint())) {
                throw new IllegalArgumentException("run directory " + cfg.runDir() + " holds a run of a different "
                        + "plan; resume it with the plan it was started with (run.json) or use a new directory");
            }
            if (s.seed() != cfg.seed()) {
                throw new IllegalArgumentException("run directory " + cfg.runDir() + " was started with seed "
                        + s.seed() + ", not " + cfg.seed() + "; resume with the same seed or use a new directory");
            }
            if (!s.dataFingerprint().equals(dataFingerprint)) {
                throw new IllegalArgumentException("the training data changed since run " + cfg.runDir()
                        + " began (fingerprint " + s.dataFingerprint() + " then, " + dataFingerprint + " now); "
                        + "resume with the same data or start a new run directory");
            }
            return Optional.of(c);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the checkpoint in " + cfg.runDir() + ": "
                    + e.getMessage(), e);
        }
    }

    private void writeRunFiles() {
        try {
            Files.createDirectories(cfg.runDir());
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("plan", planJson());
            run.put("seed", cfg.seed());
            run.put("topK", cfg.topK());
            // written through the interface type, so the JSON carries the "type" id
            run.put("classWeights", JSON.readTree(JSON.writerFor(ClassWeights.class)
                    .writeValueAsString(cfg.classWeights())));
            run.put("featureCache", cfg.cacheMode());
            run.put("dataFingerprint", dataFingerprint);
            AtomicFiles.write(cfg.runDir().resolve("run.json"), out -> out.write(JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(run)));
            ModelBundle.save(model, cfg.runDir().resolve("initial-model.t4j"), extras(false));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write to run directory " + cfg.runDir() + ": "
                    + e.getMessage(), e);
        }
    }

    private void checkpoint(int phaseIdx, int epochsDone, boolean stopped, boolean withUpdater,
                            List<Callback> callbacks) {
        if (runDir == null) {
            return;
        }
        Map<String, Map<String, Double>> states = new LinkedHashMap<>();
        for (Callback c : callbacks) {
            Map<String, Double> s = c.state();
            if (!s.isEmpty()) {
                states.put(c.id(), s);
            }
        }
        INDArray updater = null;
        if (withUpdater && trainingGraph.getUpdater().getStateViewArray() != null) {
            updater = trainingGraph.getUpdater().getStateViewArray().dup();
        }
        long iterations = withUpdater ? trainingGraph.getConfiguration().getIterationCount() : 0;
        RunState state = new RunState(RunState.FORMAT_VERSION, cfg.plan().fingerprint(), cfg.seed(),
                dataFingerprint, phaseIdx, epochsDone, stopped, lrFactor, batchesPerEpoch, states, history,
                updater != null, iterations);
        try {
            runDir.write(new RunDirectory.Checkpoint(state, params(model.graph()), updater,
                    withUpdater ? snapshots : Map.of()));
            new History(history).write(cfg.runDir());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write a checkpoint to " + cfg.runDir() + ": "
                    + e.getMessage(), e);
        }
    }

    private static Map<String, INDArray> params(ComputationGraph g) {
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

    private BundleExtras extras(boolean updater) {
        return new BundleExtras(planJson(), JSON.valueToTree(Map.of("seed", cfg.seed())),
                JSON.valueToTree(Map.of("fingerprint", dataFingerprint)), null, JSON.valueToTree(history), updater);
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
        return java.util.Collections.unmodifiableList(history);
    }

    @Override
    public double scheduledLr() {
        int bpe = Math.max(1, Math.max(batchesPerEpoch, batchInEpoch + 1));
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
        ModelBundle.save(model, file, extras(false));
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
        return Optional.ofNullable(cfg.runDir());
    }

    // ------------------------------------------------------------------ helpers

    /** A well-mixed seed for (seed, phase, epoch) (SplitMix64 finaliser). */
    static long mix(long seed, int phase, int epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + phase * 0xBF58476D1CE4E5B9L + epoch * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Folder flows: the sorted file list with labels; other iterators: unknown (not checked on resume). */
    static String fingerprint(DataSetIterator train) {
        if (!(train instanceof DirectoryFlow f)) {
            return "unknown:" + train.getClass().getName();
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<String> names = f.filenames();
            int[] classes = f.classes();
            for (int i = 0; i < names.size(); i++) {
                md.update((names.get(i) + "\t" + classes[i] + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return "files:" + HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(java.util.Locale.ROOT, v != 0 && Math.abs(v) < 1e-3 ? "%.2e"
                : "%.4f", v);
    }
}
