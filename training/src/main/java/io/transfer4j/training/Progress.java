package io.transfer4j.training;

/**
 * Where training stands inside one phase: the input of every {@link LrSchedule}.
 *
 * @param epoch           0-based epoch within the phase
 * @param batch           0-based batch within the epoch
 * @param batchesPerEpoch batches in one epoch (>= 1)
 * @param totalEpochs     the phase's maximum number of epochs (>= 1)
 */
public record Progress(int epoch, int batch, int batchesPerEpoch, int totalEpochs) {
    public Progress {
        if (batchesPerEpoch < 1) {
            throw new IllegalArgumentException("batchesPerEpoch must be >= 1; received " + batchesPerEpoch);
        }
        if (totalEpochs < 1) {
            throw new IllegalArgumentException("totalEpochs must be >= 1; received " + totalEpochs);
        }
        if (epoch < 0 || batch < 0) {
            throw new IllegalArgumentException("epoch and batch must be >= 0; received epoch " + epoch + ", batch "
                    + batch);
        }
    }

    /** The start of a phase. */
    public static Progress start(int batchesPerEpoch, int totalEpochs) {
        return new Progress(0, 0, batchesPerEpoch, totalEpochs);
    }

    /** Epochs done so far, fractional: 2.5 is half-way through the third epoch. */
    public double epochs() {
        return epoch + batch / (double) batchesPerEpoch;
    }

    /** Fraction of the phase done, in [0, 1]. */
    public double fraction() {
        return Math.min(1.0, epochs() / totalEpochs);
    }

    /** Iterations (batches) done since the phase began. */
    public long iteration() {
        return (long) epoch * batchesPerEpoch + batch;
    }

    /** Total iterations in the phase. */
    public long totalIterations() {
        return (long) totalEpochs * batchesPerEpoch;
    }
}
