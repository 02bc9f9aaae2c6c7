package io.transfer4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.cli.internal.Args;
import io.transfer4j.cli.internal.ConfigFiles;
import io.transfer4j.cli.internal.Durations;
import io.transfer4j.cli.internal.FitRun;
import io.transfer4j.cli.internal.TuneEnvironment;
import io.transfer4j.cli.internal.WorkDirs;
import io.transfer4j.cli.report.TuneReport;
import io.transfer4j.internal.DirectoryLock;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.Metric;
import io.transfer4j.training.Monitor;
import io.transfer4j.training.tune.Budget;
import io.transfer4j.training.tune.Pruner;
import io.transfer4j.training.tune.SearchResult;
import io.transfer4j.training.tune.SearchSpace;
import io.transfer4j.training.tune.Strategy;
import io.transfer4j.training.tune.TrialListener;
import io.transfer4j.training.tune.TrialParams;
import io.transfer4j.training.tune.TrialRecord;
import io.transfer4j.training.tune.TrialStatus;
import io.transfer4j.training.tune.Tuner;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code transfer4j tune}: a hyperparameter search on class folders, sharing the frozen body's features. */
@Command(name = "tune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Search hyperparameters of a fine-tuning run (head learning rate, dropout, head width, batch "
                + "size, epochs, which group to unfreeze, fine-tune rate, optimizer, class weights, ...) on a folder "
                + "of class folders. Every trial trains on one split and one feature cache of the frozen body, so "
                + "head-only trials cost a fraction of a fit.",
                "Writes a run directory: tune.yaml (settings), split.json, search/ (search.json, space.yaml, "
                        + "trials.jsonl, results.csv, best.json, best-model.t4j), best-config.yaml (a ready 'fit "
                        + "--config' file), trials-over-time.png, metric-by-parameter.png and report.html.",
                "Without --space the default transfer-learning space is printed and written to "
                        + "RUN_DIR/search/space.yaml: copy it, edit it and pass it with --space. An interrupted "
                        + "search continues with --run-dir DIR --resume."},
        footer = {"", "Examples:",
                "  transfer4j tune --data images --backbone resnet50 --trials 24 --run-dir runs/tune",
                "  transfer4j tune --data images --backbone resnet50 --space space.yaml --time 1h "
                        + "--strategy halving --run-dir runs/tune2",
                "  transfer4j tune --run-dir runs/tune --resume --trials 40",
                "  transfer4j fit --config runs/tune/best-config.yaml"})
public final class TuneCommand implements java.util.concurrent.Callable<Integer> {

    /** The settings file of a tune run directory (what {@code --resume} continues with). */
    public static final String SETTINGS = "tune.yaml";
    /** The search directory inside a tune run directory (the training module's {@code Tuner} owns it). */
    public static final String SEARCH = "search";
    /** The best trial as a {@code fit} config file. */
    public static final String BEST_CONFIG = "best-config.yaml";
    /** Successive halving of {@code --strategy halving}: first rung at epoch 1, keep the top third. */
    static final int HALVING_MIN_EPOCHS = 1;
    static final int HALVING_ETA = 3;
    /** Width of a progress line (fits an 80-column terminal without wrapping). */
    static final int LINE = 79;

    /**
     * What a tune run keeps in {@value #SETTINGS}: everything that defines the search besides its space and budget.
     */
    public record Settings(Path data, String backbone, Long seed, Integer imageSize, FitConfig.Weights weights,
                           String strategy, String objective, Double validationSplit, Double testSplit) {
    }

    /** The strategies of {@code --strategy}. */
    public enum StrategyName { GRID, RANDOM, HALVING }

