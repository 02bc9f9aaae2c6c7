package io.transfer4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;

import picocli.CommandLine;

/** Runs the command in-process and captures what it printed. */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(String... args) {
        return run(cl -> { }, args);
    }

    static CliRun run(Consumer<CommandLine> setup, String... args) {
        // not this process's environment: a COLUMNS exported by the shell running the build would wrap the output
        return run(java.util.Map.of(), setup, args);
    }

    /** Runs in environment {@code env} (e.g. {@code COLUMNS}) instead of this process's. */
    static CliRun run(java.util.Map<String, String> env, Consumer<CommandLine> setup, String... args) {
        CommandLine cl = Transfer4j.commandLine(env);
        setup.accept(cl);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The non-empty lines of stderr. */
    long errLines() {
        return err.lines().filter(l -> !l.isBlank()).count();
    }
}
