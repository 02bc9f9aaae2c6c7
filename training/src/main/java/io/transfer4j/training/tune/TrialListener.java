package io.transfer4j.training.tune;

import io.transfer4j.training.EpochRecord;

/** Told what a search does, e.g. to print progress; every method does nothing by default. */
public interface TrialListener {
    /** Trial {@code id} starts ({@code of} is the budget's trial count, or -1 with a time budget only). */
    default void trialStarted(int id, int of, TrialParams params) {
    }

    /** An epoch of the running trial ended. */
    default void epochEnded(int id, EpochRecord epoch) {
    }

    /** A trial finished and its row was written. */
    default void trialEnded(TrialRecord record) {
    }

    /** A trial that finished in an earlier run of the search directory is skipped (resume). */
    default void trialSkipped(TrialRecord record) {
    }
}
