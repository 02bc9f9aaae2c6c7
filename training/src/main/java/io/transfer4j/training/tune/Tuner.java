package io.transfer4j.training.tune;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.TrainingProvenance;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.Callback;
import io.transfer4j.training.Decision;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.FineTunePlan;
import io.transfer4j.training.FineTuner;
import io.transfer4j.training.Metric;
import io.transfer4j.training.Monitor;
import io.transfer4j.training.SharedFeatureCaches;
import io.transfer4j.training.TrainingControl;
import io.transfer4j.training.TrainingData;
import io.transfer4j.training.TrainingDivergedException;
import io.transfer4j.training.TrainingResult;

/**
 * The tuning entry point: runs trials drawn from a {@link SearchSpace} by a {@link Strategy}, prunes weak ones with
 * a {@link Pruner}, within a {@link Budget}, and records each finished trial in a resumable search directory.
 *
 * <pre>{@code
 * SearchResult r = Tuner.builder()
 *         .space(SearchSpace.defaults(zoo.spec("resnet50")))
 *         .strategy(Strategy.random()).pruner(Pruner.successiveHalving(1, 3))
 *         .budget(Budget.of(24, Duration.ofHours(1)))
 *         .environment(env)                     // builds each trial's model and data (TrialEnvironment)
 *         .searchDir(Path.of("runs/tune-pets")).seed(42)
 *         .build().run();
 * r.best().ifPresent(t -> System.out.println(t.params() + " " + t.objective()));
 * }</pre>
 *
 * <p><b>Sharing.</b> Every trial trains with {@link FineTuner} on the environment's data and one
 * {@link SharedFeatureCaches}: the frozen body's features are computed once per (freeze boundary, frozen weights,
 * data) and reused by every head-only trial and by the head phase of every fine-tuning trial (and by fine-tuning
 * phases that unfreeze the same group). All trials train with the search seed, so the same seed gives the same
 * trials and the same results.
 *
 * <p><b>Failures.</b> A trial whose loss becomes NaN/infinite, that runs out of memory, or that fails otherwise
 * is recorded as {@link TrialStatus#FAILED} with the reason, and the search goes on.
 *
 * <p><b>Resume.</b> Calling {@code run()} again with the same directory (e.g. after {@code kill -9}) skips the
 * trials already recorded and runs the rest; a directory that holds another search (space, strategy, pruner,
 * seed, objective or backbone differ) is refused before anything is written. The trial running at the kill is run
 * again from its start.
 */
public final class Tuner {
    private static final Logger LOG = LoggerFactory.getLogger(Tuner.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Builder b;

    private Tuner(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The values of trial {@code id} (grid point {@code id}, or random draw {@code id}). */
    public TrialParams trialParams(int id) {
        return b.strategy instanceof Strategy.Grid ? b.space.gridPoint(id)
                : b.space.sample(new java.util.Random(mix(b.seed, id)));
    }

    /**
     * Runs (or resumes) the search until the budget is spent or the grid is exhausted.
     *
     * @throws IllegalArgumentException if the directory holds another search, or the time budget ended before any
     *                                  trial finished
     */
    public SearchResult run() {
        // the search directory is held for the whole search (one mechanism with fit's run directories): a second
        // search into it, from another thread or process, is refused naming the holder
        io.transfer4j.internal.DirectoryLock lock;
        try {
            lock = io.transfer4j.internal.DirectoryLock.claim(b.searchDir, "search directory", "Tuner.run");
        } catch (io.transfer4j.internal.DirectoryLock.InUseException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot use the search directory " + b.searchDir + ": "
                    + e.getMessage(), e);
        }
        try (lock) {
            return search();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot release the search directory " + b.searchDir + ": "
                    + e.getMessage(), e);
        }
    }

