package io.transfer4j.training;

import java.util.Map;
import java.util.Set;

/**
 * Reacts to training events and returns a {@link Decision}; never uses exceptions to steer training.
 * A callback with state (best value, patience counter ...) exposes it through {@link #state()} so a resumed run
 * continues with the same counters.
 */
public interface Callback {

    /** A stable name for this callback's entry in the checkpoint (unique within one run). */
    default String id() {
        return getClass().getSimpleName();
    }

    default void onPhaseBegin(String phase, TrainingControl control) {
    }

    default Decision onBatchEnd(BatchEnd batch, TrainingControl control) {
        return Decision.CONTINUE;
    }

    default Decision onEpochEnd(EpochRecord record, TrainingControl control) {
        return Decision.CONTINUE;
    }

    default void onPhaseEnd(String phase, TrainingControl control) {
    }

    /** Metrics this callback reads; checked against what the run computes before training starts. */
    default Set<Metric> requiredMetrics() {
        return Set.of();
    }

    /** The callback's state, for the checkpoint. */
    default Map<String, Double> state() {
        return Map.of();
    }

    /** Restores a state returned by {@link #state()}. */
    default void restoreState(Map<String, Double> state) {
    }
}
