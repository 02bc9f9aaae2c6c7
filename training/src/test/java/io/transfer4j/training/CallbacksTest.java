package io.transfer4j.training;

import static io.transfer4j.training.FakeControl.epoch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.training.internal.EarlyStopper;

class CallbacksTest {

    /** Feeds val_loss values; params follow the epoch number so restores are visible. */
    private static List<Decision> run(Callback cb, FakeControl c, double... valLoss) {
        cb.onPhaseBegin("p", c);
        java.util.ArrayList<Decision> out = new java.util.ArrayList<>();
        for (int i = 0; i < valLoss.length; i++) {
            c.params = i + 1;
            EpochRecord r = epoch(i + 1, valLoss[i], 1 - valLoss[i]);
            c.history.add(r);
            Decision d = cb.onEpochEnd(r, c);
            out.add(d);
            if (d != Decision.CONTINUE) {
                break;
            }
        }
        cb.onPhaseEnd("p", c);
        return out;
    }

    @Test
    void monitorAutoModeFollowsTheMetric() {
        assertFalse(Monitor.valLoss().maximise());
        assertTrue(Monitor.of(Metric.VAL_ACCURACY).maximise());
        assertTrue(new Monitor(Metric.VAL_LOSS, Monitor.Mode.MAX, 0).maximise());
        Monitor m = Monitor.valLoss().withMinDelta(0.1);
        assertFalse(m.improves(0.95, 1.0), "smaller than minDelta is no improvement");
        assertTrue(m.improves(0.85, 1.0));
        assertTrue(m.improves(5, Double.NaN), "anything beats nothing");
        assertFalse(m.improves(Double.NaN, 1.0));
    }

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresBest() {
        FakeControl c = new FakeControl();
        EarlyStopper es = new EarlyStopper(EarlyStopping.onValLoss(2));
        List<Decision> d = run(es, c, 1.0, 0.5, 0.6, 0.7, 0.4);
        assertEquals(List.of(Decision.CONTINUE, Decision.CONTINUE, Decision.CONTINUE, Decision.STOP_PHASE), d);
        assertTrue(es.stopped());
        assertEquals(2, es.bestEpoch());
        assertEquals(2.0, c.params, "weights of epoch 2 restored");
    }

    @Test
    void earlyStoppingAsARunWideCallbackStartsAfreshEachPhase() {
        Callback es = EarlyStopping.onValLoss(1).callback();
        assertEquals(Decision.STOP_PHASE, run(es, new FakeControl(), 1.0, 2.0).get(1));
        assertEquals(List.of(Decision.CONTINUE, Decision.CONTINUE), run(es, new FakeControl(), 3.0, 2.0));
        assertEquals(java.util.Set.of(Metric.VAL_LOSS), es.requiredMetrics());
    }

    @Test
    void earlyStoppingWithoutRestoreKeepsLastWeights() {
        FakeControl c = new FakeControl();
        EarlyStopper es = new EarlyStopper(new EarlyStopping(Monitor.valLoss(), 0, Double.NaN, false));
        run(es, c, 1.0, 2.0);
        assertEquals(2.0, c.params);
    }

    @Test
    void baselineMustBeBeaten() {
        FakeControl c = new FakeControl();
        EarlyStopper es = new EarlyStopper(new EarlyStopping(Monitor.of(Metric.VAL_ACCURACY), 2, 0.9, false));
        // accuracy 0.1, 0.2, 0.15, 0.15: the improvements never beat 0.9, so they do not reset patience and
        // the first flat epoch (3) stops the phase; without the baseline it would stop at epoch 4
        List<Decision> d = run(es, c, 0.9, 0.8, 0.85, 0.85);
        assertEquals(List.of(Decision.CONTINUE, Decision.CONTINUE, Decision.STOP_PHASE), d);
        EarlyStopper plain = new EarlyStopper(new EarlyStopping(Monitor.of(Metric.VAL_ACCURACY), 2, Double.NaN,
                false));
        assertEquals(4, run(plain, new FakeControl(), 0.9, 0.8, 0.85, 0.85).size());
    }

    @Test
    void earlyStoppingStateSurvivesARestart() {
        FakeControl c = new FakeControl();
        EarlyStopper a = new EarlyStopper(EarlyStopping.onValLoss(2));
        a.onPhaseBegin("p", c);
        a.onEpochEnd(epoch(1, 1.0, 0), c);
        a.onEpochEnd(epoch(2, 1.1, 0), c);
        EarlyStopper b = new EarlyStopper(EarlyStopping.onValLoss(2));
        b.restoreState(a.state());
        assertEquals(Decision.STOP_PHASE, b.onEpochEnd(epoch(3, 1.2, 0), c), "counter carried over");
    }

