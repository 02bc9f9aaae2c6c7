package io.transfer4j.training;

import java.util.Objects;

/**
 * What the callbacks watch: one metric, a direction and the smallest change that counts as an improvement.
 * Shared by {@link EarlyStopping}, {@link ModelCheckpoint} and {@link ReduceLrOnPlateau}, like Keras's
 * {@code monitor}/{@code mode}/{@code min_delta}.
 */
public record Monitor(Metric metric, Mode mode, double minDelta) {

    /** Direction of improvement. {@code AUTO} takes it from the metric (loss: min, accuracy and the rest: max). */
    public enum Mode { MIN, MAX, AUTO }

    public Monitor {
        Objects.requireNonNull(metric, "monitor metric is required");
        mode = mode == null ? Mode.AUTO : mode;
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new IllegalArgumentException("monitor minDelta must be a finite number >= 0; received " + minDelta);
        }
    }

    public static Monitor of(Metric metric) {
        return new Monitor(metric, Mode.AUTO, 0);
    }

    /** {@code val_loss}, minimised. */
    public static Monitor valLoss() {
        return of(Metric.VAL_LOSS);
    }

    public Monitor withMinDelta(double delta) {
        return new Monitor(metric, mode, delta);
    }

    /** The resolved direction: true when larger values are better. */
    public boolean maximise() {
        return switch (mode) {
            case MAX -> true;
            case MIN -> false;
            case AUTO -> metric.higherIsBetter();
        };
    }

    /** Whether {@code value} improves on {@code best} by more than minDelta (any finite value beats NaN). */
    public boolean improves(double value, double best) {
        if (Double.isNaN(value)) {
            return false;
        }
        if (Double.isNaN(best)) {
            return true;
        }
        return maximise() ? value - minDelta > best : value + minDelta < best;
    }
}
