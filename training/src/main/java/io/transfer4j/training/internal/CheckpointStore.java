package io.transfer4j.training.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.History;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.internal.AtomicFiles;

/**
 * Everything a run keeps in its run directory, and the only code that reads it back: {@code run.json} and
 * {@code initial-model.t4j} when the run begins, a checkpoint (see {@link RunDirectory}) plus the history at
 * every epoch end and phase end, and {@code model.t4j} with the history when it finishes. Without a run directory
 * every write is skipped and nothing is resumed.
 *
 * <p>{@link #resume()} returns the last checkpoint only if it belongs to this run (same plan, seed and data);
 * turning it back into a training position is the {@link Engine}'s job, done once before its loop starts.
 */
final class CheckpointStore {
    /** What identifies a run: a checkpoint of another plan, seed or data set is refused. */
    record RunIdentity(String planHash, long seed, String dataFingerprint) {
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

    /** Writes a checkpoint (made current atomically) and the history so far. */
    void save(RunState state, Map<String, INDArray> params, INDArray updater,
              Map<String, Map<String, INDArray>> snapshots) {
        if (dir == null) {
            return;
        }
        try {
            checkpoints.write(new RunDirectory.Checkpoint(state, params, updater, snapshots));
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
