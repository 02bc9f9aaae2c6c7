package io.transfer4j.training.tune;

/** How a trial ended. */
public enum TrialStatus {
    /** Trained to the end of its plan (early stopping included). */
    COMPLETED,
    /** Stopped at a rung by the {@link Pruner}. */
    PRUNED,
    /** Diverged (NaN/infinite loss), ran out of memory or failed otherwise; {@link TrialRecord#error()} says why. */
    FAILED
}
