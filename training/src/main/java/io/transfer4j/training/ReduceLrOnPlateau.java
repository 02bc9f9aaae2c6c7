package io.transfer4j.training;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.transfer4j.training.internal.BestTracker;

/**
 * Keras's {@code ReduceLROnPlateau}: when the monitor has not improved for {@code patience} epochs, multiply the
 * learning rate by {@code factor} (never below {@code minLr}), then wait {@code cooldown} epochs. Acts on the
 * phase's schedule through a factor; the factor and counters start afresh with each phase.
 */
public final class ReduceLrOnPlateau implements Callback {
    private final double factor;
    private final int patience;
    private final int cooldown;
    private final double minLr;
    private final BestTracker tracker;
    private int cooldownLeft;

    public ReduceLrOnPlateau(Monitor monitor, double factor, int patience, int cooldown, double minLr) {
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("ReduceLrOnPlateau factor must be in (0, 1); received " + factor);
        }
        if (patience < 0 || cooldown < 0) {
            throw new IllegalArgumentException("ReduceLrOnPlateau patience and cooldown must be >= 0; received "
                    + patience + " and " + cooldown);
        }
        if (!(minLr >= 0) || Double.isInfinite(minLr)) {
            throw new IllegalArgumentException("ReduceLrOnPlateau minLr must be finite and >= 0; received " + minLr);
        }
        this.factor = factor;
        this.patience = patience;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.tracker = new BestTracker(monitor);
    }

    /** Keras's defaults: factor 0.1, patience 10, no cooldown, no floor. */
    public static ReduceLrOnPlateau of(Monitor monitor) {
        return new ReduceLrOnPlateau(monitor, 0.1, 10, 0, 0);
    }

    @Override
    public Set<Metric> requiredMetrics() {
        return Set.of(tracker.monitor().metric());
    }

    @Override
    public void onPhaseBegin(String phase, TrainingControl control) {
        tracker.reset();
        cooldownLeft = 0;
    }

    @Override
    public Decision onEpochEnd(EpochRecord record, TrainingControl control) {
        // Keras's order: leave cooldown first (no patience counted in it), then compare, then maybe reduce
        if (cooldownLeft > 0) {
            cooldownLeft--;
            tracker.setWait(0);
        }
        boolean improved = tracker.update(record.value(tracker.monitor().metric()), record.epoch());
        if (improved) {
            return Decision.CONTINUE;
        }
        if (cooldownLeft > 0) {
            tracker.setWait(0);
            return Decision.CONTINUE;
        }
        if (tracker.waited() >= patience) {
            double current = control.scheduledLr() * control.lrFactor();
            double next = Math.max(current * factor, minLr);
            if (next < current) {
                control.setLrFactor(control.lrFactor() * next / current);
            }
            cooldownLeft = cooldown;
            tracker.setWait(0);
        }
        return Decision.CONTINUE;
    }

    @Override
    public Map<String, Double> state() {
        Map<String, Double> m = new HashMap<>(tracker.state(""));
        m.put("cooldownLeft", (double) cooldownLeft);
        return m;
    }

    @Override
    public void restoreState(Map<String, Double> state) {
        tracker.restore(state, "");
        cooldownLeft = state.getOrDefault("cooldownLeft", 0.0).intValue();
    }
}
