package io.transfer4j.zoo;

/**
 * Pretrained weights could not be obtained or did not verify. The message says what is missing, where it was
 * looked for or fetched from, the expected checksum, and how to install the file by hand
 * ({@code transfer4j models install ID --from FILE}).
 */
public final class WeightsUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the weights are unavailable. */
    public enum Reason {
        /** Offline mode and no verified copy on disk. */
        OFFLINE,
        /** The download failed (HTTP error, timeout, connection trouble) after the allowed retries. */
        DOWNLOAD_FAILED,
        /** A file was obtained but its checksum is not the publisher's. */
        CHECKSUM_MISMATCH,
        /** The catalogue lists no weights for this backbone. */
        NO_SOURCE
    }

    private final String id;
    private final Reason reason;

    public WeightsUnavailableException(String id, Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.id = id;
        this.reason = reason;
    }

    public String id() {
        return id;
    }

    public Reason reason() {
        return reason;
    }

    /** The command that installs a verified copy by hand. */
    public static String installHint(String id) {
        return "transfer4j models install " + id + " --from FILE";
    }
}
