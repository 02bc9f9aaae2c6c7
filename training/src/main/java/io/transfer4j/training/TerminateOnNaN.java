package io.transfer4j.training;

/**
 * Stops the run at the first batch whose loss is NaN or infinite (Keras's {@code TerminateOnNaN}). The
 * {@link FineTuner} always includes it; the run then ends with a {@link TrainingDivergedException} naming the
 * epoch, batch and learning rate, and the last good checkpoint stays as it was.
 */
public final class TerminateOnNaN implements Callback {
    @Override
    public Decision onBatchEnd(BatchEnd batch, TrainingControl control) {
        return Double.isFinite(batch.loss()) ? Decision.CONTINUE : Decision.STOP_TRAINING;
    }
}
