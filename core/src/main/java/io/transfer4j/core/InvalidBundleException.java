package io.transfer4j.core;

import java.io.IOException;

/** A file that is not a readable transfer4j bundle: not a zip, truncated, unsafe, newer format, inconsistent. */
public class InvalidBundleException extends IOException {
    private static final long serialVersionUID = 1L;

    public InvalidBundleException(String message) {
        super(message);
    }

    public InvalidBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
