package io.transfer4j.cli.internal;

import io.transfer4j.zoo.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.cli.FitConfig;
import io.transfer4j.cli.Output;
import io.transfer4j.cli.report.ConfusedSample;
import io.transfer4j.cli.report.Evaluation;
import io.transfer4j.cli.report.HistoryEntry;
import io.transfer4j.cli.report.RunDirectory;
import io.transfer4j.cli.report.RunReport;
import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.Metrics;
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
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

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

    /** Trains a model (head phase, then fine-tuning from a layer group), or resumes an interrupted run. */
    public interface Trainer {
        /**
         * @param checkpointDir where the trainer keeps its resumable checkpoint (one per epoch), or null for a run
         *                      that cannot be resumed (and saves the time of writing them)
         */
        Trained train(TransferModel model, FitRun.Flows flows, FitConfig cfg, String fineTuneGroup,
                      Path checkpointDir, Output out) throws IOException;

        Trained resume(FitRun.Flows flows, Path runDir, Output out) throws IOException;
    }

    /** What training produced: the trained model, every epoch, and the plan as JSON (for the bundle). */
    public record Trained(TransferModel model, List<HistoryEntry> history, JsonNode plan) {
    }

    /**
     * @param runDir   final place of the run directory (what the report and messages name)
     * @param bundle   final place of the bundle
     * @param report   final place of report.html
     * @param test     test-set results, or null without a test split
     * @param notes    paragraphs the user should read (e.g. why ImageNet weights were not used)
     */
    public record Outcome(Path runDir, Path bundle, Path report, Evaluation test, Metrics testMetrics,
                          List<HistoryEntry> history, List<String> notes, Backbone.WeightsOrigin weights,
                          InputShape input, DataSplit split, Duration took) {
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
        if (!resume) {
            RunDirectory.writeConfig(writeDir, config);
        }

        DataSplit split = resume ? DataSplit.read(writeDir.resolve(FitRun.SPLIT)) : FitRun.split(resolved, writeDir);
        out.info(String.format(Locale.ROOT, "Data: %s, %d classes %s; split %d train / %d validation / %d test "
                        + "(stratified, seed %d)", resolved.data(), split.classes().size(), split.classes(),
                split.train().size(), split.validation().size(), split.test().size(), resolved.seed()));

        List<String> notes = new ArrayList<>();
        Trained trained;
        Metrics testMetrics = null;
        Evaluation test = null;
        List<FitRun.Scored> scored = List.of();
        try (FitRun.Flows flows = FitRun.Flows.of(spec, resolved, split, input)) {
            if (resume) {
                out.info("Resuming the run in " + finalDir + " from its last checkpoint");
                trained = trainer.resume(flows, writeDir, out);
            } else {
                Instant t = Instant.now();
                Backbone backbone = FitRun.backbone(zoo, resolved, input, note -> {
                    notes.add(note);
                    out.warn(note);
                });
                out.info("Backbone: " + backbone.id() + " at " + input.height() + "x" + input.width() + " px, "
                        + (backbone.weights().pretrained() ? "ImageNet weights (" + backbone.weights().source() + ")"
                        : "random initialisation") + " (" + FitRun.seconds(t) + ")");
                TransferModel model = FitRun.model(backbone, resolved, split.classes());
                String group = resolved.fineTunes() ? FitRun.fineTuneGroup(backbone, resolved) : null;
                if (!backbone.weights().pretrained()) {
                    t = Instant.now();
                    long n = model.calibrateBatchNorm(flows.calibration(), FitRun.CALIBRATION_BATCHES);
                    out.info("Calibrated the random backbone's BatchNorm statistics on " + n + " training images ("
                            + FitRun.seconds(t) + ")");
                }
                trained = trainer.train(model, flows, resolved, group, mode == Mode.RESUMABLE ? writeDir : null, out);
            }
            if (flows.test() != null) {
                Instant t = Instant.now();
                scored = FitRun.score(trained.model().graph(), flows.test(), out, "test");
                testMetrics = FitRun.metrics(split.classes(), scored);
                test = Evaluation.of(testMetrics);
                out.info(String.format(Locale.ROOT, "Test: accuracy %.1f %% on %d held-out images, macro F1 %.3f (%s)",
                        100 * test.accuracy(), test.total(), test.macroF1(), FitRun.seconds(t)));
            }
        }
        TransferModel model = trained.model();
        Backbone.WeightsOrigin weights = model.backbone().weights();

        Path bundle = writeDir.resolve(BUNDLE);
        model.recordTraining(trained.plan(), JSON.valueToTree(Map.of("seed", resolved.seed())),
                JSON.valueToTree(dataFingerprint(split)), testMetrics == null ? null : metricsJson(testMetrics));
        Instant ts = Instant.now();
        try {
            ModelBundle.save(model, bundle, new BundleExtras(trained.plan(), null, null, null,
                    JSON.valueToTree(trained.history()), false));
        } catch (IOException e) {
            throw AtomicFiles.named(bundle, e);
        }
        out.info(String.format(Locale.ROOT, "Saved the model bundle (%s, %s)", WorkDirs.mb(java.nio.file.Files.size(bundle)),
                FitRun.seconds(ts)));

        ts = Instant.now();
        List<ConfusedSample> confused;
        try (io.transfer4j.core.Predictor predictor = io.transfer4j.core.Predictor.of(model)) {
            confused = FitRun.mostConfused(split.root(), split.classes(), scored, Predictions.gradCam(predictor));
        }
        out.info("Explained the " + confused.size() + " most confused test images with Grad-CAM (" + FitRun.seconds(ts)
                + ")");

        Path finalBundle = finalDir.resolve(BUNDLE);
        Path finalReport = finalDir.resolve(RunDirectory.REPORT);
        Duration took = Duration.between(t0, Instant.now());
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("backbone", model.backbone().id() + " (" + (weights.pretrained() ? "ImageNet weights"
                : "random initialisation, BatchNorm calibrated") + ")");
        facts.put("input", input.height() + " x " + input.width() + " px, " + input.channels() + " channels");
        facts.put("classes", String.join(", ", split.classes()));
        facts.put("images", split.train().size() + " train / " + split.validation().size() + " validation / "
                + split.test().size() + " test");
        facts.put("phases", trained.history().stream().map(HistoryEntry::phase).distinct()
                .reduce((a, b) -> a + " -> " + b).orElse("-"));
        facts.put("model bundle", finalBundle.toString());
        facts.put("run directory", finalDir.toString());
        facts.put("duration", String.format(Locale.ROOT, "%.1f s", took.toMillis() / 1000.0));
        RunDirectory.writeReport(writeDir, new RunReport(title, Instant.now(), facts, config, trained.history(),
                test, confused, notes));
        return new Outcome(finalDir, finalBundle, finalReport, test, testMetrics, trained.history(), notes, weights,
                input, split, took);
    }

    private static FitConfig withImageSize(FitConfig c, int size) {
        return new FitConfig(null, null, null, null, size, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null).over(c);
    }

    private static Map<String, Object> dataFingerprint(DataSplit split) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("root", split.root().toAbsolutePath().toString());
        m.put("classes", split.classes());
        m.put("train", split.train().size());
        m.put("validation", split.validation().size());
        m.put("test", split.test().size());
        return m;
    }

    private static JsonNode metricsJson(Metrics m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("testAccuracy", m.accuracy());
        j.put("testLoss", m.loss());
        j.put("testMacroF1", m.macroF1());
        j.put("testExamples", m.examples());
        return JSON.valueToTree(j);
    }
}
