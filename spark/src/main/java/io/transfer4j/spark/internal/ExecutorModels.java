package io.transfer4j.spark.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.transfer4j.core.Predictor;

/**
 * One {@link Predictor} per executor JVM and bundle: the first task that needs a bundle restores it from the
 * broadcast bytes; every later task in the same JVM borrows it (a Predictor is thread-safe and pools up to
 * {@code parallelism} graph copies, one per concurrently running task).
 *
 * <p>This is the one static in the project, and deliberately so: a Spark executor runs many tasks in one JVM and
 * restoring a model per task would cost 2-320 ms and a model's memory each time. The key is the bundle's
 * SHA-256, so two jobs with different bundles in one JVM never share a model.
 */
public final class ExecutorModels {

    private static final Map<String, Predictor> MODELS = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    /** The predictor for the bundle with this digest, restored from {@code bytes} on first use. */
    public static Predictor get(String sha256, byte[] bytes, Predictor.Options options) {
        return MODELS.computeIfAbsent(sha256, k -> restore(bytes, options));
    }

    private static Predictor restore(byte[] bytes, Predictor.Options options) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("transfer4j-executor-", ".t4j");
            Files.write(tmp, bytes);
            return Predictor.open(tmp, options);
        } catch (IOException e) {
            throw new UncheckedIOException("could not restore the broadcast bundle on this executor: "
                    + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless; the predictor is already in memory
                }
            }
        }
    }

    /** Closes and forgets every model of this JVM (tests; a long-lived driver in local mode). */
    public static void clear() {
        MODELS.values().forEach(Predictor::close);
        MODELS.clear();
    }
}
