package io.transfer4j.cli;

/**
 * A picocli {@code @Command} that another package adds to {@code transfer4j} (the examples' {@code example}
 * command): listed in {@code META-INF/services/io.transfer4j.cli.ContributedCommand} and found with
 * {@link java.util.ServiceLoader}, so the command line does not depend on the packages that extend it.
 */
public interface ContributedCommand {
}
