package io.transfer4j.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A TrainingControl whose "parameters" are a single number, for callback tests. */
final class FakeControl implements TrainingControl {
    double params;
    double scheduled = 0.1;
    double factor = 1;
    final List<EpochRecord> history = new ArrayList<>();
    final Map<String, Double> snapshots = new HashMap<>();
    final List<Path> saved = new ArrayList<>();

    @Override
    public String phase() {
        return "p";
    }

    @Override
    public List<EpochRecord> history() {
        return history;
    }

    @Override
    public double scheduledLr() {
        return scheduled;
    }

    @Override
    public double lrFactor() {
        return factor;
    }

    @Override
    public void setLrFactor(double f) {
        factor = f;
    }

    @Override
    public void saveModel(Path file) throws IOException {
        Files.writeString(file, "params=" + params);
        saved.add(file);
    }

    @Override
    public void storeSnapshot(String key) {
        snapshots.put(key, params);
    }

    @Override
    public boolean restoreSnapshot(String key) {
        Double v = snapshots.get(key);
        if (v != null) {
            params = v;
        }
        return v != null;
    }

    @Override
    public Optional<Path> runDir() {
        return Optional.empty();
    }

    static EpochRecord epoch(int e, double valLoss, double valAcc) {
        return new EpochRecord("p", e, 1.0, valLoss, Map.of(Metric.VAL_ACCURACY, valAcc), 0.1, 1, 10);
    }
}
