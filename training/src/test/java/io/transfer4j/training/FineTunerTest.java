package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;

import io.transfer4j.core.LayerSelection;

class FineTunerTest {
    @TempDir
    static Path shared;
    static Path data;

    @BeforeAll
    static void generate() throws Exception {
        data = TinyRun.ensureData(shared, 12);
    }

    private static FineTunePlan twoPhases() {
        return FineTunePlan.of(
                Phase.builder("head").maxEpochs(3).lr(1e-2).earlyStopping(EarlyStopping.onValLoss(2)).build(),
                Phase.builder("fine").maxEpochs(2).trainable(LayerSelection.fromGroup("block3"))
                        .optimizer(Optimizer.sgd(0.9, true)).schedule(LrSchedule.cosine(1e-3, 1e-5))
                        .groupLrMultiplier("block3", 0.1).earlyStopping(EarlyStopping.onValLoss(1)).build());
    }

    private static TinyRun open(boolean augment) throws Exception {
        return TinyRun.open(data, TinyRun.zooHome(shared), augment, 8);
    }

    @Test
    void twoPhaseRunWithCacheEarlyStoppingCheckpointsAndFiles(@TempDir Path runDir) throws Exception {
        try (TinyRun t = open(false)) {
            ModelCheckpoint best = ModelCheckpoint.bestOnly(runDir.resolve("best.t4j"), Monitor.of(Metric.VAL_ACCURACY));
            TrainingResult r = FineTuner.builder().model(t.model).train(t.train).validation(t.validation)
                    .test(t.validation).plan(twoPhases()).runDir(runDir).seed(1).callbacks(best,
                            new CsvLogger(runDir.resolve("log.csv"))).build().fit();
            List<EpochRecord> h = r.history();
            assertEquals("head", h.get(0).phase());
            assertEquals("fine", h.get(h.size() - 1).phase());
            assertTrue(h.size() >= 3 && h.size() <= 5, "history " + h);
            assertTrue(h.stream().allMatch(e -> Double.isFinite(e.loss()) && Double.isFinite(e.valLoss())));
            assertTrue(h.get(0).metrics().containsKey(Metric.VAL_ROC_AUC));
            // training accuracy from each step's own forward pass, in both the cached head phase and the fine phase
            assertTrue(h.stream().allMatch(e -> e.value(Metric.ACCURACY) >= 0 && e.value(Metric.ACCURACY) <= 1),
                    "training accuracy recorded every epoch: " + h);
            List<Double> fineLr = h.stream().filter(e -> e.phase().equals("fine")).map(EpochRecord::lr).toList();
            assertTrue(fineLr.get(0) < 1e-3 && fineLr.get(0) > 1e-5, "cosine schedule inside its range: " + fineLr);
            if (fineLr.size() == 2) {
                assertTrue(fineLr.get(1) < fineLr.get(0), "cosine decays: " + fineLr);
            }
            assertNotNull(r.testMetrics());
            assertEquals(9, r.testMetrics().examples());
            // the test set's per-example outputs are kept, keyed by file, in the flow's order
            assertEquals(t.validation.filenames(), r.testMetrics().samples().stream().map(ScoredSample::key).toList());
            assertEquals(r.testMetrics().accuracy(), r.testMetrics().samples().stream()
                    .filter(ScoredSample::correct).count() / 9.0, 1e-12);
            assertEquals(TrainingResult.StopReason.COMPLETED, r.stopReason());
            for (String f : List.of("history.csv", "history.json", "run.json", "initial-model.t4j", "model.t4j",
                    "checkpoint.json", "best.t4j", "log.csv")) {
                assertTrue(Files.exists(runDir.resolve(f)), f);
            }
            List<String> csv = Files.readAllLines(runDir.resolve("history.csv"));
            assertTrue(csv.get(0).startsWith("phase,epoch,loss,val_loss,accuracy,val_accuracy,"), csv.get(0));
            assertEquals(h.size() + 1, csv.size());
            assertEquals(h.size(), History.readJson(runDir.resolve("history.json")).epochs().size());
            // the bundle records what trained it, typed, and the run's history: write -> read -> equal
            Path bundle = runDir.resolve(TrainingResult.MODEL_FILE);
            assertEquals(r.historyTable(), History.fromBundle(bundle).orElseThrow());
            io.transfer4j.core.TrainingProvenance p = io.transfer4j.core.ModelBundle.readManifest(bundle).training();
            assertEquals(twoPhases().provenance(), p.plan());
            assertEquals(twoPhases().fingerprint(), p.plan().fingerprint());
            assertEquals(List.of(LayerSelection.headOnly(), LayerSelection.fromGroup("block3")),
                    p.plan().phases().stream().map(io.transfer4j.core.TrainingProvenance.PlannedPhase::trainable)
                            .toList());
            assertEquals(1, p.seeds().seed());
            assertTrue(p.data().fingerprint().startsWith("files:"), p.data().fingerprint());
            assertEquals(r.testMetrics().accuracy(), p.metrics().test().accuracy());
            assertEquals(r.testMetrics().loss(), p.metrics().test().loss());
        }
    }

