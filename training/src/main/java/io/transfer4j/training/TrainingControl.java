package io.transfer4j.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What callbacks may read and do while a run is in progress. Implemented by the {@link FineTuner}. */
public interface TrainingControl {

    /** The current phase's name. */
    String phase();

    /** The history so far, all phases. */
    List<EpochRecord> history();

    /** The learning rate the phase's schedule gives now, before any plateau factor. */
    double scheduledLr();

    /** The factor applied to the scheduled learning rate (1 at the start of each phase). */
    double lrFactor();

    /** Sets the factor applied to the scheduled learning rate for the rest of the phase. */
    void setLrFactor(double factor);

    /** Writes the current model as a bundle, atomically. */
    void saveModel(Path file) throws IOException;

    /** Remembers the current parameters under {@code key} (in the run directory when there is one). */
    void storeSnapshot(String key);

    /** Puts back parameters stored with {@link #storeSnapshot}; false when there is none under that key. */
    boolean restoreSnapshot(String key);

    /** The run directory, when the run has one. */
    Optional<Path> runDir();
}
