package io.transfer4j.spark.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.Predictor;
import io.transfer4j.core.TransferModel;

/**
 * Models restored on an executor from broadcast bundle bytes, kept for the life of the executor JVM: the first task
 * that needs a bundle restores it; later tasks in the same JVM reuse it.
 *
 * <p>These are the only statics in the project, and deliberately so: a Spark executor runs many tasks in one JVM
 * and restoring a model per task would cost 2-320 ms and a model's memory each time. Keys are the bundle's SHA-256,
 * so two jobs with different bundles in one JVM never share a model.
 */
public final class ExecutorModels {

    /** Scoring: one thread-safe Predictor per bundle (it pools a graph copy per concurrently running task). */
    private static final Map<String, Predictor> PREDICTORS = new ConcurrentHashMap<>();
    /** Training-side inference (features, validation): idle model copies per bundle; a task borrows one. */
    private static final Map<String, Queue<TransferModel>> MODELS = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    /** The predictor for the bundle with this digest, restored from {@code bytes} on first use. */
    public static Predictor predictor(String sha256, byte[] bytes, Predictor.Options options) {
        return PREDICTORS.computeIfAbsent(sha256, k -> restore(bytes, p -> {
            try {
                return Predictor.open(p, options);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** Runs {@code work} with a model copy of this bundle that no other task uses meanwhile. */
    public static <T> T withModel(String sha256, byte[] bytes, Function<TransferModel, T> work) {
        Queue<TransferModel> idle = MODELS.computeIfAbsent(sha256, k -> new ConcurrentLinkedQueue<>());
        TransferModel m = idle.poll();
        if (m == null) {
            m = restore(bytes, p -> {
                try {
                    return ModelBundle.load(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        try {
            return work.apply(m);
        } finally {
            idle.add(m);
        }
    }

    private static <T> T restore(byte[] bytes, Function<Path, T> open) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("transfer4j-executor-", ".t4j");
            Files.write(tmp, bytes);
            return open.apply(tmp);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("could not restore the broadcast bundle on this executor: "
                    + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless; the model is already in memory
                }
            }
        }
    }

    /** Forgets a bundle's training-side copies (the driver calls this through a job when a phase ends). */
    public static void forget(String sha256) {
        MODELS.remove(sha256);
    }

    /** Closes and forgets every model of this JVM (tests; a long-lived driver in local mode). */
    public static void clear() {
        PREDICTORS.values().forEach(Predictor::close);
        PREDICTORS.clear();
        MODELS.clear();
    }
}