    private SearchResult search() {
        long start = System.nanoTime();
        long deadline = b.budget.maxTime() == null ? Long.MAX_VALUE : start + b.budget.maxTime().toNanos();
        List<String> groups = b.environment.layerGroups();
        SearchDirectory dir = SearchDirectory.open(b.searchDir, identity(), b.space.toYaml());
        List<TrialRecord> rows = new ArrayList<>(dir.trials());
        Map<Integer, TrialRecord> byId = new TreeMap<>();
        rows.forEach(r -> byId.put(r.id(), r));
        String stop;
        int builds;
        int reuses;
        int of = b.budget.maxTrials() == null ? -1 : b.budget.maxTrials();
        try (SharedFeatureCaches caches = new SharedFeatureCaches(b.searchDir.resolve("feature-cache"))) {
            for (int id = 0; ; id++) {
                if (b.strategy instanceof Strategy.Grid && id >= b.space.gridSize()) {
                    stop = "EXHAUSTED";
                    break;
                }
                if (b.budget.maxTrials() != null && id >= b.budget.maxTrials()) {
                    stop = "TRIALS";
                    break;
                }
                TrialRecord done = byId.get(id);
                if (done != null) {
                    b.listener.trialSkipped(done);
                    continue;
                }
                if (System.nanoTime() >= deadline) {
                    stop = "TIME";
                    break;
                }
                TrialParams p = trialParams(id);
                b.listener.trialStarted(id, of, p);
                TrialRecord r = runTrial(id, p, groups, rows, caches, deadline, dir);
                if (r == null) {
                    stop = "TIME";
                    break;
                }
                dir.append(r);
                rows.add(r);
                byId.put(id, r);
                Optional<TrialRecord> best = best(rows);
                dir.writeSummaries(sorted(rows), best.orElse(null), b.objective.metric().key());
                b.listener.trialEnded(r);
                LOG.info("Trial {} {}: {} {} in {} s{}", id, r.status(), b.objective.metric().key(),
                        r.objective(), String.format(java.util.Locale.ROOT, "%.1f", r.seconds()),
                        r.error() == null ? "" : " (" + r.error() + ")");
            }
            builds = caches.builds();
            reuses = caches.reuses();
        }
        deleteQuietly(b.searchDir.resolve("feature-cache"));
        if (rows.isEmpty() && "TIME".equals(stop)) {
            throw new IllegalArgumentException("the time budget of " + b.budget.maxTime() + " ended before the first "
                    + "trial finished, so the search has no result (" + b.searchDir + " keeps its search.json; "
                    + "resume it with a larger budget). Give more time, or a smaller space (fewer epochs, head-only "
                    + "trials)");
        }
        return new SearchResult(sorted(rows), best(rows), stop, builds, reuses, (System.nanoTime() - start) / 1e9,
                b.searchDir);
    }