    @Test
    void reduceLrOnPlateauScalesAndCoolsDown() {
        FakeControl c = new FakeControl();
        ReduceLrOnPlateau r = new ReduceLrOnPlateau(Monitor.valLoss(), 0.5, 1, 1, 0.02);
        run(r, c, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);
        // epoch 2 reduces (0.1 -> 0.05), epoch 3 is cooldown, epoch 4 reduces (-> 0.025), 5 cooldown,
        // epoch 6 would go to 0.0125 but the floor is 0.02
        assertEquals(0.2, c.factor, 1e-12);
        assertEquals(0.02, c.scheduled * c.factor, 1e-12);
    }

    @Test
    void checkpointBestOnlyWritesOnImprovement(@TempDir Path dir) throws Exception {
        FakeControl c = new FakeControl();
        ModelCheckpoint mc = ModelCheckpoint.bestOnly(dir.resolve("best.t4j"), Monitor.of(Metric.VAL_ACCURACY));
        run(mc, c, 0.5, 0.7, 0.3, 0.4);
        assertEquals(2, c.saved.size(), "saved at epochs 1 and 3");
        assertEquals("params=3.0", Files.readString(dir.resolve("best.t4j")));
        assertEquals(0.7, mc.best(), 1e-12);
    }

    @Test
    void checkpointEveryEpochExpandsThePattern(@TempDir Path dir) throws Exception {
        FakeControl c = new FakeControl();
        run(ModelCheckpoint.everyEpoch(dir.resolve("ckpt-{phase}-{epoch}.t4j")), c, 0.5, 0.7);
        assertTrue(Files.exists(dir.resolve("ckpt-p-1.t4j")));
        assertEquals("params=2.0", Files.readString(dir.resolve("ckpt-p-2.t4j")));
    }

    @Test
    void csvLoggerWritesTheHistorySoFar(@TempDir Path dir) throws Exception {
        FakeControl c = new FakeControl();
        run(new CsvLogger(dir.resolve("log.csv")), c, 0.5, 0.25);
        List<String> lines = Files.readAllLines(dir.resolve("log.csv"));
        assertEquals("phase,epoch,loss,val_loss,val_accuracy,lr,seconds,images_per_second", lines.get(0));
        assertEquals(3, lines.size());
        assertTrue(lines.get(2).startsWith("p,2,1.0,0.25,0.75,"), lines.get(2));
    }

    @Test
    void terminateOnNaNStopsTheRun() {
        TerminateOnNaN t = new TerminateOnNaN();
        FakeControl c = new FakeControl();
        assertEquals(Decision.CONTINUE, t.onBatchEnd(new BatchEnd("p", 1, 1, 1, 2, 0.5, 0.1, 8, 1), c));
        assertEquals(Decision.STOP_TRAINING, t.onBatchEnd(new BatchEnd("p", 1, 1, 2, 2, Double.NaN, 0.1, 16, 2), c));
        assertEquals(Decision.STOP_TRAINING, Decision.STOP_PHASE.and(Decision.STOP_TRAINING));
        assertEquals(Decision.STOP_PHASE, Decision.STOP_PHASE.and(Decision.CONTINUE));
    }

    @Test
    void historyRoundTripsThroughJsonIncludingNaN() throws Exception {
        EpochRecord a = new EpochRecord("head", 1, 0.9, Double.NaN, Map.of(), 1e-3, 2.5, 100);
        EpochRecord b = new EpochRecord("fine, tune", 1, 0.5, 0.4, Map.of(Metric.VAL_ACCURACY, 0.8,
                Metric.VAL_ROC_AUC, 0.9), 1e-5, 3, 90);
        History h = new History(List.of(a, b));
        History back = History.parseJson(h.toJson());
        assertEquals(h.epochs().get(1), back.epochs().get(1));
        assertTrue(Double.isNaN(back.epochs().get(0).valLoss()));
        assertTrue(h.toJson().contains("\"val_accuracy\""), h.toJson());
        String csv = h.toCsv();
        assertTrue(csv.startsWith("phase,epoch,loss,val_loss,val_accuracy,val_roc_auc,lr,"), csv);
        assertTrue(csv.contains("\n\"fine, tune\",1,0.5,0.4,0.8,0.9,1.0E-5,"), csv);
        assertTrue(csv.contains("\nhead,1,0.9,,,,0.001,"), csv);
    }
}
