package io.transfer4j.training.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.Callback;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.History;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.internal.AtomicFiles;

/**
 * Everything a run keeps in its run directory, and the only code that reads it back: {@code run.json} and
 * {@code initial-model.t4j} when the run begins, a checkpoint (see {@link RunDirectory}) plus the history at
 * every epoch end ({@link #epochEnd}) and phase end ({@link #phaseEnd}), and {@code model.t4j} with the history when
 * it finishes. What a checkpoint keeps at each of the two moments is decided here, not in the training loop. Without
 * a run directory every write is skipped and nothing is resumed.
 *
 * <p>{@link #resume()} returns the last checkpoint only if it belongs to this run (same plan, seed and data);
 * turning it back into a training position is the {@link Engine}'s job, done once before its loop starts.
 */
final class CheckpointStore {
    /** What identifies a run: a checkpoint of another plan, seed or data set is refused. */
    record RunIdentity(String planHash, long seed, String dataFingerprint) {
    }

    /**
     * Where the training loop stands when it checkpoints, and the live objects a checkpoint is taken from. The
     * loop hands over everything; {@link #epochEnd} and {@link #phaseEnd} decide what of it is kept.
     *
     * @param phase          the phase in progress (at a phase end: the next phase; the phase count when done)
     * @param epochsDone     epochs completed in that phase
     * @param stopped        a callback ended the phase after its last completed epoch
     * @param lrFactor       the ReduceLROnPlateau factor of the phase
     * @param batchesPerEpoch batches per epoch of the phase that just ran
     * @param history        all epochs so far
     * @param model          the model's graph (its parameters are saved)
     * @param phaseGraph     the graph the phase trains (the model's, or a head graph on cached features): its
     *                       optimiser state and iteration count
     * @param phaseCallbacks the phase's callbacks (user callbacks plus the phase's own, e.g. early stopping)
     * @param runCallbacks   the run-long (user) callbacks
     * @param snapshots      best-weights snapshots of the phase's callbacks
     */
    record Moment(int phase, int epochsDone, boolean stopped, double lrFactor, int batchesPerEpoch,
                  List<EpochRecord> history, ComputationGraph model, ComputationGraph phaseGraph,
                  List<Callback> phaseCallbacks, List<Callback> runCallbacks,
                  Map<String, Map<String, INDArray>> snapshots) {
    }

    private final Path dir;
    private final RunDirectory checkpoints;
    private final RunIdentity identity;

    CheckpointStore(Path dir, RunIdentity identity) {
        this.dir = dir;
        this.checkpoints = dir == null ? null : new RunDirectory(dir);
        this.identity = identity;
    }

    /** The run directory, if any. */
    Optional<Path> dir() {
        return Optional.ofNullable(dir);
    }

    boolean hasCheckpoint() {
        return checkpoints != null && checkpoints.hasCheckpoint();
    }

    /** The last checkpoint of this run, checked against its identity; empty when there is none. */
    Optional<RunDirectory.Checkpoint> resume() {
        if (!hasCheckpoint()) {
            return Optional.empty();
        }
        try {
            RunDirectory.Checkpoint c = checkpoints.read().orElseThrow();
            RunState s = c.state();
            if (!s.planHash().equals(identity.planHash())) {
                throw new IllegalArgumentException("run directory " + dir + " holds a run of a different "
                        + "plan; resume it with the plan it was started with (run.json) or use a new directory");
            }
            if (s.seed() != identity.seed()) {
                throw new IllegalArgumentException("run directory " + dir + " was started with seed "
                        + s.seed() + ", not " + identity.seed() + "; resume with the same seed or use a new directory");
            }
            if (!s.dataFingerprint().equals(identity.dataFingerprint())) {
                throw new IllegalArgumentException("the training data changed since run " + dir
                        + " began (fingerprint " + s.dataFingerprint() + " then, " + identity.dataFingerprint()
                        + " now); resume with the same data or start a new run directory");
            }
            return Optional.of(c);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the checkpoint in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes what a fresh run starts from: {@code run.json} (how to resume it) and the initial model. */
    void begin(byte[] runJson, TransferModel model, BundleExtras extras) {
        if (dir == null) {
            return;
        }
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve("run.json"), out -> out.write(runJson));
            ModelBundle.save(model, dir.resolve("initial-model.t4j"), extras);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write to run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checkpoints an epoch end: the phase may go on, so the optimiser state, the iteration count (Adam's bias
     * correction), the snapshots and every phase callback's state are kept, and a resumed run continues the phase
     * exactly where this one stood.
     */
    void epochEnd(Moment m) {
        if (dir == null) {
            return;
        }
        // the live state, not a copy: the write is synchronous (a copy of Adam's state for VGG16 was 1 GiB)
        save(m, m.phaseCallbacks(), m.phaseGraph().getUpdater().getStateViewArray(),
                m.phaseGraph().getConfiguration().getIterationCount(), m.snapshots());
    }

    /**
     * Checkpoints a phase boundary ({@code m.phase()} is the phase about to start): the next phase starts its
     * optimiser, iteration count, snapshots and per-phase callbacks afresh, so only the parameters and the run-long
     * callbacks' states are kept.
     */
    void phaseEnd(Moment m) {
        if (dir == null) {
            return;
        }
        save(m, m.runCallbacks(), null, 0, Map.of());
    }

    /** Writes a checkpoint (made current atomically) and the history so far. */
    private void save(Moment m, List<Callback> owners, INDArray updater, long iterations,
                      Map<String, Map<String, INDArray>> snapshots) {
        Map<String, Map<String, Double>> states = new LinkedHashMap<>();
        for (Callback c : owners) {
            Map<String, Double> s = c.state();
            if (!s.isEmpty()) {
                states.put(c.id(), s);
            }
        }
        RunState state = new RunState(RunState.FORMAT_VERSION, identity.planHash(), identity.seed(),
                identity.dataFingerprint(), m.phase(), m.epochsDone(), m.stopped(), m.lrFactor(), m.batchesPerEpoch(),
                states, m.history(), updater != null, iterations);
        try {
            // the model's live parameters: RunDirectory copies (and frees) one array at a time where it must,
            // instead of a copy of the whole model left to the garbage collector (VGG16: 512 MiB per epoch)
            checkpoints.write(new RunDirectory.Checkpoint(state, m.model().paramTable(), updater, snapshots));
            new History(state.history()).write(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write a checkpoint to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes the history and the final {@code model.t4j} (through {@link TrainingResult#save}, their one writer). */
    void finish(TrainingResult result) {
        if (dir == null) {
            return;
        }
        try {
            result.save(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the final model to " + dir + ": " + e.getMessage(), e);
        }
    }
}
