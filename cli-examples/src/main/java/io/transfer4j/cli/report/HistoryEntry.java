package io.transfer4j.cli.report;

import java.util.Map;
import java.util.Objects;

/**
 * One epoch of training as the run report shows it; the same fields as training's {@code EpochRecord}.
 *
 * @param phase           the fine-tuning phase, e.g. {@code head} or {@code finetune-res5}
 * @param epoch           epoch number within the phase, from 1
 * @param loss            training loss
 * @param valLoss         validation loss ({@code NaN} when there is no validation data)
 * @param metrics         further metrics by Keras name: {@code accuracy}, {@code val_accuracy}, ...
 * @param lr              learning rate at the end of the epoch
 * @param seconds         wall-clock seconds of the epoch
 * @param imagesPerSecond training throughput
 */
public record HistoryEntry(String phase, int epoch, double loss, double valLoss, Map<String, Double> metrics,
                           double lr, double seconds, double imagesPerSecond) {

    public static final String ACCURACY = "accuracy";
    public static final String VAL_ACCURACY = "val_accuracy";

    public HistoryEntry {
        Objects.requireNonNull(phase, "phase");
        if (phase.isBlank() || phase.contains(",") || phase.contains("\n")) {
            throw new IllegalArgumentException("phase must be a non-blank name without commas or newlines; received '"
                    + phase + "'");
        }
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1; received " + epoch);
        }
        metrics = Map.copyOf(metrics);
    }

    /** The report's view of one epoch of training's history (metrics by their Keras-style keys). */
    public static HistoryEntry of(io.transfer4j.training.EpochRecord r) {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        r.metrics().forEach((k, v) -> m.put(k.key(), v));
        return new HistoryEntry(r.phase(), r.epoch(), r.loss(), r.valLoss(), m, r.lr(), r.seconds(),
                r.imagesPerSecond());
    }

    /** Training accuracy, {@code NaN} when not recorded. */
    public double accuracy() {
        return metrics.getOrDefault(ACCURACY, Double.NaN);
    }

    /** Validation accuracy, {@code NaN} when not recorded. */
    public double valAccuracy() {
        return metrics.getOrDefault(VAL_ACCURACY, Double.NaN);
    }
}