    private TrialRecord runTrial(int id, TrialParams p, List<String> groups, List<TrialRecord> finished,
                                 SharedFeatureCaches caches, long deadline, SearchDirectory dir) {
        long t0 = System.nanoTime();
        List<EpochRecord> seen = new ArrayList<>();
        boolean[] pruned = {false};
        boolean[] outOfTime = {false};
        Callback watch = new Callback() {
            @Override
            public String id() {
                return "tuner";
            }

            @Override
            public Decision onEpochEnd(EpochRecord record, TrainingControl control) {
                seen.add(record);
                b.listener.epochEnded(id, record);
                if (b.pruner instanceof Pruner.SuccessiveHalving sh && prune(sh, seen, finished)) {
                    pruned[0] = true;
                    return Decision.STOP_TRAINING;
                }
                if (System.nanoTime() >= deadline) {
                    outOfTime[0] = true;
                    return Decision.STOP_TRAINING;
                }
                return Decision.CONTINUE;
            }

            @Override
            public Set<Metric> requiredMetrics() {
                return Set.of(b.objective.metric());
            }
        };
        DataSetIterator train = null;
        DataSetIterator validation = null;
        TrainingResult result = null;
        String error = null;
        List<EpochRecord> history;
        try {
            TransferModel model = b.environment.model(p);
            train = b.environment.train(p);
            validation = b.environment.validation(p);
            checkData(train, dir);
            FineTunePlan plan = p.plan(groups);
            result = FineTuner.builder().model(model).train(train).validation(validation).plan(plan).seed(b.seed)
                    .classWeights(p.classWeights()).silent().callbacks(watch).sharedFeatureCaches(caches)
                    .featureCacheMemoryLimit(b.cacheMemoryLimit).build().fit();
            history = result.history();
        } catch (TrainingDivergedException e) {
            history = e.history();
            error = "diverged: " + e.getMessage();
        } catch (OutOfMemoryError e) {
            history = List.copyOf(seen);
            error = "out of memory: " + e.getMessage() + " (try a smaller batchSize)";
        } catch (DataMismatch e) {
            throw e.error;
        } catch (RuntimeException e) {
            history = List.copyOf(seen);
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            close(train);
            close(validation);
        }
        if (outOfTime[0] && !pruned[0]) {
            LOG.info("Trial {} stopped by the time budget after {} epochs; it is not recorded and runs again on "
                    + "resume", id, seen.size());
            return null;
        }
        TrialStatus status = error != null ? TrialStatus.FAILED : pruned[0] ? TrialStatus.PRUNED
                : TrialStatus.COMPLETED;
        int bestEpoch = 0;
        double bestValue = Double.NaN;
        for (int i = 0; i < history.size(); i++) {
            double v = history.get(i).value(b.objective.metric());
            if (!Double.isNaN(v) && (Double.isNaN(bestValue) || b.objective.improves(v, bestValue))) {
                bestValue = v;
                bestEpoch = i + 1;
            }
        }
        Map<String, Double> bestMetrics = new LinkedHashMap<>();
        if (bestEpoch > 0) {
            EpochRecord e = history.get(bestEpoch - 1);
            bestMetrics.put(Metric.LOSS.key(), e.loss());
            bestMetrics.put(Metric.VAL_LOSS.key(), e.valLoss());
            e.metrics().forEach((m, v) -> bestMetrics.put(m.key(), v));
        }
        TrialRecord r = new TrialRecord(id, p.values(), status, history, bestValue, bestEpoch, bestMetrics,
                (System.nanoTime() - t0) / 1e9, error);
        if (status == TrialStatus.COMPLETED && b.saveBestModel && result != null) {
            Optional<TrialRecord> before = best(finished);
            if (before.isEmpty() || better(r, before.get())) {
                saveModel(result, p, groups);
            }
        }
        return r;
    }

    /** ASHA: at a rung epoch, continue only within the top 1/eta of the trials that reached it. */
    private boolean prune(Pruner.SuccessiveHalving sh, List<EpochRecord> seen, List<TrialRecord> finished) {
        int epoch = seen.size();
        if (sh.rungOf(epoch) < 0) {
            return false;
        }
        double mine = bestUpTo(seen, epoch);
        if (Double.isNaN(mine)) {
            return false;
        }
        List<Double> others = new ArrayList<>();
        for (TrialRecord t : finished) {
            if (t.history().size() >= epoch) {
                double v = bestUpTo(t.history(), epoch);
                if (!Double.isNaN(v)) {
                    others.add(v);
                }
            }
        }
        int n = others.size() + 1;
        if (n < sh.eta()) {
            return false;
        }
        int keep = Math.max(1, n / sh.eta());
        long better = others.stream().filter(v -> b.objective.maximise() ? v > mine : v < mine).count();
        return better >= keep;
    }

    private double bestUpTo(List<EpochRecord> h, int epochs) {
        double best = Double.NaN;
        for (int i = 0; i < epochs; i++) {
            double v = h.get(i).value(b.objective.metric());
            if (!Double.isNaN(v) && (Double.isNaN(best) || (b.objective.maximise() ? v > best : v < best))) {
                best = v;
            }
        }
        return best;
    }

