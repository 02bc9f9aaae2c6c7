package io.transfer4j.cli;

/**
 * The exit codes of the {@code transfer4j} command and of every subcommand, the examples' included: 0 ok,
 * 1 failure, 2 usage error.
 */
public final class ExitCode {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private ExitCode() {
    }
}
