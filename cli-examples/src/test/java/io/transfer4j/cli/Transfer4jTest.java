package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

class Transfer4jTest {

    /** A test subcommand that talks through {@link Output} or fails in the way it is told. */
    @Command(name = "probe", mixinStandardHelpOptions = true, description = "test probe")
    static final class Probe implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(defaultValue = "ok")
        String what;

        @Override
        public Integer call() throws Exception {
            Output o = Output.of(spec);
            o.info("talking");
            switch (what) {
                case "usage" -> throw new UsageException("--size must be >= 32; received 7");
                case "denied" -> throw new AccessDeniedException("/root/forbidden/model.t4j");
                case "full" -> throw new FileSystemException("/tmp/x/data", null, "No space left on device");
                case "boom" -> throw new IllegalStateException("first line\n  second line");
                case "nospace" -> throw io.transfer4j.internal.AtomicFiles.named(Path.of("/w/run/model.t4j"),
                        new java.io.IOException("No space left on device"));
                default -> {
                }
            }
            try (Output.Progress p = o.progress("work", 3, "steps")) {
                for (int i = 1; i <= 3; i++) {
                    p.update(i, "loss 0.5");
                }
            }
            o.result("done: 42", Map.of("answer", 42));
            return ExitCode.OK;
        }
    }

    private static CliRun probe(String... args) {
        return CliRun.run(cl -> cl.addSubcommand("probe", new Probe()), args);
    }

    @Test
    void unknownOptionIsAUsageErrorOnOneLine() {
        CliRun r = CliRun.run("--frobnicate");
        assertEquals(ExitCode.USAGE, r.exitCode());
        assertEquals(1, r.errLines(), r.err());
        assertTrue(r.err().contains("--frobnicate"), r.err());
        assertTrue(r.err().contains("--help"), "says where to look: " + r.err());
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        CliRun r = CliRun.run("fitt");
        assertEquals(ExitCode.USAGE, r.exitCode());
        assertTrue(r.err().contains("fitt"), r.err());
        assertEquals(1, r.errLines(), r.err());
    }

    @Test
    void usageExceptionExitsTwoWithoutStackTrace() {
        CliRun r = probe("probe", "usage");
        assertEquals(ExitCode.USAGE, r.exitCode());
        assertEquals("transfer4j: --size must be >= 32; received 7", r.err().strip());
    }

    @Test
    void failureExitsOneWithTheMessageOnOneLine() {
        CliRun r = probe("probe", "boom");
        assertEquals(ExitCode.FAILURE, r.exitCode());
        String first = r.err().lines().findFirst().orElseThrow();
        assertEquals("transfer4j: first line second line", first);
        assertFalse(r.err().contains("at io.transfer4j"), "no stack trace without --verbose: " + r.err());
        assertTrue(r.err().contains("--verbose"), r.err());
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliRun r = probe("probe", "boom", "--verbose");
        assertEquals(ExitCode.FAILURE, r.exitCode());
        assertTrue(r.err().contains("IllegalStateException") && r.err().contains("\tat "), r.err());
    }

    @Test
    void fileSystemErrorsNameThePath() {
        CliRun denied = probe("probe", "denied");
        assertEquals(ExitCode.FAILURE, denied.exitCode());
        assertTrue(denied.err().startsWith("transfer4j: permission denied: /root/forbidden/model.t4j"), denied.err());
        CliRun nospace = probe("probe", "nospace");
        assertEquals(ExitCode.FAILURE, nospace.exitCode());
        assertTrue(nospace.err().startsWith("transfer4j: cannot write /w/run/model.t4j: No space left on device (the "
                + "disk is full"), nospace.err());
        CliRun full = probe("probe", "full");
        assertTrue(full.err().startsWith("transfer4j: cannot write /tmp/x/data: No space left on device"),
                full.err());
    }

    @Test
    void humanModeTalksAndPrintsTheResult() {
        CliRun r = probe("probe");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(List.of("talking", "done: 42"), r.out().lines().toList());
    }

    @Test
    void quietModePrintsOnlyTheResult() {
        for (String[] args : List.of(new String[] {"probe", "--quiet"}, new String[] {"-q", "probe"})) {
            CliRun r = probe(args);
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(List.of("done: 42"), r.out().lines().toList(), String.join(" ", args));
        }
    }

    @Test
    void jsonModePrintsOnlyJsonLines() throws Exception {
        // the global option works before and after the subcommand
        for (String[] args : List.of(new String[] {"probe", "--json"}, new String[] {"--json", "probe"})) {
            CliRun r = probe(args);
            assertEquals(0, r.exitCode(), r.err());
            List<JsonNode> lines = new ArrayList<>();
            for (String line : r.out().lines().toList()) {
                lines.add(new ObjectMapper().readTree(line));
            }
            assertEquals("info", lines.get(0).get("type").asText());
            assertTrue(lines.stream().anyMatch(n -> n.get("type").asText().equals("progress")
                    && n.get("current").asLong() == 3 && n.get("total").asLong() == 3), r.out());
            JsonNode result = lines.get(lines.size() - 1);
            assertEquals("result", result.get("type").asText());
            assertEquals("probe", result.get("command").asText());
            assertEquals(42, result.get("answer").asInt());
        }
    }

    @Test
    void jsonModeReportsErrorsAsAJsonLineToo() throws Exception {
        CliRun r = probe("--json", "probe", "usage");
        assertEquals(ExitCode.USAGE, r.exitCode());
        String last = r.out().lines().reduce((a, b) -> b).orElseThrow();
        JsonNode n = new ObjectMapper().readTree(last);
        assertEquals("error", n.get("type").asText());
        assertEquals(2, n.get("exitCode").asInt());
        assertTrue(n.get("message").asText().contains("--size"));
    }

    @Test
    void jsonAndQuietTogetherAreAUsageError() {
        CliRun r = probe("--json", "--quiet", "probe");
        assertEquals(ExitCode.USAGE, r.exitCode());
        assertTrue(r.err().contains("--json and --quiet"), r.err());
    }

    @Test
    void noSubcommandPrintsTheUsageWithEveryCommand() {
        CliRun r = CliRun.run();
        assertEquals(0, r.exitCode());
        for (String c : List.of("quickstart", "fit", "evaluate", "predict", "explain", "summary", "models")) {
            assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith(c + " ") || l.trim().equals(c)),
                    c + " listed in: " + r.out());
        }
    }

    @Test
    void everySubcommandHasHelp() {
        List<String> checked = new ArrayList<>();
        helpAll(Transfer4j.commandLine(), new ArrayList<>(), checked);
        assertTrue(checked.size() >= 1, "found subcommands: " + checked);
    }

    private static void helpAll(CommandLine cl, List<String> path, List<String> checked) {
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help") || !e.getValue().getCommandName().equals(e.getKey())) {
                continue; // picocli's help command; aliases
            }
            List<String> sub = new ArrayList<>(path);
            sub.add(e.getKey());
            List<String> args = new ArrayList<>(sub);
            args.add("--help");
            CliRun r = CliRun.run(args.toArray(String[]::new));
            assertEquals(0, r.exitCode(), args + ": " + r.err());
            assertTrue(r.out().contains("Usage: transfer4j " + String.join(" ", sub)), args + ": " + r.out());
            checked.add(String.join(" ", sub));
            helpAll(e.getValue(), sub, checked);
        }
    }

    /** faults/run.sh found `evaluate --help` printing picocli "Could not format" warnings for a bare "95 %". */
    @Test
    void everyCommandsHelpRendersWithoutFormatWarnings() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.util.List<String> helps = new java.util.ArrayList<>();
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            java.util.Deque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(Transfer4j.commandLine()));
            while (!todo.isEmpty()) {
                picocli.CommandLine c = todo.pop();
                helps.add(c.getUsageMessage());
                todo.addAll(c.getSubcommands().values());
            }
        } finally {
            System.setErr(saved);
        }
        String warnings = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(warnings.isEmpty(), warnings);
        assertTrue(helps.stream().anyMatch(h -> h.replaceAll("\\s+", " ").contains("the 95 % confidence intervals")),
                "evaluate's --bootstrap help");
    }
}