    @Test
    void progressListenerSeesEveryBatchWithAnEta() throws Exception {
        List<BatchEnd> batches = new java.util.ArrayList<>();
        List<String> phases = new java.util.ArrayList<>();
        try (TinyRun t = open(true)) {
            FineTuner.builder().model(t.model).train(t.train).seed(1)
                    .plan(FineTunePlan.of(Phase.builder("head").maxEpochs(2).lr(1e-3).build()))
                    .progress(new ProgressListener() {
                        @Override
                        public void onBatch(BatchEnd b) {
                            batches.add(b);
                        }

                        @Override
                        public void onPhase(String phase) {
                            phases.add(phase);
                        }
                    }).build().fit();
        }
        assertEquals(List.of("head"), phases);
        assertEquals(8, batches.size(), "27 images in batches of 8: 4 per epoch, 2 epochs");
        BatchEnd first = batches.get(0);
        assertEquals(1, first.batch());
        assertEquals(4, first.batchesPerEpoch());
        assertEquals(8, first.examples());
        assertTrue(first.etaSeconds() >= 0);
        assertEquals(27, batches.get(3).examples());
        assertEquals(0, batches.get(3).etaSeconds(), 1e-12);
        assertEquals(2, batches.get(7).epoch());
    }

    @Test
    void autoCacheSkipsAugmentedFlowsAndUsesPlainOnes() throws Exception {
        FineTunePlan plan = FineTunePlan.of(Phase.builder("head").maxEpochs(3).lr(1e-2).build());
        try (TinyRun plain = open(false); TinyRun augmented = open(true)) {
            FineTuner.builder().model(plain.model).train(plain.train).plan(plan).seed(1).build().fit();
            FineTuner.builder().model(augmented.model).train(augmented.train).plan(plan).seed(1).build().fit();
            // cached: one pass to build the cache, epochs never touch the flow again; augmented: one flow epoch each
            assertEquals(0, plain.train.epoch());
            assertEquals(2, augmented.train.epoch());
        }
    }

    @Test
    void cacheIsReusedAcrossHeadPhasesAndRebuiltWhenTheBodyChanged() throws Exception {
        try (TinyRun t = open(false)) {
            java.util.List<org.nd4j.linalg.dataset.DataSet> all = new java.util.ArrayList<>();
            t.train.setEpoch(0);
            while (t.train.hasNext()) {
                all.add(t.train.next());
            }
            org.nd4j.linalg.dataset.DataSet ds = org.nd4j.linalg.dataset.DataSet.merge(all);
            Phase head = Phase.builder("head").maxEpochs(2).lr(1e-2).build();
            Phase head2 = Phase.builder("head2").maxEpochs(2).lr(1e-3).build();
            Phase fine = Phase.builder("fine").maxEpochs(1).trainable(LayerSelection.fromGroup("block3")).lr(1e-3)
                    .build();

            CountingIterator a = new CountingIterator(new TestDataSetIterator(ds, 8));
            FineTuner.builder().model(t.model).train(a).featureCache(FeatureCacheMode.ALWAYS)
                    .plan(FineTunePlan.of(head, head2)).seed(1).build().fit();
            assertEquals(1, a.passes, "4 head-only epochs on one cache");

            CountingIterator b = new CountingIterator(new TestDataSetIterator(ds, 8));
            FineTuner.builder().model(t.model).train(b).featureCache(FeatureCacheMode.ALWAYS)
                    .plan(FineTunePlan.of(head, fine, head2)).seed(1).build().fit();
            // head cache, a cache at block3's freeze boundary for the fine-tuning epoch, and a new head cache after
            // the body changed
            assertEquals(3, b.passes);

            CountingIterator c = new CountingIterator(new TestDataSetIterator(ds, 8));
            FineTuner.builder().model(t.model).train(c).featureCache(FeatureCacheMode.AUTO)
                    .plan(FineTunePlan.of(head)).seed(1).build().fit();
            assertEquals(1 + 2, c.passes, "AUTO does not cache an iterator that may be augmented");
        }
    }

