package io.transfer4j.training;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One epoch of history.
 *
 * @param phase           the phase's name
 * @param epoch           1-based epoch within the phase
 * @param loss            mean training loss over the epoch's batches (with class weights, as optimised)
 * @param valLoss         validation loss, NaN without a validation set
 * @param metrics         the other metrics of this epoch: training {@code accuracy} (from each batch's training
 *                        forward pass, before its update, as Keras reports it) and the validation metrics (none
 *                        without a validation set)
 * @param lr              the base learning rate at the end of the epoch (before group multipliers)
 * @param seconds         wall time of the epoch including validation
 * @param imagesPerSecond training examples per second
 */
public record EpochRecord(String phase, int epoch, double loss, double valLoss, Map<Metric, Double> metrics,
                          double lr, double seconds, double imagesPerSecond) {

    public EpochRecord {
        EnumMap<Metric, Double> copy = new EnumMap<>(Metric.class);
        if (metrics != null) {
            copy.putAll(metrics);
        }
        metrics = Collections.unmodifiableMap(copy);
    }

    /** Any metric of this epoch, NaN when it was not computed. */
    public double value(Metric metric) {
        return switch (metric) {
            case LOSS -> loss;
            case VAL_LOSS -> valLoss;
            default -> metrics.getOrDefault(metric, Double.NaN);
        };
    }
}
