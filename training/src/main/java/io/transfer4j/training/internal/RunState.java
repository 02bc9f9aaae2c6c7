package io.transfer4j.training.internal;

import java.util.List;
import java.util.Map;

import io.transfer4j.training.EpochRecord;

/**
 * Everything besides arrays that a checkpoint holds, written as {@code state.json}.
 *
 * @param formatVersion   the checkpoint format version
 * @param planHash        SHA-256 of the plan's JSON form (a resumed run must use the same plan)
 * @param seed            the run's seed; with phase and epoch it determines every random stream
 * @param dataFingerprint fingerprint of the training data seen when the run began
 * @param phaseIndex      the phase in progress (0-based); equal to the phase count when the plan is done
 * @param epochsDone      epochs completed in that phase
 * @param phaseStopped    a callback ended the phase after the last completed epoch (its end still has to run)
 * @param lrFactor        the ReduceLROnPlateau factor of the phase
 * @param batchesPerEpoch batches per epoch of the phase (0 before its first epoch)
 * @param callbackStates  each stateful callback's state by id
 * @param history         all epochs so far
 * @param hasUpdater      whether an updater state file is stored (a phase in progress)
 * @param iterations      the trained graph's iteration count (Adam's bias correction depends on it)
 */
public record RunState(int formatVersion, String planHash, long seed, String dataFingerprint, int phaseIndex,
                       int epochsDone, boolean phaseStopped, double lrFactor, int batchesPerEpoch,
                       Map<String, Map<String, Double>> callbackStates, List<EpochRecord> history,
                       boolean hasUpdater, long iterations) {
    public static final int FORMAT_VERSION = 1;

    public RunState {
        callbackStates = Map.copyOf(callbackStates);
        history = List.copyOf(history);
    }
}