    @Test
    void featureMapCutsAreCachedAsFeatureMaps() throws Exception {
        try (TinyRun t = open(false)) {
            io.transfer4j.zoo.Zoo zoo = io.transfer4j.zoo.Zoo.builder().home(TinyRun.zooHome(shared)).offline(true)
                    .build();
            io.transfer4j.core.TransferModel m = io.transfer4j.core.TransferModel.builder()
                    .backbone(zoo.random("tiny", new io.transfer4j.zoo.InputShape(3, TinyRun.SIZE, TinyRun.SIZE), 3))
                    .cut("block3_pool").labels(t.train.getLabels()).seed(4).build();
            m.calibrateBatchNorm(t.train, 2);
            TrainingResult r = FineTuner.builder().model(m).train(t.train).validation(t.validation)
                    .plan(FineTunePlan.of(Phase.builder("head").maxEpochs(2).lr(1e-2).build())).seed(1).build().fit();
            assertEquals(2, r.history().size());
            assertTrue(Double.isFinite(r.history().get(1).valLoss()));
            assertEquals(1, t.train.epoch(), "calibration took epoch 0, the cache one more pass, training none");
        }
    }

    @Test
    void aLargeCacheSpillsToTheRunDirectoryAndIsRemovedAfterwards(@TempDir Path runDir) throws Exception {
        try (TinyRun t = open(false)) {
            TrainingResult r = FineTuner.builder().model(t.model).train(t.train).validation(t.validation)
                    .featureCacheMemoryLimit(64).runDir(runDir).seed(2)
                    .plan(FineTunePlan.of(Phase.builder("head").maxEpochs(2).lr(1e-2).build()))
                    .callbacks(new Callback() {
                        @Override
                        public Decision onEpochEnd(EpochRecord rec, TrainingControl c) {
                            assertTrue(Files.isDirectory(runDir.resolve("feature-cache").resolve("train")),
                                    "chunks on disk while training");
                            return Decision.CONTINUE;
                        }
                    }).build().fit();
            assertEquals(2, r.history().size());
            assertTrue(Double.isFinite(r.history().get(1).valLoss()));
            assertTrue(!Files.exists(runDir.resolve("feature-cache").resolve("train")));
        }
    }

    @Test
    void sameSeedSameDataSameHistory() throws Exception {
        List<String> a;
        List<String> b;
        try (TinyRun t = open(true)) {
            a = TinyRun.comparable(FineTuner.builder().model(t.model).train(t.train).validation(t.validation)
                    .plan(twoPhases()).seed(9).build().fit().history());
        }
        try (TinyRun t = open(true)) {
            b = TinyRun.comparable(FineTuner.builder().model(t.model).train(t.train).validation(t.validation)
                    .plan(twoPhases()).seed(9).build().fit().history());
        }
        assertEquals(a, b);
    }

    @Test
    void classWeightsTrainAndAreCheckedAgainstTheLabels() throws Exception {
        try (TinyRun t = open(false)) {
            TrainingResult r = FineTuner.builder().model(t.model).train(t.train).validation(t.validation)
                    .classWeights(ClassWeights.balanced()).plan(FineTunePlan.of(Phase.builder("head").maxEpochs(2)
                            .lr(1e-2).build())).seed(3).build().fit();
            assertEquals(2, r.history().size());
            assertTrue(Double.isFinite(r.history().get(1).loss()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder()
                    .model(t.model).train(t.train).classWeights(ClassWeights.explicit(java.util.Map.of("cats", 2.0)))
                    .plan(FineTunePlan.of(Phase.builder("head").build())).build());
            assertTrue(e.getMessage().contains("give exactly one weight per class"), e.getMessage());
        }
    }

    @Test
    void badPlansAreRejectedBeforeTraining() throws Exception {
        try (TinyRun t = open(false)) {
            FineTunePlan unknownGroup = FineTunePlan.of(Phase.builder("x").trainable(LayerSelection.fromGroup("block9"))
                    .build());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder()
                    .model(t.model).train(t.train).plan(unknownGroup).build());
            assertTrue(e.getMessage().contains("unfreezes layer group 'block9'") && e.getMessage().contains("block3"),
                    e.getMessage());

            FineTunePlan badMultiplier = FineTunePlan.of(Phase.builder("x").groupLrMultiplier("res5", 0.1).build());
            assertThrows(IllegalArgumentException.class, () -> FineTuner.builder().model(t.model).train(t.train)
                    .plan(badMultiplier).build());

            e = assertThrows(IllegalArgumentException.class, () -> Phase.builder("x").lr(0).build());
            assertEquals("phase 'x': learning rate must be finite and > 0; received 0.0", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Phase.builder("x").lr(-1e-3).build());

            FineTunePlan es = FineTunePlan.of(Phase.builder("x").earlyStopping(EarlyStopping.onValLoss(1)).build());
            e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder().model(t.model).train(t.train)
                    .plan(es).build());
            assertTrue(e.getMessage().contains("monitors 'val_loss', which this run does not compute"),
                    e.getMessage());

            e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder().model(t.model).train(t.train)
                    .validation(new TestDataSetIterator(List.of(), 4)).plan(es).build());
            assertTrue(e.getMessage().contains("validation set is empty"), e.getMessage());

