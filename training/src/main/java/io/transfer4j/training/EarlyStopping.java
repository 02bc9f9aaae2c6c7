package io.transfer4j.training;

import java.util.Objects;

/**
 * A phase's early stopping rule (Keras's {@code EarlyStopping}).
 *
 * @param monitor     what to watch
 * @param patience    epochs without improvement before the phase stops (>= 0)
 * @param baseline    a value the monitor must beat (NaN for none); the phase stops after {@code patience} epochs
 *                    that do not beat it
 * @param restoreBest at the end of the phase, put back the weights of the best epoch
 */
public record EarlyStopping(Monitor monitor, int patience, double baseline, boolean restoreBest) {

    public EarlyStopping {
        Objects.requireNonNull(monitor, "early stopping needs a monitor");
        if (patience < 0) {
            throw new IllegalArgumentException("early stopping patience must be >= 0; received " + patience);
        }
        if (Double.isInfinite(baseline)) {
            throw new IllegalArgumentException("early stopping baseline must be finite or NaN (none); received "
                    + baseline);
        }
    }

    /** Stop after {@code patience} epochs without val_loss improvement, restoring the best weights. */
    public static EarlyStopping onValLoss(int patience) {
        return new EarlyStopping(Monitor.valLoss(), patience, Double.NaN, true);
    }

    /**
     * This rule as a run-wide callback (Keras style): it applies to every phase, starting afresh in each, and ends
     * the phase it stops in. A phase's own {@code earlyStopping} does the same for that phase only.
     */
    public Callback callback() {
        return new io.transfer4j.training.internal.EarlyStopper(this);
    }

    public static EarlyStopping of(Monitor monitor, int patience) {
        return new EarlyStopping(monitor, patience, Double.NaN, true);
    }
}
