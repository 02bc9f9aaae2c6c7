package io.transfer4j.training.tune;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of {@link Tuner#run()}: every trial of the search directory (earlier runs included), the best
 * completed one by the objective, why the search stopped, and how the feature caches were shared.
 *
 * @param trials      every recorded trial, by id
 * @param best        the best COMPLETED trial (empty if none completed)
 * @param stopReason  why the search ended: {@code TRIALS} (trial budget reached), {@code TIME} (time budget),
 *                    {@code EXHAUSTED} (the grid has no more points)
 * @param cacheBuilds feature caches built by this run (a training cache and its validation cache count once)
 * @param cacheReuses times a trial phase took a cache an earlier trial built
 * @param seconds     wall time of this run
 * @param dir         the search directory
 */
public record SearchResult(List<TrialRecord> trials, Optional<TrialRecord> best, String stopReason, int cacheBuilds,
                           int cacheReuses, double seconds, Path dir) {
    public SearchResult {
        trials = List.copyOf(trials);
    }
}
