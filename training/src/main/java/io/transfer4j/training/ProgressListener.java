package io.transfer4j.training;

/**
 * Progress for a display (the CLI's bar): every batch, every epoch and every phase change. Never steers training;
 * use a {@link Callback} for that. Register with {@link FineTuner.Builder#progress(ProgressListener)}, which
 * replaces the default one line per epoch ({@link #epochLines}); {@link FineTuner.Builder#silent()} prints nothing.
 */
@FunctionalInterface
public interface ProgressListener {

    /** After every training batch: phase, epoch, batch of batches, loss, learning rate, images/s, ETA. */
    void onBatch(BatchEnd batch);

    /** After every epoch, with its history row. */
    default void onEpoch(EpochRecord record) {
    }

    /** When a phase starts. */
    default void onPhase(String phase) {
    }

    /**
     * One line per epoch on {@code out} (Keras' {@code verbose=2}): what {@link FineTuner} prints by default, on
     * {@code System.out}, until a listener is given or {@link FineTuner.Builder#silent()} is called.
     */
    static ProgressListener epochLines(java.io.PrintStream out) {
        return new io.transfer4j.training.internal.EpochLines(java.util.Objects.requireNonNull(out, "out"));
    }

    /** This listener as a callback that always continues. */
    default Callback asCallback() {
        ProgressListener self = this;
        return new Callback() {
            @Override
            public String id() {
                return "ProgressListener";
            }

            @Override
            public void onPhaseBegin(String phase, TrainingControl control) {
                self.onPhase(phase);
            }

            @Override
            public Decision onBatchEnd(BatchEnd batch, TrainingControl control) {
                self.onBatch(batch);
                return Decision.CONTINUE;
            }

            @Override
            public Decision onEpochEnd(EpochRecord record, TrainingControl control) {
                self.onEpoch(record);
                return Decision.CONTINUE;
            }
        };
    }
}
