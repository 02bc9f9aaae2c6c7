package io.transfer4j.zoo;

import java.net.URI;

/**
 * Receives download progress. Called on the downloading thread; implementations must be quick (the CLI renders a
 * progress bar). All methods have empty defaults.
 */
public interface DownloadListener {

    /** A download (or a resumed one) starts; {@code total} is -1 if the server does not say. */
    default void started(String id, URI uri, long alreadyHave, long total) {
    }

    /** Bytes so far, total (-1 if unknown), and the average rate since the start in bytes per second. */
    default void progress(String id, long bytes, long total, double bytesPerSecond) {
    }

    /** A failed attempt will be retried after {@code delayMillis}. */
    default void retrying(String id, int attempt, long delayMillis, String reason) {
    }

    /** The file is complete and verified. */
    default void finished(String id, long bytes) {
    }

    DownloadListener NONE = new DownloadListener() {
    };
}
