package io.transfer4j.training.internal;

import java.util.HashMap;
import java.util.Map;

import io.transfer4j.training.Monitor;

/** The best value seen of a monitor and the epochs since it improved; shared by the monitoring callbacks. */
public final class BestTracker {
    private final Monitor monitor;
    private double best = Double.NaN;
    private int wait;
    private int bestEpoch;

    public BestTracker(Monitor monitor) {
        this.monitor = monitor;
    }

    /** Records one epoch's value; returns true when it improved on the best. */
    public boolean update(double value, int epoch) {
        if (monitor.improves(value, best)) {
            best = value;
            bestEpoch = epoch;
            wait = 0;
            return true;
        }
        wait++;
        return false;
    }

    public double best() {
        return best;
    }

    public int waited() {
        return wait;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public Monitor monitor() {
        return monitor;
    }

    public void setWait(int epochs) {
        wait = epochs;
    }

    public void reset() {
        best = Double.NaN;
        wait = 0;
        bestEpoch = 0;
    }

    public Map<String, Double> state(String prefix) {
        Map<String, Double> m = new HashMap<>();
        m.put(prefix + "best", best);
        m.put(prefix + "wait", (double) wait);
        m.put(prefix + "bestEpoch", (double) bestEpoch);
        return m;
    }

    public void restore(Map<String, Double> state, String prefix) {
        best = state.getOrDefault(prefix + "best", Double.NaN);
        wait = state.getOrDefault(prefix + "wait", 0.0).intValue();
        bestEpoch = state.getOrDefault(prefix + "bestEpoch", 0.0).intValue();
    }
}
