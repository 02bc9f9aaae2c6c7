package io.transfer4j.training.internal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Feature caches that outlive one run: {@link CachePlanner} looks a cache up here by its key (freeze boundary,
 * hash of the frozen parameters, training and validation data fingerprints, views) before building it, and leaves
 * what it built here instead of closing it. Only data with a real fingerprint (folder flows) is pooled. Public as
 * {@code io.transfer4j.training.SharedFeatureCaches}.
 */
public final class CachePool implements AutoCloseable {
    /** A training cache and its validation cache (null without validation data). */
    record Entry(FeatureCache train, FeatureCache validation) {
    }

    private final Path spillBase;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private int builds;
    private int reuses;

    /** @param spillBase where caches over the memory limit spill (one sub-directory per cache) */
    public CachePool(Path spillBase) {
        this.spillBase = spillBase;
    }

    synchronized Entry get(String key) {
        Entry e = entries.get(key);
        if (e != null) {
            reuses++;
        }
        return e;
    }

    synchronized void put(String key, Entry e) {
        entries.put(key, e);
        builds++;
    }

    synchronized Path spillDir(String which) {
        return spillBase.resolve("cache-" + entries.size()).resolve(which);
    }

    /** Caches built (a training cache with its validation cache counts once). */
    public synchronized int builds() {
        return builds;
    }

    /** Times a run took a cache from the pool instead of building it. */
    public synchronized int reuses() {
        return reuses;
    }

    /** Caches held now. */
    public synchronized int size() {
        return entries.size();
    }

    @Override
    public synchronized void close() {
        for (Entry e : entries.values()) {
            e.train().close();
            if (e.validation() != null) {
                e.validation().close();
            }
        }
        entries.clear();
    }
}
