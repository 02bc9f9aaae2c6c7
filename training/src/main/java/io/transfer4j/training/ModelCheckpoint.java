package io.transfer4j.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.transfer4j.training.internal.BestTracker;

/**
 * Saves the model as a bundle after an epoch, atomically (temp file + move, so a kill never leaves a broken
 * file). {@code bestOnly}: only when the monitor improves, always to the same file. Otherwise every epoch; the
 * file name may contain {@code {phase}} and {@code {epoch}}, e.g. {@code ckpt-{phase}-{epoch}.t4j}.
 */
public final class ModelCheckpoint implements Callback {
    private final Path file;
    private final boolean bestOnly;
    private final BestTracker tracker;

    private ModelCheckpoint(Path file, Monitor monitor, boolean bestOnly) {
        this.file = Objects.requireNonNull(file, "checkpoint file is required");
        this.bestOnly = bestOnly;
        this.tracker = monitor == null ? null : new BestTracker(monitor);
    }

    /** Keeps the best model by {@code monitor} in {@code file}. */
    public static ModelCheckpoint bestOnly(Path file, Monitor monitor) {
        return new ModelCheckpoint(file, Objects.requireNonNull(monitor, "best-only checkpoints need a monitor"),
                true);
    }

    /** Writes a bundle every epoch; put {@code {phase}} and {@code {epoch}} in the name to keep them all. */
    public static ModelCheckpoint everyEpoch(Path file) {
        return new ModelCheckpoint(file, null, false);
    }

    @Override
    public String id() {
        return "ModelCheckpoint:" + file.getFileName();
    }

    @Override
    public Set<Metric> requiredMetrics() {
        return tracker == null ? Set.of() : Set.of(tracker.monitor().metric());
    }

    @Override
    public Decision onEpochEnd(EpochRecord record, TrainingControl control) {
        boolean save = !bestOnly || tracker.update(record.value(tracker.monitor().metric()), record.epoch());
        if (save) {
            Path target = file.resolveSibling(file.getFileName().toString()
                    .replace("{phase}", record.phase()).replace("{epoch}", Integer.toString(record.epoch())));
            try {
                control.saveModel(target);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write checkpoint " + target + ": " + e.getMessage(), e);
            }
        }
        return Decision.CONTINUE;
    }

    /** The best monitored value so far (NaN for every-epoch checkpoints). */
    public double best() {
        return tracker == null ? Double.NaN : tracker.best();
    }

    @Override
    public Map<String, Double> state() {
        return tracker == null ? Map.of() : tracker.state("");
    }

    @Override
    public void restoreState(Map<String, Double> state) {
        if (tracker != null) {
            tracker.restore(state, "");
        }
    }
}
