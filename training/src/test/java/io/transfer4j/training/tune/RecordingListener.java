package io.transfer4j.training.tune;

import java.util.ArrayList;
import java.util.List;

/** Notes which trials a search started and which it skipped as already recorded. */
final class RecordingListener implements TrialListener {
    final List<Integer> started = new ArrayList<>();
    final List<Integer> skipped = new ArrayList<>();

    @Override
    public void trialStarted(int id, int of, TrialParams params) {
        started.add(id);
    }

    @Override
    public void trialSkipped(TrialRecord record) {
        skipped.add(record.id());
    }
}
