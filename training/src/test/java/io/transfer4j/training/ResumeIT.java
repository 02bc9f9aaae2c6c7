package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.ModelBundle;

/**
 * A run interrupted after an epoch and resumed from its run directory ends exactly like an uninterrupted run
 * (history and every parameter). The interruption here is a callback; {@code KillResumeIT} does it with kill -9. An IT: about 20 s.
 */
class ResumeIT {
    @TempDir
    static Path shared;
    static Path data;

    @BeforeAll
    static void generate() throws Exception {
        data = TinyRun.ensureData(shared, 8);
    }

    static FineTunePlan plan() {
        return FineTunePlan.of(
                Phase.builder("head").maxEpochs(3).optimizer(Optimizer.adam())
                        .schedule(LrSchedule.warmup(1, LrSchedule.constant(1e-2)))
                        .earlyStopping(EarlyStopping.onValLoss(5)).build(),
                Phase.builder("fine").maxEpochs(2).trainable(LayerSelection.fromGroup("block2"))
                        .optimizer(Optimizer.adamW(0.01)).schedule(LrSchedule.oneCycle(1e-3))
                        .groupLrMultiplier("block2", 0.1).earlyStopping(EarlyStopping.onValLoss(3)).build());
    }

    /** Stops the whole run after the given epoch of the given phase, like a crash right after a checkpoint. */
    record StopAfter(String phase, int epoch) implements Callback {
        @Override
        public Decision onEpochEnd(EpochRecord r, TrainingControl c) {
            return r.phase().equals(phase) && r.epoch() == epoch ? Decision.STOP_TRAINING : Decision.CONTINUE;
        }
    }

    /** Stops the run at the first batch of a phase: the last checkpoint is the one written at the phase boundary. */
    record StopAtStartOf(String phase) implements Callback {
        @Override
        public Decision onBatchEnd(BatchEnd b, TrainingControl c) {
            return b.phase().equals(phase) ? Decision.STOP_TRAINING : Decision.CONTINUE;
        }
    }

    /** Counts the epochs the run trains into {@code count[0]}. */
    private static Callback counting(int[] count) {
        return new Callback() {
            @Override
            public Decision onEpochEnd(EpochRecord r, TrainingControl c) {
                count[0]++;
                return Decision.CONTINUE;
            }
        };
    }

    private ModelCheckpoint lastBest;

    private TrainingResult run(Path runDir, boolean augment, Callback... callbacks) throws Exception {
        try (TinyRun t = TinyRun.open(data, TinyRun.zooHome(shared), augment, 8)) {
            lastBest = ModelCheckpoint.bestOnly(runDir.resolve("best.t4j"), Monitor.of(Metric.VAL_ROC_AUC));
            return FineTuner.builder().model(t.model).train(t.train).validation(t.validation).plan(plan())
                    .runDir(runDir).seed(77).callbacks(callbacks)
                    .callbacks(ReduceLrOnPlateau.of(Monitor.valLoss()), lastBest).build().fit();
        }
    }

