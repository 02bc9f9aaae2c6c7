package io.transfer4j.training;

import java.util.List;

/**
 * The loss became NaN or infinite. The message names the phase, epoch, batch and learning rate; the run
 * directory's last checkpoint (from before the failing epoch) is left as it was, so a lower learning rate can be
 * tried from there.
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<EpochRecord> history;

    public TrainingDivergedException(String message, List<EpochRecord> history) {
        super(message);
        this.history = List.copyOf(history);
    }

    /** The epochs completed before the failure. */
    public List<EpochRecord> history() {
        return history;
    }
}
