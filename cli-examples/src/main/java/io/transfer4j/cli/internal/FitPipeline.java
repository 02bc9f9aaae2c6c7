package io.transfer4j.cli.internal;

import io.transfer4j.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;


import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.cli.FitConfig;
import io.transfer4j.cli.Output;
import io.transfer4j.cli.report.ConfusedSample;
import io.transfer4j.cli.report.RunReport;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.Metrics;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/**
 * One training run from a {@link FitConfig} to a finished run directory: config, split, backbone, head, training
 * (by a {@link Trainer}), test evaluation, bundle, plots and {@code report.html}. Used by {@code fit} and
 * {@code quickstart}.
 */
public final class FitPipeline {

    public static final String BUNDLE = "model.t4j";

    private FitPipeline() {
    }

    /** How the run treats its directory. */
    public enum Mode {
        /** A new run that keeps resumable checkpoints in its directory ({@code fit}). */
        RESUMABLE,
        /** A new run without checkpoints ({@code quickstart}: its staged directory cannot be resumed anyway). */
        ONE_SHOT,
        /** Continue the run in the directory from its last checkpoint ({@code fit --resume}). */
        RESUME
    }

    /**
     * Trains a model (head phase, then fine-tuning from a layer group) and evaluates it on the test split, or
     * resumes an interrupted run.
     */
    public interface Trainer {
        /**
         * @param checkpointDir the run directory, where the trainer keeps its resumable checkpoint (one per epoch)
         *                      and writes the history and the model bundle; or null for a run that cannot be
         *                      resumed (and saves the time of writing checkpoints)
         */
        TrainingResult train(TransferModel model, FitRun.Flows flows, FitConfig cfg, String fineTuneGroup,
                             Path checkpointDir, Output out) throws IOException;

        TrainingResult resume(FitRun.Flows flows, Path runDir, Output out) throws IOException;
    }

    /**
     * @param runDir   final place of the run directory (what the report and messages name)
     * @param bundle   final place of the bundle
     * @param report   final place of report.html
     * @param test     test-set results, or null without a test split
     * @param notes    paragraphs the user should read (e.g. why ImageNet weights were not used)
     */
    public record Outcome(Path runDir, Path bundle, Path report, Metrics test, List<EpochRecord> history,
                          List<String> notes, Backbone.WeightsOrigin weights, InputShape input, DataSplit split,
                          Duration took) {
    }