    /** Where backbones come from (tests put an offline or loopback zoo here). */
    java.util.function.Supplier<Zoo> zoo = Zoo::fromEnvironment;

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder of class folders.")
    Path data;
    @Option(names = "--backbone", paramLabel = "ID", description = "Backbone id: vgg16, resnet50, mobilenetv2 (transfer4j models list).")
    String backbone;
    @Option(names = "--space", paramLabel = "FILE", description = "Search space, YAML or JSON (default: the built-in transfer-learning space, printed).")
    Path space;
    @Option(names = "--trials", paramLabel = "N", description = "Most trials (a resumed search counts its finished ones).")
    Integer trials;
    @Option(names = "--time", paramLabel = "DURATION", description = "Most wall time for this call: 90s, 20m, 1h, 1h30m.")
    String time;
    @Option(names = "--strategy", paramLabel = "grid|random|halving", description = "grid (every grid point), random (seeded draws, default), halving (random draws, weak trials stopped at epochs 1, 3, 9 keeping the top third).")
    StrategyName strategy;
    @Option(names = "--objective", paramLabel = "METRIC", description = "What 'best' means: val_loss (default, lower is better) or val_accuracy.")
    String objective;
    @Option(names = "--seed", paramLabel = "N", description = "Seed for the split, the draws and every trial's training (default 42).")
    Long seed;
    @Option(names = "--run-dir", paramLabel = "DIR", description = "Where to write the search (new or empty directory; with --resume, the search's).")
    Path runDir;
    @Option(names = "--resume", description = "Continue the search in --run-dir: finished trials are kept, the rest run.")
    boolean resume;
    @Option(names = "--image-size", paramLabel = "PX", description = "Square input size (default: the backbone's, e.g. 224).")
    Integer imageSize;
    @Option(names = "--weights", paramLabel = "auto|pretrained|random",
            description = "ImageNet weights as in fit: auto (installed or downloadable; if neither, tune stops and says why, unless the backbone has none), pretrained, random.")
    FitConfig.Weights weights;

