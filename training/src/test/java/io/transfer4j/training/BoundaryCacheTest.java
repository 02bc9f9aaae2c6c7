package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.core.LayerSelection;

/**
 * The cache at a freeze boundary: a phase that trains only the top of the network (here the tiny backbone's
 * {@code block3} + head) trains on the frozen prefix's activations computed once, and reaches the same history and
 * parameters as the uncached run (same batches: the cache replays the flow's order).
 */
class BoundaryCacheTest {
    @TempDir
    static Path shared;
    static Path data;

    @BeforeAll
    static void generate() throws Exception {
        data = TinyRun.ensureData(shared, 12);
    }

    static FineTunePlan headThenTop(String group) {
        return FineTunePlan.of(
                Phase.builder("head").maxEpochs(2).lr(1e-2).build(),
                Phase.builder("top").maxEpochs(3).trainable(LayerSelection.fromGroup(group))
                        .optimizer(Optimizer.sgd(0.9, true)).lr(1e-2).groupLrMultiplier(group, 0.5).build());
    }

    record Run(List<EpochRecord> history, List<INDArray> params, long batchesTaken, int perEpoch) {
    }

    static Run run(FeatureCacheMode mode, boolean augment, int views, Path runDir) throws Exception {
        return run(data, shared, mode, augment, views, runDir);
    }

    static Run run(Path data, Path shared, FeatureCacheMode mode, boolean augment, int views, Path runDir)
            throws Exception {
        return run(data, shared, mode, augment, views, true, runDir, new long[1]);
    }

    /**
     * A run of {@link #headThenTop}; {@code modelFits[0]} counts the steps taken by fitting the model's whole graph
     * (none when every phase trains a suffix graph: cached, or the prefix per batch).
     */
    static Run run(Path data, Path shared, FeatureCacheMode mode, boolean augment, int views, boolean prefixPerBatch,
                   Path runDir, long[] modelFits, Callback... callbacks) throws Exception {
        try (TinyRun t = TinyRun.open(data, TinyRun.zooHome(shared), augment, 4)) {
            long before = t.train.batchesTaken();
            Callback countFits = new Callback() {
                @Override
                public void onPhaseBegin(String phase, TrainingControl control) {
                    // setTrainable made this phase's graph; the loop fits it only without a suffix graph
                    t.model.graph().addListeners(new org.deeplearning4j.optimize.api.BaseTrainingListener() {
                        @Override
                        public void iterationDone(org.deeplearning4j.nn.api.Model model, int iteration, int epoch) {
                            modelFits[0]++;
                        }
                    });
                }
            };
            TrainingResult r = FineTuner.builder().model(t.model).train(t.train).validation(t.validation)
                    .plan(headThenTop("block3")).seed(3).featureCache(mode).augmentedViews(views).runDir(runDir)
                    .prefixPerBatch(prefixPerBatch).callbacks(callbacks).callbacks(countFits).build().fit();
            return new Run(r.history(), TinyRun.params(r.model().graph()), t.train.batchesTaken() - before,
                    t.train.batchesPerEpoch());
        }
    }