            e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder().model(t.model).train(t.train)
                    .plan(FineTunePlan.of(Phase.builder("x").build())).callbacks(ReduceLrOnPlateau.of(
                            Monitor.of(Metric.VAL_MACRO_F1))).build());
            assertTrue(e.getMessage().contains("callback ReduceLrOnPlateau monitors 'val_macro_f1'"), e.getMessage());
        }
    }

    @Test
    void nanLossStopsWithWhereAndKeepsTheLastGoodCheckpoint(@TempDir Path runDir) throws Exception {
        List<Boolean> fileDuringEpoch = divergeInPhaseBoom(runDir, Long.MAX_VALUE);
        assertFalse(fileDuringEpoch.isEmpty());
        assertFalse(fileDuringEpoch.contains(true), "a small restore point stays in memory: " + fileDuringEpoch);
    }

    /**
     * A phase whose trained parameters exceed the restore point's memory limit (VGG16 with every layer trainable:
     * ~512 MiB; here the limit is 0) keeps them in a file in the run directory for the epoch, not in memory, and
     * still puts them back exactly; the file is gone when the run ends.
     */
    @Test
    void aLargeRestorePointGoesToTheRunDirectoryAndStillRestoresExactly(@TempDir Path runDir) throws Exception {
        List<Boolean> fileDuringEpoch = divergeInPhaseBoom(runDir, 0);
        assertFalse(fileDuringEpoch.isEmpty());
        assertFalse(fileDuringEpoch.contains(false), "the restore point is a file for the whole epoch: "
                + fileDuringEpoch);
    }

    /**
     * Runs phase 'ok' then phase 'boom' (every layer trainable, learning rate 1e12) until the loss diverges, and checks
     * that the model holds exactly the weights 'boom' began with: those of the checkpoint written at the end of
     * 'ok'. Returns, for each batch of 'boom', whether the restore point's file existed.
     */
    private static List<Boolean> divergeInPhaseBoom(Path runDir, long restorePointMemoryLimit) throws Exception {
        FineTunePlan plan = FineTunePlan.of(Phase.builder("ok").maxEpochs(1).lr(1e-3).build(),
                Phase.builder("boom").maxEpochs(2).trainable(LayerSelection.all()).optimizer(Optimizer.sgd(0, false))
                        .lr(1e12).build());
        Path file = runDir.resolve("restore-point.bin");
        List<Boolean> fileDuringEpoch = new ArrayList<>();
        Callback watch = new Callback() {
            @Override
            public Decision onBatchEnd(BatchEnd batch, TrainingControl control) {
                if (batch.phase().equals("boom")) {
                    fileDuringEpoch.add(Files.exists(file));
                }
                return Decision.CONTINUE;
            }
        };
        try (TinyRun t = open(false)) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> FineTuner.builder()
                    .model(t.model).train(t.train).plan(plan).runDir(runDir).seed(1).callbacks(watch)
                    .restorePointMemoryLimit(restorePointMemoryLimit).build().fit());
            assertTrue(e.getMessage().matches("(?s)Loss became (NaN|-?Infinity) in phase 'boom', epoch 1, batch \\d+ "
                    + "at learning rate 1\\.0E12; the last good checkpoint in .* is kept.*"), e.getMessage());
            assertEquals(1, e.history().size());
            var c = new io.transfer4j.training.internal.RunDirectory(runDir).read().orElseThrow();
            assertEquals(1, c.state().phaseIndex(), "checkpoint from the end of phase 'ok'");
            assertTrue(c.params().values().stream().allMatch(a -> !a.isNaN().any() && !a.isInfinite().any()));
            // the in-memory model is put back to its weights before the failing epoch, bit for bit
            Map<String, INDArray> now = t.model.graph().paramTable();
            assertEquals(c.params().keySet(), now.keySet());
            c.params().forEach((k, saved) -> assertArrayEquals(saved.dup('c').data().asFloat(),
                    now.get(k).dup('c').data().asFloat(), k));
            try (var files = Files.list(runDir)) {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString())
                        .filter(n -> n.contains("restore-point")).toList(), "the restore point is deleted");
            }
        }
        return fileDuringEpoch;
    }
}
