package io.transfer4j.cli;

/**
 * A mistake in how the command was called (a bad flag value, a missing path, an unknown config key).
 * The command prints the message on one line and exits with status 2. The message says what was received,
 * what is allowed and what to do.
 */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
