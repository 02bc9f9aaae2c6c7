package io.transfer4j.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;

/**
 * What a run produced.
 *
 * @param history     every epoch of every phase
 * @param model       the trained model (with each phase's best weights where its early stopping restores them)
 * @param testMetrics metrics on the test set with the final model, or null without a test set
 * @param stopReason  why the run ended
 * @param runDir      the run directory, or null for runs without one
 */
public record TrainingResult(List<EpochRecord> history, TransferModel model, Metrics testMetrics,
                             StopReason stopReason, Path runDir) {

    /** The final model's file name in a run directory. */
    public static final String MODEL_FILE = "model.t4j";

    /** Why a run ended. */
    public enum StopReason {
        /** Every phase ran (each to its epochs or its early stop). */
        COMPLETED,
        /** A callback ended the run early. */
        STOPPED_BY_CALLBACK
    }

    public TrainingResult {
        history = List.copyOf(history);
    }

    public Optional<Metrics> test() {
        return Optional.ofNullable(testMetrics);
    }

    /** The history as a value with its CSV and JSON forms. */
    public History historyTable() {
        return new History(history);
    }

    /**
     * Writes the run's results into {@code dir}: {@code history.csv}, {@code history.json} and the model bundle
     * {@code model.t4j} (with the history inside), each atomically. A run with a run directory does this itself
     * when it ends; a caller without one (a run that keeps no checkpoints) calls it to get the same files.
     */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        historyTable().write(dir);
        ModelBundle.save(model, dir.resolve(MODEL_FILE), new BundleExtras(null, historyTable().toJson(), false));
    }
}
