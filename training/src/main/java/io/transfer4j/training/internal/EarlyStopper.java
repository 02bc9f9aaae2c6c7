package io.transfer4j.training.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.transfer4j.training.Callback;
import io.transfer4j.training.Decision;
import io.transfer4j.training.EarlyStopping;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.Metric;
import io.transfer4j.training.TrainingControl;

/**
 * A phase's {@link EarlyStopping} rule as a callback. Keras semantics: the phase stops when the monitor has not
 * improved by more than minDelta for {@code patience} epochs, or has not beaten the baseline in that time; with
 * restoreBest the best epoch's weights are put back when the phase ends.
 */
public final class EarlyStopper implements Callback {
    private static final String SNAPSHOT = "early-stopping-best";
    private final EarlyStopping rule;
    private final BestTracker tracker;
    private boolean stopped;
    private int lastEpoch;

    public EarlyStopper(EarlyStopping rule) {
        this.rule = rule;
        this.tracker = new BestTracker(rule.monitor());
    }

    @Override
    public String id() {
        return "EarlyStopping";
    }

    @Override
    public Set<Metric> requiredMetrics() {
        return Set.of(rule.monitor().metric());
    }

    @Override
    public void onPhaseBegin(String phase, TrainingControl control) {
        tracker.reset();
        stopped = false;
        lastEpoch = 0;
    }

    @Override
    public Decision onEpochEnd(EpochRecord record, TrainingControl control) {
        lastEpoch = record.epoch();
        // Keras semantics: an improving epoch never stops the phase; it resets the patience counter only when it
        // also beats the baseline. A non-improving epoch stops the phase once patience epochs have passed.
        double value = record.value(rule.monitor().metric());
        int waitedBefore = tracker.waited();
        if (tracker.update(value, record.epoch())) {
            if (!Double.isNaN(rule.baseline()) && !rule.monitor().improves(value, rule.baseline())) {
                tracker.setWait(waitedBefore + 1);
            }
            if (rule.restoreBest()) {
                control.storeSnapshot(SNAPSHOT);
            }
            return Decision.CONTINUE;
        }
        if (tracker.waited() >= rule.patience()) {
            stopped = true;
            return Decision.STOP_PHASE;
        }
        return Decision.CONTINUE;
    }

    @Override
    public void onPhaseEnd(String phase, TrainingControl control) {
        if (rule.restoreBest() && tracker.bestEpoch() > 0
                && tracker.bestEpoch() != lastEpoch) {
            control.restoreSnapshot(SNAPSHOT);
        }
    }

    /** Whether the rule ended the phase. */
    public boolean stopped() {
        return stopped;
    }

    public int bestEpoch() {
        return tracker.bestEpoch();
    }

    @Override
    public Map<String, Double> state() {
        Map<String, Double> m = new HashMap<>(tracker.state(""));
        m.put("stopped", stopped ? 1.0 : 0.0);
        m.put("lastEpoch", (double) lastEpoch);
        return m;
    }

    @Override
    public void restoreState(Map<String, Double> state) {
        tracker.restore(state, "");
        stopped = state.getOrDefault("stopped", 0.0) != 0;
        lastEpoch = state.getOrDefault("lastEpoch", 0.0).intValue();
    }
}
