package io.transfer4j.training;

/**
 * What a callback sees after each training batch (a progress bar's input).
 *
 * @param phase           the phase's name
 * @param epoch           1-based epoch within the phase
 * @param maxEpochs       the phase's maximum epochs
 * @param batch           1-based batch within the epoch
 * @param batchesPerEpoch batches per epoch (as counted in the first epoch)
 * @param loss            this batch's loss
 * @param lr              the base learning rate used for this batch
 * @param examples        training examples seen so far in this epoch
 * @param elapsedSeconds  seconds since the epoch began
 */
public record BatchEnd(String phase, int epoch, int maxEpochs, int batch, int batchesPerEpoch, double loss, double lr,
                       long examples, double elapsedSeconds) {

    /** Estimated seconds left in this epoch. */
    public double etaSeconds() {
        return batch == 0 ? Double.NaN : elapsedSeconds / batch * Math.max(0, batchesPerEpoch - batch);
    }

    public double imagesPerSecond() {
        return elapsedSeconds <= 0 ? Double.NaN : examples / elapsedSeconds;
    }
}
