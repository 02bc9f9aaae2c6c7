package io.transfer4j.training;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

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
}