    static void assertSameRun(List<EpochRecord> a, List<INDArray> pa, List<EpochRecord> b, List<INDArray> pb,
                              double tol) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            EpochRecord x = a.get(i);
            EpochRecord y = b.get(i);
            assertEquals(x.phase() + x.epoch(), y.phase() + y.epoch());
            assertEquals(x.loss(), y.loss(), tol * Math.max(1, Math.abs(x.loss())), "loss of " + x + " vs " + y);
            assertEquals(x.valLoss(), y.valLoss(), tol * Math.max(1, Math.abs(x.valLoss())), "val_loss " + i);
            assertEquals(x.value(Metric.VAL_ACCURACY), y.value(Metric.VAL_ACCURACY), 1e-12, "val_accuracy " + i);
            assertEquals(x.lr(), y.lr(), 1e-15);
        }
        assertEquals(pa.size(), pb.size());
        for (int i = 0; i < pa.size(); i++) {
            double diff = pa.get(i).sub(pb.get(i)).norm2Number().doubleValue();
            double norm = pb.get(i).norm2Number().doubleValue();
            // the absolute term covers biases of convolutions that feed BatchNorm: their exact gradient is 0, so
            // their value is pure float32 rounding noise (~1e-8 here), which the BN-folded prefix shifts
            assertTrue(diff <= tol * norm + 1e-6, "parameter array " + i + " differs by " + diff + " (norm " + norm
                    + ")");
        }
    }

    @Test
    void topGroupPhaseOnCachedBoundaryEqualsTheUncachedRun() throws Exception {
        Run cached = run(FeatureCacheMode.AUTO, false, 0, null);
        Run plain = run(data, shared, FeatureCacheMode.OFF, false, 0, false, null, new long[1]);
        // cached: one flow pass per phase (the cache builds); uncached: every epoch reads the flow
        assertEquals(2L * cached.perEpoch(), cached.batchesTaken(), "each phase read the flow once");
        assertEquals(5L * plain.perEpoch(), plain.batchesTaken());
        // float32 rounding only: the prefix computed by output() vs inside the frozen graph's forward pass
        assertSameRun(cached.history(), cached.params(), plain.history(), plain.params(), 1e-5);
        assertTrue(cached.history().get(4).loss() < cached.history().get(0).loss(), "it trains: " + cached.history());
    }

    @Test
    void uncachedPhasesRunThePrefixPerBatchAndEqualTheWholeGraphFit() throws Exception {
        // augmented inputs (AUTO does not cache them) and plain inputs with the cache OFF: both phases have a
        // freeze boundary (the cut, then block3's input), so by default neither fits the whole graph
        for (boolean augment : new boolean[] {true, false}) {
            FeatureCacheMode mode = augment ? FeatureCacheMode.AUTO : FeatureCacheMode.OFF;
            long[] perBatchFits = new long[1];
            long[] wholeFits = new long[1];
            Run perBatch = run(data, shared, mode, augment, 0, true, null, perBatchFits);
            Run whole = run(data, shared, mode, augment, 0, false, null, wholeFits);
            assertEquals(0, perBatchFits[0], "the model's whole graph never fitted (augment=" + augment + ")");
            assertEquals(5L * whole.perEpoch(), wholeFits[0], "switched off: every step fits the whole graph");
            assertEquals(5L * perBatch.perEpoch(), perBatch.batchesTaken(), "fresh batches every epoch");
            assertEquals(whole.batchesTaken(), perBatch.batchesTaken());
            // float32 rounding only: the prefix on the BN-folded derived graph vs inside the frozen graph's forward
            assertSameRun(perBatch.history(), perBatch.params(), whole.history(), whole.params(), 1e-6);
            assertTrue(perBatch.history().get(4).loss() < perBatch.history().get(0).loss(), "it trains: "
                    + perBatch.history());
        }
    }

    @Test
    void aPerBatchPhaseResumedMidPhaseEqualsTheUninterruptedRun(@TempDir Path dir) throws Exception {
        Run whole = run(data, shared, FeatureCacheMode.AUTO, true, 0, true, dir.resolve("whole"), new long[1]);
        Callback crashAfterTop1 = new Callback() {
            @Override
            public Decision onEpochEnd(EpochRecord r, TrainingControl c) {
                return r.phase().equals("top") && r.epoch() == 1 ? Decision.STOP_TRAINING : Decision.CONTINUE;
            }
        };
        Path cut = dir.resolve("cut");
        Run first = run(data, shared, FeatureCacheMode.AUTO, true, 0, true, cut, new long[1], crashAfterTop1);
        assertEquals(3, first.history().size(), "stopped after the first 'top' epoch (its checkpoint written)");
        long[] fits = new long[1];
        Run resumed = run(data, shared, FeatureCacheMode.AUTO, true, 0, true, cut, fits);
        assertEquals(0, fits[0], "the resumed phase still trains the suffix graph");
        assertEquals(2L * resumed.perEpoch(), resumed.batchesTaken(), "only the two 'top' epochs left");
        // the same computation from the same checkpoint (optimiser state included): identical, not just close
        assertEquals(TinyRun.comparable(whole.history()), TinyRun.comparable(resumed.history()));
        for (int i = 0; i < whole.params().size(); i++) {
            assertEquals(whole.params().get(i), resumed.params().get(i), "parameter " + i);
        }
    }

    @Test
    void augmentedViewsEqualFreshAugmentationOverTheirEpochsThenRepeat() throws Exception {
        Run views = run(FeatureCacheMode.AUTO, true, 5, null);
        Run fresh = run(FeatureCacheMode.AUTO, true, 0, null);
        assertEquals(5L * fresh.perEpoch(), fresh.batchesTaken(), "augmented, no views: fresh data every epoch");
        assertEquals(2L * 5 * views.perEpoch(), views.batchesTaken(), "5 views built once per phase");
        assertSameRun(views.history(), views.params(), fresh.history(), fresh.params(), 1e-5);

        // fewer views than epochs (what bench/kviews.sh measures): k flow passes per phase, not one per epoch, and
        // global epoch e trains on view e mod k: the head's epochs 0 and 1 are views 0 and 1 (= fresh epochs 0 and
        // 1); the top phase's first epoch, global epoch 2, repeats view 0, where fresh augmentation draws epoch 2
        Run two = run(FeatureCacheMode.AUTO, true, 2, null);
        assertEquals(2L * 2 * two.perEpoch(), two.batchesTaken(), "2 views built once per phase");
        assertSameRun(two.history().subList(0, 2), List.of(), fresh.history().subList(0, 2), List.of(), 1e-5);
        assertTrue(Math.abs(two.history().get(2).loss() - fresh.history().get(2).loss()) > 1e-4,
                "epoch 2 trains on a repeated view, not fresh transforms: " + two.history().get(2) + " vs "
                        + fresh.history().get(2));
    }

    @Test
    void viewsNeedAnImageFlowAndAreNotNegative() throws Exception {
        try (TinyRun t = TinyRun.open(data, TinyRun.zooHome(shared), false, 4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder()
                    .model(t.model).train(t.train).plan(headThenTop("block3")).augmentedViews(-1).build());
            assertTrue(e.getMessage().contains("received -1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder().model(t.model)
                    .train(new org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator(new org.nd4j.linalg.dataset
                            .DataSet(org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 3,
                            16, 16), org.nd4j.linalg.factory.Nd4j.eye(3).castTo(
                            org.nd4j.linalg.api.buffer.DataType.FLOAT)), 2))
                    .plan(headThenTop("block3")).augmentedViews(2).build());
            assertTrue(e.getMessage().contains("needs an augmentation flow"), e.getMessage());
        }
    }
}