    private Optional<TrialRecord> best(List<TrialRecord> rows) {
        TrialRecord best = null;
        for (TrialRecord r : sorted(rows)) {
            if (r.status() == TrialStatus.COMPLETED && !Double.isNaN(r.objective())
                    && (best == null || better(r, best))) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    private boolean better(TrialRecord a, TrialRecord than) {
        return b.objective.maximise() ? a.objective() > than.objective() : a.objective() < than.objective();
    }

    private static List<TrialRecord> sorted(List<TrialRecord> rows) {
        return rows.stream().sorted(Comparator.comparingInt(TrialRecord::id)).toList();
    }

    /** One data split for every trial: the training data's fingerprint must not change between trials. */
    private static void checkData(DataSetIterator train, SearchDirectory dir) {
        String f = TrainingData.of(train).fingerprint();
        if (f.startsWith("unknown:")) {
            return;
        }
        String recorded = dir.dataFingerprint();
        if (recorded == null) {
            dir.recordDataFingerprint(f);
        } else if (!recorded.equals(f)) {
            throw new DataMismatch(new IllegalArgumentException("this trial's training data (fingerprint " + f
                    + ") is not the data the search in " + dir.dir() + " began with (" + recorded + "): every trial "
                    + "must train on the same split. Use the same folder, split and seed, or a new search "
                    + "directory"));
        }
    }

    /** Carries a data mismatch past the per-trial failure handling: it ends the search. */
    private static final class DataMismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient IllegalArgumentException error;

        DataMismatch(IllegalArgumentException error) {
            super(error.getMessage(), null, false, false);
            this.error = error;
        }
    }

    private void saveModel(TrainingResult result, TrialParams p, List<String> groups) {
        try {
            ModelBundle.save(result.model(), b.searchDir.resolve(SearchDirectory.BEST_MODEL), new BundleExtras(
                    new TrainingProvenance(p.plan(groups).provenance(), new TrainingProvenance.Seeds(b.seed), null,
                            null), result.historyTable().toJson(), false));
        } catch (IOException e) {
            LOG.warn("could not save the best model to {}: {}", b.searchDir.resolve(SearchDirectory.BEST_MODEL),
                    e.getMessage());
        }
    }

    private ObjectNode identity() {
        ObjectNode id = JSON.createObjectNode();
        id.put("backbone", b.environment.backboneId());
        try {
            id.set("space", JSON.readTree(b.space.toJson()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        id.put("strategy", b.strategy.name());
        ObjectNode pr = id.putObject("pruner");
        if (b.pruner instanceof Pruner.SuccessiveHalving sh) {
            pr.put("type", "successiveHalving").put("minEpochs", sh.minEpochs()).put("eta", sh.eta());
        } else {
            pr.put("type", "none");
        }
        id.put("seed", b.seed);
        id.put("objective", b.objective.metric().key());
        id.put("mode", b.objective.maximise() ? "max" : "min");
        try {
            // as it reads back from search.json (number node types), so a resume compares like with like
            return (ObjectNode) JSON.readTree(JSON.writeValueAsBytes(id));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void close(DataSetIterator it) {
        if (it instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing {}: {}", it, e.getMessage());
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (var s = java.nio.file.Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", dir, e.getMessage());
        }
    }

    /** A well-mixed seed for (search seed, trial) (SplitMix64 finaliser). */
    static long mix(long seed, int trial) {
        long z = seed * 0x9E3779B97F4A7C15L + trial * 0xBF58476D1CE4E5B9L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Collects a search; {@link #build()} checks it. */
    public static final class Builder {
        private SearchSpace space;
        private Strategy strategy = Strategy.random();
        private Pruner pruner = Pruner.none();
        private Budget budget;
        private long seed = 42;
        private Monitor objective = Monitor.valLoss();
        private Path searchDir;
        private TrialEnvironment environment;
        private TrialListener listener = new TrialListener() {
        };
        private long cacheMemoryLimit = 1L << 30;
        private boolean saveBestModel = true;

        private Builder() {
        }

        public Builder space(SearchSpace space) {
            this.space = space;
            return this;
        }

        /** Grid or seeded random (default random). */
        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /** Default {@link Pruner#none()}. */
        public Builder pruner(Pruner pruner) {
            this.pruner = Objects.requireNonNull(pruner, "pruner");
            return this;
        }

        public Builder budget(Budget budget) {
            this.budget = budget;
            return this;
        }

        /** Seeds the random strategy and every trial's training (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** What "best" means and what the pruner ranks (default {@code val_loss}, lower is better). */
        public Builder objective(Monitor objective) {
            this.objective = Objects.requireNonNull(objective, "objective");
            return this;
        }

        public Builder searchDir(Path dir) {
            this.searchDir = dir;
            return this;
        }

        public Builder environment(TrialEnvironment environment) {
            this.environment = environment;
            return this;
        }

        public Builder listener(TrialListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Bytes of cached features held in memory per cache before it spills to disk (default 1 GiB). */
        public Builder featureCacheMemoryLimit(long bytes) {
            this.cacheMemoryLimit = bytes;
            return this;
        }

        /** Whether the best completed trial's model is written to {@code best-model.t4j} (default true). */
        public Builder saveBestModel(boolean save) {
            this.saveBestModel = save;
            return this;
        }

        public Tuner build() {
            if (space == null) {
                throw new IllegalArgumentException("Tuner needs a search space: .space(SearchSpace.defaults(spec)) or "
                        + "SearchSpace.fromText(yaml, file)");
            }
            if (budget == null) {
                throw new IllegalArgumentException("Tuner needs a budget: .budget(Budget.trials(20)) and/or "
                        + "Budget.time(Duration.ofHours(1))");
            }
            if (searchDir == null) {
                throw new IllegalArgumentException("Tuner needs a search directory: .searchDir(Path.of(\"runs/tune\"))"
                        + " (where each trial's row is written and a search resumes from)");
            }
            if (environment == null) {
                throw new IllegalArgumentException("Tuner needs a TrialEnvironment: .environment(env), which builds "
                        + "each trial's model and data");
            }
            if (!objective.metric().validation()) {
                throw new IllegalArgumentException("the objective must be a validation metric (val_loss, "
                        + "val_accuracy, ...) so trials are compared on data they did not train on; received '"
                        + objective.metric().key() + "'");
            }
            if (cacheMemoryLimit < 0) {
                throw new IllegalArgumentException("featureCacheMemoryLimit must be >= 0 bytes; received "
                        + cacheMemoryLimit);
            }
            space.checkGroups(environment.backboneId(), environment.layerGroups());
            if (pruner instanceof Pruner.SuccessiveHalving sh) {
                int longest = longestTrial(environment.layerGroups());
                if (sh.minEpochs() >= longest) {
                    throw new IllegalArgumentException("successive halving's first rung (epoch " + sh.minEpochs()
                            + ") is not before the end of the longest trial this space allows (" + longest
                            + " epochs), so it would never stop a trial; lower minEpochs or use Pruner.none()");
                }
            }
            return new Tuner(this);
        }

        /** The most epochs any trial of the space can train (head epochs plus fine-tune epochs, at their maxima). */
        private int longestTrial(List<String> groups) {
            int head = maxInt("headEpochs", 5);
            int fine = maxInt("fineTuneEpochs", 10);
            Param u = space.params().get("unfreeze");
            boolean anyFine = u == null ? !groups.isEmpty() : u.grid().stream().anyMatch(v -> !"none".equals(v));
            return head + (anyFine ? fine : 0);
        }

        private int maxInt(String name, int def) {
            Param p = space.params().get(name);
            if (p == null) {
                return def;
            }
            return p.grid().stream().mapToInt(v -> ((Number) v).intValue()).max().orElse(def);
        }
    }
}
