package io.transfer4j.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code transfer4j} command. Exit codes: 0 ok, 1 failure, 2 usage error. Errors are one line without a
 * stack trace unless {@code --verbose}.
 *
 * <p>Subcommands implement {@link Callable}{@code <Integer>}; they throw {@link UsageException} (or let picocli
 * throw a {@link CommandLine.ParameterException}) for usage errors and any other exception for failures.
 */
@Command(name = "transfer4j", mixinStandardHelpOptions = true, version = "transfer4j 0.1.0-SNAPSHOT",
        description = "Transfer learning for Java: fine-tune pretrained VGG16/ResNet50 on a folder of images.",
        subcommands = {CommandLine.HelpCommand.class,
                io.transfer4j.examples.ExampleCommand.class})
public final class Transfer4j implements Callable<Integer> {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Stack traces on errors, debug logging.")
    boolean verbose;

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return OK;
    }

    /** The configured command line, for tests and for {@link #main}. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Transfer4j());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.originalArgs().contains("--verbose");
            PrintWriter err = commandLine.getErr();
            if (ex instanceof UsageException) {
                err.println("transfer4j: " + ex.getMessage());
                if (verbose) {
                    ex.printStackTrace(err);
                }
                return USAGE;
            }
            err.println("transfer4j: " + oneLine(ex));
            if (verbose) {
                ex.printStackTrace(err);
            } else {
                err.println("(run again with --verbose for the stack trace)");
            }
            return FAILURE;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("transfer4j: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return USAGE;
        });
        return cl;
    }

    static String oneLine(Throwable ex) {
        String msg = ex.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = ex.getClass().getSimpleName();
        }
        return msg.replace('\n', ' ').replaceAll("\\s+", " ").trim();
    }

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains("--verbose")) {
            System.setProperty("transfer4j.log.level", "DEBUG");
        }
        System.exit(commandLine().execute(args));
    }
}