    @ParameterizedTest(name = "augmented={0}")
    @ValueSource(booleans = {false, true})
    void interruptedAndResumedEqualsUninterrupted(boolean augment, @TempDir Path dir) throws Exception {
        TrainingResult whole = run(dir.resolve("whole"), augment);
        double wholeBest = lastBest.best();
        int cut = 0;
        for (Callback stop : List.of(new StopAfter("head", 2), new StopAfter("fine", 1), new StopAtStartOf("fine"))) {
            Path runDir = dir.resolve("cut-" + cut++);
            TrainingResult first = run(runDir, augment, stop);
            assertEquals(TrainingResult.StopReason.STOPPED_BY_CALLBACK, first.stopReason());
            int[] trained = new int[1];
            TrainingResult resumed = run(runDir, augment, counting(trained));
            assertEquals(whole.history().size() - first.history().size(), trained[0],
                    "the resumed run trains only the epochs after the checkpoint");
            assertEquals(TinyRun.comparable(whole.history()), TinyRun.comparable(resumed.history()), "after " + stop);
            assertEquals(wholeBest, lastBest.best(), "the best-only checkpoint's best survives the restart");
            List<INDArray> a = TinyRun.params(whole.model().graph());
            List<INDArray> b = TinyRun.params(resumed.model().graph());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i), b.get(i), "parameter " + i + " after " + stop);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void resumeFromTheDirectoryAloneRebuildsModelAndPlanFromIt(@TempDir Path dir) throws Exception {
        TrainingResult whole = run(dir.resolve("whole"), false);
        Path runDir = dir.resolve("cut");
        run(runDir, false, new StopAfter("head", 2));
        TrainingResult resumed;
        try (TinyRun t = TinyRun.open(data, TinyRun.zooHome(shared), false, 8)) {
            // only the data comes from the caller: model, plan, seed and options are read from the run directory
            resumed = FineTuner.resume(runDir, t.train, t.validation, null, ReduceLrOnPlateau.of(Monitor.valLoss()),
                    ModelCheckpoint.bestOnly(runDir.resolve("best.t4j"), Monitor.of(Metric.VAL_ROC_AUC)));
        }
        assertEquals(TinyRun.comparable(whole.history()), TinyRun.comparable(resumed.history()));
        List<INDArray> a = TinyRun.params(whole.model().graph());
        List<INDArray> b = TinyRun.params(resumed.model().graph());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), "parameter " + i);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FineTuner.resumeBuilder(dir.resolve("nothing-here")));
        assertTrue(e.getMessage().contains("run.json is missing"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void aRunDirectoryOfAnotherPlanOrSeedIsRefused(@TempDir Path dir) throws Exception {
        run(dir, false, new StopAfter("head", 1));
        try (TinyRun t = TinyRun.open(data, TinyRun.zooHome(shared), false, 8)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder()
                    .model(t.model).train(t.train).validation(t.validation).plan(plan()).runDir(dir).seed(78)
                    .build().fit());
            assertTrue(e.getMessage().contains("was started with seed 77, not 78"), e.getMessage());
            FineTunePlan other = FineTunePlan.of(Phase.builder("head").maxEpochs(4).build());
            e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder().model(t.model).train(t.train)
                    .plan(other).runDir(dir).seed(77).build().fit());
            assertTrue(e.getMessage().contains("holds a run of a different plan"), e.getMessage());
        }
    }

    /**
     * Issue 14: a run whose last checkpoint is after the final phase (killed while model.t4j was written, or
     * fit called again on a finished run) must write the model the uninterrupted run wrote: the last phase's
     * trainable selection (here fromGroup block2, not headOnly), the same manifest apart from its time stamp and
     * the same parameters.
     */
    @org.junit.jupiter.api.Test
    void aFinishedRunResumedWritesTheSameModelAsTheUninterruptedRun(@TempDir Path dir) throws Exception {
        Path runDir = dir.resolve("run");
        run(runDir, false);
        Path model = runDir.resolve("model.t4j");
        String manifest = manifestWithoutTime(model);
        assertTrue(manifest.contains("\"group\":\"block2\""), manifest);
        List<INDArray> params = TinyRun.params(ModelBundle.load(model).graph());
        for (boolean killedWhileSaving : List.of(true, false)) {
            if (killedWhileSaving) {
                Files.delete(model);
            }
            int[] trained = new int[1];
            TrainingResult again = run(runDir, false, counting(trained));
            assertEquals(0, trained[0], "a finished run trains no further epoch");
            assertEquals(LayerSelection.fromGroup("block2"), again.model().trainable());
            assertEquals(manifest, manifestWithoutTime(model), "killedWhileSaving=" + killedWhileSaving);
            List<INDArray> now = TinyRun.params(ModelBundle.load(model).graph());
            for (int i = 0; i < params.size(); i++) {
                assertEquals(params.get(i), now.get(i), "parameter " + i);
            }
        }
    }

    private static String manifestWithoutTime(Path bundle) throws IOException {
        try (ZipFile zip = new ZipFile(bundle.toFile())) {
            ObjectNode m = (ObjectNode) new ObjectMapper().readTree(zip.getInputStream(
                    zip.getEntry(ModelBundle.MANIFEST)));
            m.remove("created");
            return m.toString();
        }
    }
}
