package io.transfer4j.training.tune;

import java.util.List;
import java.util.Map;

import io.transfer4j.training.EpochRecord;

/**
 * One row of a search: a finished trial (completed, pruned or failed), as a line of {@code trials.jsonl}.
 *
 * @param id          the trial's index (0-based; grid point or random draw number)
 * @param params      the values it ran with (search space order)
 * @param status      how it ended
 * @param history     one record per epoch trained (the training module's one history type)
 * @param objective   the best value of the search's objective over the history (NaN if none: failed before an
 *                    epoch ended)
 * @param bestEpoch   the 1-based position in {@code history} where {@code objective} was reached (0 if none)
 * @param bestMetrics that epoch's values: {@code loss}, {@code val_loss} and every metric it recorded
 * @param seconds     wall time of the trial
 * @param error       why it failed (exception class and message), null unless FAILED
 */
public record TrialRecord(int id, Map<String, Object> params, TrialStatus status, List<EpochRecord> history,
                          double objective, int bestEpoch, Map<String, Double> bestMetrics, double seconds,
                          String error) {
    public TrialRecord {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        history = List.copyOf(history);
        bestMetrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(bestMetrics));
    }

    public TrialParams trialParams() {
        return new TrialParams(params);
    }
}