    /**
     * Runs everything, writing into {@code writeDir} (which becomes {@code finalDir}: the same directory for
     * {@code fit}, a staging directory for {@code quickstart}).
     *
     */
    public static Outcome run(String title, FitConfig cfg, Mode mode, Path writeDir, Path finalDir, Zoo zoo,
                              Trainer trainer, Output out)
            throws IOException {
        Instant t0 = Instant.now();
        BackboneSpec spec = FitRun.spec(zoo, cfg.backbone());
        InputShape input = FitRun.input(spec, cfg);
        FitRun.checkMemory(zoo, spec, input, cfg);
        FitConfig resolved = cfg.imageSize() == null ? withImageSize(cfg, input.height()) : cfg;
        Map<String, Object> config = FitRun.configMap(resolved);
        boolean resume = mode == Mode.RESUME;
        // everything that can refuse the run is checked before the directory is claimed (a config.json without a
        // run that can start was a dead end: neither a new run nor --resume would take the directory)
        String group = !resume && resolved.fineTunes() ? FitRun.fineTuneGroup(spec, resolved) : null;
        List<String> notes = new ArrayList<>();
        Backbone backbone = null;
        if (!resume) {
            Instant t = Instant.now();
            backbone = FitRun.backbone(zoo, resolved, input, mode == Mode.ONE_SHOT, note -> {
                notes.add(note);
                out.warn(note);
            });
            out.info("Backbone: " + backbone.id() + " at " + input.height() + "x" + input.width() + " px, "
                    + (backbone.weights().pretrained() ? "ImageNet weights (" + backbone.weights().source() + ")"
                    : "random initialisation") + " (" + FitRun.seconds(t) + ")");
            RunReport.writeConfig(writeDir, config);
        }

        DataSplit split = resume ? DataSplit.read(writeDir.resolve(FitRun.SPLIT)) : FitRun.split(resolved, writeDir);
        out.info(String.format(Locale.ROOT, "Data: %s, %d classes %s; split %d train / %d validation / %d test "
                        + "images (stratified%s, seed %d)%s", resolved.data(), split.classes().size(),
                split.classes(), split.train().size(), split.validation().size(), split.test().size(),
                split.groupedBy() == null ? "" : ", grouped by " + split.groupedBy(), resolved.seed(),
                split.excluded().isEmpty() ? "" : "; " + split.excluded().size() + " file(s) skipped"));
        if (!split.excluded().isEmpty()) {
            out.warn(FitRun.skipped(split.excluded()));
        }

        TrainingResult trained;
        try (FitRun.Flows flows = FitRun.Flows.of(spec, resolved, split, input)) {
            if (resume) {
                out.info("Resuming the run in " + finalDir + " from its last checkpoint");
                trained = trainer.resume(flows, writeDir, out);
            } else {
                TransferModel model = FitRun.model(backbone, resolved, split.classes());
                if (!backbone.weights().pretrained()) {
                    Instant t = Instant.now();
                    long n = model.calibrateBatchNorm(flows.calibration(), FitRun.CALIBRATION_BATCHES);
                    out.info("Calibrated the random backbone's BatchNorm statistics on " + n + " training images ("
                            + FitRun.seconds(t) + ")");
                }
                trained = trainer.train(model, flows, resolved, group, mode == Mode.RESUMABLE ? writeDir : null, out);
            }
        }
        Metrics test = trained.testMetrics();
        if (test != null) {
            out.info(String.format(Locale.ROOT, "Test: accuracy %.1f %% on %d held-out images, macro F1 %.3f",
                    100 * test.accuracy(), test.examples(), test.macroF1()));
        }
        TransferModel model = trained.model();
        Backbone.WeightsOrigin weights = model.backbone().weights();

        Path bundle = writeDir.resolve(BUNDLE);
        Instant ts = Instant.now();
        if (mode == Mode.ONE_SHOT) {
            // a run with a run directory wrote its history and bundle itself; the same writer, once, here
            try {
                trained.save(writeDir);
            } catch (IOException e) {
                throw AtomicFiles.named(bundle, e);
            }
        }
        out.info(String.format(Locale.ROOT, "Saved the model bundle (%s, %s)", WorkDirs.mb(java.nio.file.Files.size(bundle)),
                mode == Mode.ONE_SHOT ? FitRun.seconds(ts) : "written by the run"));

        ts = Instant.now();
        List<ConfusedSample> confused = List.of();
        if (test != null) {
            try (io.transfer4j.core.Predictor predictor = io.transfer4j.core.Predictor.of(model,
                    io.transfer4j.core.Predictor.Options.defaults().withMaxPixels(resolved.pixelLimit()))) {
                confused = FitRun.mostConfused(split.root(), test, Predictions.gradCam(predictor, resolved.window()),
                        resolved.window());
            }
        }
        out.info("Explained the " + confused.size() + " most confused test images with Grad-CAM (" + FitRun.seconds(ts)
                + ")");

        Path finalBundle = finalDir.resolve(BUNDLE);
        Path finalReport = finalDir.resolve(RunReport.REPORT);
        Duration took = Duration.between(t0, Instant.now());
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("backbone", model.backbone().id() + " (" + (weights.pretrained() ? "ImageNet weights"
                : "random initialisation, BatchNorm calibrated") + ")");
        facts.put("input", input.height() + " x " + input.width() + " px, " + input.channels() + " channels");
        facts.put("classes", String.join(", ", split.classes()));
        facts.put("images", split.train().size() + " train / " + split.validation().size() + " validation / "
                + split.test().size() + " test");
        facts.put("phases", trained.history().stream().map(EpochRecord::phase).distinct()
                .reduce((a, b) -> a + " -> " + b).orElse("-"));
        facts.put("model bundle", finalBundle.toString());
        facts.put("run directory", finalDir.toString());
        facts.put("duration", String.format(Locale.ROOT, "%.1f s", took.toMillis() / 1000.0));
        new RunReport(title, Instant.now(), facts, config, trained.history(), test, confused, notes).write(writeDir);
        if (mode != Mode.ONE_SHOT) {
            dropUnkept(writeDir, resolved, out);
        }
        return new Outcome(finalDir, finalBundle, finalReport, test, trained.history(), notes, weights, input, split,
                took);
    }

    /**
     * After a successful run, removes what resuming needed but the user did not ask to keep ({@code --keep}):
     * the initial model and the checkpoint, each about the size of the model. The bundle, history and report stay.
     */
    static void dropUnkept(Path dir, FitConfig cfg, Output out) throws IOException {
        List<String> dropped = new ArrayList<>();
        if (!cfg.keeps("initial-model") && java.nio.file.Files.deleteIfExists(dir.resolve("initial-model.t4j"))) {
            dropped.add("initial-model.t4j");
        }
        if (!cfg.keeps("checkpoint")) {
            try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(dir)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith("ckpt-")).toList()) {
                    WorkDirs.deleteRecursively(p);
                    dropped.add(p.getFileName().toString());
                }
            }
            if (java.nio.file.Files.deleteIfExists(dir.resolve("checkpoint.json"))) {
                dropped.add("checkpoint.json");
            }
        }
        if (!dropped.isEmpty()) {
            out.info("Removed " + String.join(", ", dropped) + " (needed only to resume; keep them with --keep "
                    + "checkpoint,initial-model)");
        }
    }

    private static FitConfig withImageSize(FitConfig c, int size) {
        return new FitConfig(null, null, null, null, size, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null).over(c);
    }
}
