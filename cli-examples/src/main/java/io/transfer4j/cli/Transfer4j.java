package io.transfer4j.cli;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code transfer4j} command. Exit codes ({@link ExitCode}): 0 ok, 1 failure, 2 usage error. Errors are one line without a
 * stack trace unless {@code --verbose}.
 *
 * <p>Subcommands implement {@link Callable}{@code <Integer>}; they throw {@link UsageException} (or let picocli
 * throw a {@link CommandLine.ParameterException}) for usage errors and any other exception for failures. They
 * print through {@link Output#of} so that the global {@code --quiet} and {@code --json} options hold everywhere.
 */
@Command(name = "transfer4j", mixinStandardHelpOptions = true, version = "transfer4j 0.1.0-SNAPSHOT",
        description = "Transfer learning for Java: fine-tune pretrained VGG16/ResNet50 on a folder of images.",
        // one subcommand per line, so parallel additions merge cleanly
        subcommands = {CommandLine.HelpCommand.class,
                DoctorCommand.class,
                BenchCommand.class,
                ModelsCommand.class,
                SummaryCommand.class,
                DataCommand.class,
                AugmentCommand.class,
                // cli helper's commands (kept together, after the others' lines)
                QuickstartCommand.class,
                FitCommand.class,
                EvaluateCommand.class,
                PredictCommand.class,
                ExplainCommand.class,
                // tune (issue 15)
                TuneCommand.class,
        })
public final class Transfer4j implements Callable<Integer> {

    private boolean verbose;
    private boolean quiet;
    private boolean json;

    // Inherited options are bound to these setters of the root object, so "transfer4j fit --json" and
    // "transfer4j --json fit" set the same field.
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Stack traces on errors, debug logging.")
    void setVerbose(boolean v) {
        verbose = v;
    }

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "Only results, warnings and errors: no progress talk, no progress bars.")
    void setQuiet(boolean q) {
        quiet = q;
    }

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Machine-readable output on stdout: one JSON object per line (info, progress, result).")
    void setJson(boolean j) {
        json = j;
    }

    /** The output mode chosen by the global options. */
    Output.Mode mode() {
        if (json) {
            return Output.Mode.JSON;
        }
        return quiet ? Output.Mode.QUIET : Output.Mode.HUMAN;
    }

    boolean verbose() {
        return verbose;
    }

    /** The width human output is wrapped to (0: none); from the environment, see {@link Output#columns}. */
    private int columns;

    int columns() {
        return columns;
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Without a subcommand: the usage text (exit 0). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCode.OK;
    }

    /** The configured command line, for tests and for {@link #main}. */
    public static CommandLine commandLine() {
        return commandLine(System.getenv());
    }

    /** The configured command line in environment {@code env} (tests give {@code COLUMNS}). */
    static CommandLine commandLine(Map<String, String> env) {
        Transfer4j root = new Transfer4j();
        root.columns = Output.columns(env.get("COLUMNS"), System.console() != null);
        CommandLine cl = new CommandLine(root);
        // help and docs spell enum values in lower case (--weights random); accept any case everywhere
        // commands other packages contribute (the examples), without this package depending on them
        for (ContributedCommand c : java.util.ServiceLoader.load(ContributedCommand.class)) {
            cl.addSubcommand(c);
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionStrategy(parseResult -> {
            if (root.json && root.quiet) {
                throw new CommandLine.ParameterException(parseResult.commandSpec().commandLine(),
                        "--json and --quiet cannot be combined; received both (--json output is already quiet "
                                + "apart from JSON lines)");
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean usage = ex instanceof UsageException;
            reportError(root, commandLine, describe(ex), ex, usage);
            return usage ? ExitCode.USAGE : ExitCode.FAILURE;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine sub = ex.getCommandLine();
            ex = misspeltOption(ex, args);
            reportError(root, sub, ex.getMessage() + closestOptions(ex) + " (try '"
                    + sub.getCommandSpec().qualifiedName() + " --help')", ex, true);
            return ExitCode.USAGE;
        });
        return cl;
    }

    /**
     * picocli reports a missing required option before an unknown one, so {@code predict --modle B x.png} said
     * "Missing required option: '--model=BUNDLE'" without naming the misspelling. When the command line holds an
     * option the command does not know, that is the error to report (with the nearest option); else {@code ex}.
     */
    static CommandLine.ParameterException misspeltOption(CommandLine.ParameterException ex, String[] args) {
        if (!(ex instanceof CommandLine.MissingParameterException) || args == null) {
            return ex;
        }
        CommandLine sub = ex.getCommandLine();
        java.util.Set<String> known = new java.util.HashSet<>();
        for (CommandLine c = sub; c != null; c = c.getParent()) {
            c.getCommandSpec().options().forEach(o -> known.addAll(java.util.Arrays.asList(o.names())));
        }
        List<String> unknown = new java.util.ArrayList<>();
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            if (a.startsWith("--") && a.length() > 2 && !known.contains(a.split("=", 2)[0])) {
                unknown.add(a);
            }
        }
        return unknown.isEmpty() ? ex : new CommandLine.UnmatchedArgumentException(sub, unknown);
    }

    /**
     * For an unknown option, the options it most likely meant, with their config-file keys: {@code --learning-rate}
     * points at {@code --head-learning-rate} and {@code --fine-tune-learning-rate}; {@code --batchsize} at
     * {@code --batch-size}. Empty when nothing is close.
     */
    static String closestOptions(CommandLine.ParameterException ex) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u)) {
            return "";
        }
        List<String> names = ex.getCommandLine().getCommandSpec().options().stream()
                .flatMap(o -> java.util.Arrays.stream(o.names())).filter(n -> n.startsWith("--")).toList();
        java.util.Set<String> hits = new java.util.LinkedHashSet<>();
        for (String arg : u.getUnmatched()) {
            if (!arg.startsWith("--")) {
                continue;
            }
            String typed = kebab(arg.split("=", 2)[0].substring(2));
            for (String n : names) {
                if (typed.length() >= 3 && n.substring(2).contains(typed)) {
                    hits.add(n);
                }
            }
            if (hits.isEmpty()) {
                io.transfer4j.internal.Names.nearest("--" + typed, names).ifPresent(hits::add);
            }
        }
        if (hits.isEmpty()) {
            return "";
        }
        boolean configKeys = ex.getCommandLine().getCommandSpec().userObject() instanceof FitCommand;
        return ". Did you mean " + String.join(" or ", hits) + (configKeys ? " (config key"
                + (hits.size() > 1 ? "s " : " ") + String.join(", ", hits.stream().map(h -> camel(h.substring(2)))
                .toList()) + ")" : "") + "?";
    }

    /** {@code learningRate} -> {@code learning-rate}. */
    private static String kebab(String s) {
        return s.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code head-learning-rate} -> {@code headLearningRate}. */
    private static String camel(String s) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : s.toCharArray()) {
            if (c == '-') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString();
    }

    private static void reportError(Transfer4j root, CommandLine commandLine, String message, Throwable ex,
                                    boolean usage) {
        PrintWriter err = commandLine.getErr();
        err.println(Output.wrap("transfer4j: " + readable(message), root.columns));
        if (root.verbose) {
            ex.printStackTrace(err);
        } else if (!usage) {
            err.println("(run again with --verbose for the stack trace)");
        }
        err.flush();
        if (root.json) {
            new Output(Output.Mode.JSON, commandLine.getCommandSpec().qualifiedName(), commandLine.getOut(), err,
                    false).event("error", Map.of("exitCode", usage ? ExitCode.USAGE : ExitCode.FAILURE,
                            "message", oneLine(message)),
                    null);
        }
    }

    /** A one-line, human description of a failure; file-system errors say which path and why. */
    static String describe(Throwable ex) {
        if (ex instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile() + " (choose a directory you can write to, or fix its permissions)";
        }
        if (ex instanceof NoSuchFileException e) {
            return "no such file or directory: " + e.getFile();
        }
        if (ex instanceof NotDirectoryException e) {
            return "not a directory: " + e.getFile();
        }
        if (ex instanceof FileAlreadyExistsException e) {
            return "already exists: " + e.getFile() + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
        }
        if (ex instanceof FileSystemException e && e.getFile() != null) {
            String reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            return "cannot write " + e.getFile() + (e.getOtherFile() != null ? " -> " + e.getOtherFile() : "")
                    + ": " + reason;
        }
        String msg = ex.getMessage();
        if (msg == null || msg.isBlank()) {
            Throwable cause = ex.getCause();
            return cause != null && cause != ex ? describe(cause) : ex.getClass().getSimpleName();
        }
        if (ex instanceof java.io.IOException && msg.toLowerCase(java.util.Locale.ROOT).contains("no space left")) {
            return msg + " (the disk is full: free some space or choose another directory)";
        }
        return msg;
    }

    /** Messages longer than this become a short first line and an indented list. */
    static final int LONG_MESSAGE = 300;

    /**
     * An error for a person: one line when short; over {@value #LONG_MESSAGE} characters, a message its
     * author structured as an indented list (lines starting with two spaces) is printed as is, and any other becomes
     * its first sentence and an indented list of the rest (sentences and {@code ;}-separated clauses).
     */
    static String readable(String msg) {
        String flat = oneLine(msg);
        if (flat.length() <= LONG_MESSAGE) {
            return flat;
        }
        if (msg.strip().contains("\n  ")) {
            // already structured by its author as an indented list (the missing-weights message): printed as is
            return String.join("\n", msg.strip().lines().map(String::stripTrailing).filter(l -> !l.isBlank())
                    .toList());
        }
        List<String> parts = new java.util.ArrayList<>();
        // clause ends: "; ", and ". " before an upper-case letter, a digit or a parenthesis
        for (String sentence : flat.split("(?<=\\.) (?=[A-Z0-9(])")) {
            for (String clause : sentence.split("; ")) {
                parts.add(clause.strip());
            }
        }
        if (parts.size() < 2) {
            return flat;
        }
        StringBuilder sb = new StringBuilder(parts.get(0));
        for (String p : parts.subList(1, parts.size())) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }

    static String oneLine(String msg) {
        return msg.replace('\n', ' ').replaceAll("\\s+", " ").trim();
    }

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains("--verbose")) {
            System.setProperty("transfer4j.log.level", "DEBUG");
            System.setProperty("transfer4j.training.log.level", "DEBUG");
        }
        System.exit(commandLine().execute(args));
    }
}