    @Override
    public Integer call() throws Exception {
        Output out = Output.of(spec);
        if (trials == null && time == null) {
            throw new UsageException("a search needs a budget: --trials N and/or --time DURATION (e.g. --trials 24, "
                    + "--time 1h); received neither");
        }
        if (trials != null && trials < 1) {
            throw new UsageException("--trials must be >= 1 (one trial at least); received " + trials);
        }
        Duration maxTime = time == null ? null : Durations.parse(time, "--time");
        if (runDir == null) {
            throw new UsageException("--run-dir DIR is required: where the search is written (or, with --resume, "
                    + "the search to continue)");
        }
        Settings given = new Settings(data, backbone, seed, imageSize, weights,
                strategy == null ? null : strategy.name().toLowerCase(Locale.ROOT), objective, null, null);
        DirectoryLock held = null; // the run directory, held until the search ends
        try {
            Settings settings;
            Path dir;
            if (resume) {
                dir = Args.existingDir(runDir, "--run-dir");
                // claimed before anything in it is read: a search still running there keeps it
                held = WorkDirs.claim(dir, "transfer4j tune --resume");
                Path file = dir.resolve(SETTINGS);
                if (!Files.isRegularFile(file)) {
                    throw new UsageException("--resume: " + dir + " is not a transfer4j tune directory (" + SETTINGS
                            + " is missing); pass the --run-dir of a 'transfer4j tune' run");
                }
                settings = ConfigFiles.read(file, Settings.class);
                List<String> diffs = differences(given, settings);
                if (!diffs.isEmpty()) {
                    throw new UsageException("--resume continues the search as it began (" + file + "); received other "
                            + "settings: " + String.join("; ", diffs) + ". Leave them out, or start a new search in "
                            + "another --run-dir");
                }
            } else {
                if (data == null || backbone == null) {
                    throw new UsageException("--data DIR and --backbone ID are required for a new search (or continue "
                            + "one with --run-dir DIR --resume)");
                }
                Args.existingDir(data, "--data");
                dir = runDir;
                if (WorkDirs.holdsFiles(dir)) { // said early; checked again when the directory is claimed
                    throw new UsageException("run directory " + dir + " is not empty; choose a new --run-dir, or "
                            + "continue the search in it with: transfer4j tune --run-dir " + dir + " --resume");
                }
                settings = new Settings(data.toAbsolutePath().normalize(), backbone, seed == null ? 42L : seed, imageSize,
                        weights == null ? FitConfig.Weights.AUTO : weights, given.strategy() == null ? "random"
                        : given.strategy(), objective == null ? Metric.VAL_LOSS.key() : objective, 0.15, 0.15);
            }
            Monitor goal = objective(settings.objective());
            Zoo z = zoo.get();
            FitConfig base = new FitConfig(settings.data(), settings.backbone(), dir.toAbsolutePath().normalize()
                    .resolve("fit-best"), settings.seed(), settings.imageSize(), null, settings.validationSplit(),
                    settings.testSplit(), settings.weights(), null, null, null, null, null, null, null, null, null, null)
                    .withDefaults();
            Args.existingDir(base.data(), "--data");
            BackboneSpec bspec = FitRun.spec(z, base.backbone());
            InputShape input = FitRun.input(bspec, base);
            FitConfig resolved = base.imageSize() == null ? new FitConfig(null, null, null, null, input.height(), null,
                    null, null, null, null, null, null, null, null, null, null, null, null, null).over(base) : base;
            FitRun.checkMemory(z, bspec, input, resolved);

            SearchSpace searchSpace = readSpace(dir, bspec);
            DataSplit split = FitRun.split(resolved);
            List<String> notes = new ArrayList<>();
            Backbone first = FitRun.backbone(z, resolved, input, false, note -> {
                notes.add(note);
                out.warn(note);
            });
            boolean pretrained = first.weights().pretrained();
            Path searchDir = dir.resolve(SEARCH);
            Tuner tuner;
            try {
                Tuner.Builder tb = Tuner.builder().space(searchSpace).strategy(settings.strategy().equals("grid")
                                ? Strategy.grid() : Strategy.random())
                        .pruner(settings.strategy().equals("halving")
                                ? Pruner.successiveHalving(HALVING_MIN_EPOCHS, HALVING_ETA) : Pruner.none())
                        .budget(new Budget(trials, maxTime)).seed(resolved.seed()).objective(goal)
                        .environment(new TuneEnvironment(z, bspec, resolved, input, split, pretrained))
                        .searchDir(searchDir).listener(new Talk(out, goal, trials));
                tuner = tb.build();
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            // everything that can refuse the search was checked: now the directory is claimed
            if (!resume) {
                // locked, then found empty under the lock: of two searches started together, one runs
                held = WorkDirs.claimNew(dir, FitCommand.neededBytes(z, resolved), "transfer4j tune", "choose a new "
                        + "--run-dir, or continue the search in it with: transfer4j tune --run-dir " + dir + " --resume");
                dir = held.directory();
                ConfigFiles.writeYaml(dir.resolve(SETTINGS), settingsMap(settings), "transfer4j tune settings: what "
                        + "'transfer4j tune --run-dir " + dir + " --resume' continues with");
                split.write(dir.resolve(FitRun.SPLIT));
            }
            out.info("Backbone: " + bspec.id() + " at " + input.height() + "x" + input.width() + " px, "
                    + (pretrained ? "ImageNet weights" : "random initialisation (BatchNorm calibrated)"));
            out.info(String.format(Locale.ROOT, "Data: %s, %d classes; split %d train / %d validation / %d test "
                            + "(stratified, seed %d); every trial trains on this split", resolved.data(),
                    split.classes().size(), split.train().size(), split.validation().size(), split.test().size(),
                    resolved.seed()));
            if (space == null && !resume) {
                out.info("Search space (the default; edit a copy of " + searchDir.resolve("space.yaml") + " and pass it "
                        + "with --space):\n" + searchSpace.toYaml().stripTrailing());
            }
            out.info("Strategy: " + settings.strategy() + ", objective " + goal.metric().key() + ", budget "
                    + (trials != null ? trials + " trials" : "") + (trials != null && maxTime != null ? " or " : "")
                    + (maxTime != null ? Durations.format(maxTime) : ""));

            Instant t0 = Instant.now();
            SearchResult result;
            try {
                result = tuner.run();
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            return finish(out, dir, resolved, searchSpace, result, goal, notes, Duration.between(t0, Instant.now()));
        } finally {
            if (held != null) {
                held.close();
            }
        }
    }

    private int finish(Output out, Path dir, FitConfig base, SearchSpace searchSpace, SearchResult result,
                       Monitor goal, List<String> notes, Duration took) throws IOException {
        Optional<TrialRecord> best = result.best();
        Path bestConfig = null;
        String bestYaml = null;
        if (best.isPresent()) {
            bestConfig = writeBestConfig(dir, base, best.get(), goal);
            bestYaml = Files.readString(bestConfig);
        } else {
            notes.add("No trial completed, so there is no best configuration and no best model: every trial was "
                    + "pruned or failed (see the table). Widen the space or the budget.");
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (TrialStatus s : TrialStatus.values()) {
            counts.put(s.name().toLowerCase(Locale.ROOT), result.trials().stream().filter(t -> t.status() == s)
                    .count());
        }
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("data", base.data().toString());
        facts.put("backbone", base.backbone() + " at " + base.imageSize() + " px");
        facts.put("trials", result.trials().size() + " (" + counts.entrySet().stream().map(e -> e.getValue() + " "
                + e.getKey()).reduce((a, b) -> a + ", " + b).orElse("") + ")");
        facts.put("stopped because", switch (result.stopReason()) {
            case "TRIALS" -> "the trial budget was reached";
            case "TIME" -> "the time budget ran out";
            case "EXHAUSTED" -> "every grid point was tried";
            default -> result.stopReason();
        });
        facts.put("feature caches", result.cacheBuilds() + " built, " + result.cacheReuses() + " reused");
        facts.put("this run", String.format(Locale.ROOT, "%.1f s", took.toMillis() / 1000.0));
        facts.put("search directory", result.dir().toString());
        Path report = new TuneReport("transfer4j tune", Instant.now(), facts, goal.metric().key(), !goal.maximise(),
                searchSpace, result.trials(), best.orElse(null), bestYaml, notes).write(dir);

        String line = summary(result, goal, took);
        StringBuilder sb = new StringBuilder("\n").append(line).append('\n');
        if (bestConfig != null) {
            sb.append("Best config:  ").append(bestConfig).append("  (transfer4j fit --config ").append(bestConfig)
                    .append(")\n");
            sb.append("Best model:   ").append(result.dir().resolve("best-model.t4j")).append('\n');
        }
        sb.append("Trials table: ").append(result.dir().resolve("results.csv")).append('\n');
        sb.append("Report:       ").append(report);
        Map<String, Object> fields = Output.fields("summary", line, "trials", result.trials().size(),
                "completed", counts.get("completed"), "pruned", counts.get("pruned"), "failed", counts.get("failed"),
                "stopReason", result.stopReason(), "objective", goal.metric().key(),
                "cacheBuilds", result.cacheBuilds(), "cacheReuses", result.cacheReuses(),
                "seconds", took.toMillis() / 1000.0, "report", report.toString(),
                "results", result.dir().resolve("results.csv").toString());
        best.ifPresent(b -> {
            fields.put("bestTrial", b.id());
            fields.put("bestValue", b.objective());
            fields.put("bestParams", b.params());
            fields.put("bestConfig", dir.resolve(BEST_CONFIG).toString());
            fields.put("bestModel", result.dir().resolve("best-model.t4j").toString());
        });
        out.result(sb.toString(), fields);
        return ExitCode.OK;
    }

    /** The one-line summary of the winner. */
    static String summary(SearchResult r, Monitor goal, Duration took) {
        long done = r.trials().stream().filter(t -> t.status() == TrialStatus.COMPLETED).count();
        long pruned = r.trials().stream().filter(t -> t.status() == TrialStatus.PRUNED).count();
        long failed = r.trials().stream().filter(t -> t.status() == TrialStatus.FAILED).count();
        String counts = r.trials().size() + " trials (" + done + " completed, " + pruned + " pruned, " + failed
                + " failed)";
        if (r.best().isEmpty()) {
            return "No trial completed of " + counts + " in " + Durations.format(took) + ".";
        }
        TrialRecord b = r.best().get();
        StringBuilder s = new StringBuilder("Best of ").append(counts).append(": trial ").append(b.id()).append(' ')
                .append(goal.metric().key()).append(' ').append(value(goal.metric(), b.objective()));
        Double acc = b.bestMetrics().get(Metric.VAL_ACCURACY.key());
        if (goal.metric() != Metric.VAL_ACCURACY && acc != null && !acc.isNaN()) {
            s.append(" (val_accuracy ").append(value(Metric.VAL_ACCURACY, acc)).append(')');
        }
        s.append(" at epoch ").append(b.bestEpoch()).append(" with ").append(params(b.params()))
                .append("; ").append(Durations.format(took));
        return s.toString();
    }

    static String params(Map<String, Object> p) {
        List<String> parts = new ArrayList<>();
        p.forEach((k, v) -> parts.add(k + "=" + (v instanceof Double d ? String.format(Locale.ROOT, "%.3g", d)
                : String.valueOf(v).replace(" ", ""))));
        return String.join(" ", parts);
    }

    private static String value(Metric m, double v) {
        return m == Metric.VAL_ACCURACY || m == Metric.ACCURACY ? String.format(Locale.ROOT, "%.1f %%", 100 * v)
                : String.format(Locale.ROOT, "%.4f", v);
    }

    /**
     * Writes {@value #BEST_CONFIG}: the best trial as a {@code fit} config (data, backbone, seed, image size,
     * weights and splits of the search, so fit trains on the same split), its run directory {@code RUN_DIR/fit-best}.
     */
    static Path writeBestConfig(Path dir, FitConfig base, TrialRecord best, Monitor goal) throws IOException {
        TrialParams p = best.trialParams();
        FitConfig cfg = TuneEnvironment.fitConfig(base, p);
        StringBuilder comment = new StringBuilder("Best configuration of the search in " + dir + ": trial " + best.id()
                + ", " + goal.metric().key() + " " + value(goal.metric(), best.objective()) + " at epoch "
                + best.bestEpoch() + ".\nTrain it on all of its epochs with: transfer4j fit --config "
                + dir.resolve(BEST_CONFIG) + "\n(runDir must be new or empty; change it to train again.)");
        Map<String, String> missing = TuneEnvironment.notInFit(p);
        if (!missing.isEmpty()) {
            comment.append("\nThe trial also searched settings fit does not have, so a fit run differs from it in:");
            missing.forEach((k, v) -> comment.append("\n  ").append(k).append(": ").append(v));
        }
        return ConfigFiles.writeYaml(dir.resolve(BEST_CONFIG), cfg.fileKeys(), comment.toString());
    }

    private SearchSpace readSpace(Path dir, BackboneSpec bspec) throws IOException {
        Path file = space;
        if (file == null && resume) {
            file = dir.resolve(SEARCH).resolve("space.yaml");
            if (!Files.isRegularFile(file)) {
                throw new UsageException("--resume: " + dir + " holds no search yet (" + file + " is missing); start "
                        + "the search again in a new --run-dir");
            }
        }
        if (file == null) {
            return SearchSpace.defaults(bspec);
        }
        Args.existingFile(file, "--space");
        try {
            return SearchSpace.fromText(Files.readString(file), file.toString());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--space " + file + ": " + e.getMessage());
        }
    }

    private static Monitor objective(String name) {
        List<String> allowed = List.of(Metric.VAL_LOSS.key(), Metric.VAL_ACCURACY.key());
        if (!allowed.contains(name)) {
            throw new UsageException("--objective must be val_loss or val_accuracy; received '" + name + "'"
                    + io.transfer4j.internal.Names.didYouMean(name, allowed));
        }
        return Monitor.of(Metric.of(name));
    }

    /** The settings given with {@code --resume} that differ from the search's. */
    static List<String> differences(Settings given, Settings saved) {
        List<String> d = new ArrayList<>();
        diff(d, "--data", given.data() == null ? null : given.data().toAbsolutePath().normalize(), saved.data());
        diff(d, "--backbone", given.backbone(), saved.backbone());
        diff(d, "--seed", given.seed(), saved.seed());
        diff(d, "--image-size", given.imageSize(), saved.imageSize());
        diff(d, "--weights", given.weights(), saved.weights());
        diff(d, "--strategy", given.strategy(), saved.strategy());
        diff(d, "--objective", given.objective(), saved.objective());
        return d;
    }

    private static void diff(List<String> out, String option, Object given, Object saved) {
        if (given != null && !given.equals(saved)) {
            out.add(option + " " + lower(given) + " but the search used " + (saved == null ? "the default"
                    : lower(saved)));
        }
    }

    private static String lower(Object o) {
        return o instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : String.valueOf(o);
    }

    private static Map<String, Object> settingsMap(Settings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", s.data().toString());
        m.put("backbone", s.backbone());
        m.put("seed", s.seed());
        if (s.imageSize() != null) {
            m.put("imageSize", s.imageSize());
        }
        m.put("weights", lower(s.weights()));
        m.put("strategy", s.strategy());
        m.put("objective", s.objective());
        m.put("validationSplit", s.validationSplit());
        m.put("testSplit", s.testSplit());
        return m;
    }

    /**
     * One line per trial start and end (each fits 80 columns; the values of a trial, which may not, go to
     * {@code --json} and the report in full), and a JSON event per epoch with {@code --json}.
     */
    static final class Talk implements TrialListener {
        private final Output out;
        private final Monitor goal;
        private final Integer trials;
        private double best = Double.NaN;

        Talk(Output out, Monitor goal, Integer trials) {
            this.out = out;
            this.goal = goal;
            this.trials = trials;
        }

        @Override
        public void trialStarted(int id, int of, TrialParams params) {
            out.event("trialStarted", Output.fields("trial", id, "of", of, "params", params.values()),
                    fit("trial #" + id + (of > 0 ? " of " + of : "") + ": " + params(params.values())));
        }

        @Override
        public void epochEnded(int id, EpochRecord r) {
            out.event("epoch", Output.fields("trial", id, "phase", r.phase(), "epoch", r.epoch(), "loss", r.loss(),
                    "valLoss", r.valLoss(), "valAccuracy", r.value(Metric.VAL_ACCURACY), "lr", r.lr(),
                    "seconds", r.seconds()), null);
        }

        @Override
        public void trialEnded(TrialRecord r) {
            boolean better = r.status() == TrialStatus.COMPLETED && goal.improves(r.objective(), best);
            if (better) {
                best = r.objective();
            }
            String status = r.status().name().toLowerCase(Locale.ROOT);
            String text = "  -> " + status + (Double.isNaN(r.objective()) ? ""
                    : " " + goal.metric().key() + " " + value(goal.metric(), r.objective())) + ", "
                    + r.history().size() + " ep, " + String.format(Locale.ROOT, "%.1f s", r.seconds())
                    + (better ? ", best so far" : "") + (r.error() != null ? ": " + r.error() : "");
            out.event("trial", Output.fields("trial", r.id(), "status", status, "objective", r.objective(),
                    "bestEpoch", r.bestEpoch(), "epochs", r.history().size(), "seconds", r.seconds(),
                    "bestMetrics", r.bestMetrics(), "error", r.error()), fit(text));
        }

        @Override
        public void trialSkipped(TrialRecord r) {
            if (r.status() == TrialStatus.COMPLETED && goal.improves(r.objective(), best)) {
                best = r.objective();
            }
            out.event("trialSkipped", Output.fields("trial", r.id(), "status", r.status().name()
                    .toLowerCase(Locale.ROOT)), fit("trial " + r.id() + ": finished before ("
                    + r.status().name().toLowerCase(Locale.ROOT) + "), kept"));
        }

        private static String fit(String s) {
            return s.length() <= LINE ? s : s.substring(0, LINE - 3) + "...";
        }
    }
}
