package io.transfer4j.training;

import java.nio.file.Path;

import io.transfer4j.training.internal.CachePool;

/**
 * Feature caches shared by several {@link FineTuner} runs on the same frozen body and the same data (e.g. the
 * trials of a {@link io.transfer4j.training.tune.Tuner} search): a run looks its cache up by what it was computed
 * from — freeze boundary, a hash of the frozen parameters, the training and validation data fingerprints and the
 * number of augmented views — and builds it only if no earlier run did. Pass the same instance to every run with
 * {@link FineTuner.Builder#sharedFeatureCaches}; close it when the runs are done (it holds the caches in memory,
 * or in files under its spill directory beyond each run's memory limit).
 *
 * <p>Only training data with a fingerprint is shared (folder flows: file names and classes); other iterators
 * build their own cache per run as before.
 */
public final class SharedFeatureCaches implements AutoCloseable {
    private final CachePool pool;

    /** @param spillDir where caches over the memory limit go (one sub-directory each; removed on close) */
    public SharedFeatureCaches(Path spillDir) {
        this.pool = new CachePool(spillDir);
    }

    /** Caches built so far (a training cache and its validation cache count once). */
    public int builds() {
        return pool.builds();
    }

    /** Times a run reused a cache an earlier run built. */
    public int reuses() {
        return pool.reuses();
    }

    CachePool pool() {
        return pool;
    }

    @Override
    public void close() {
        pool.close();
    }
}
