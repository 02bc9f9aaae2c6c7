package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

    private record Run(int code, String out, String err) { }

    private static Run run(String... args) {
        CommandLine cl = Transfer4j.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void badOptionsAreUsageErrorsThatSayWhatIsAllowed() {
        Run size = run("bench", "--size", "8");
        assertEquals(ExitCode.USAGE, size.code());
        assertTrue(size.err().contains("--size must be in [32, 1024]; received 8"), size.err());
        Run workload = run("bench", "--workloads", "infer,trainn");
        assertEquals(ExitCode.USAGE, workload.code());
        assertTrue(workload.err().contains("unknown workload 'trainn'") && workload.err().contains("head-cached"),
                workload.err());
        Run model = run("bench", "--models", "alexnet", "--workloads", "sgemm");
        assertEquals(ExitCode.USAGE, model.code());
        assertTrue(model.err().contains("unknown model 'alexnet'"), model.err());
    }

    /** SGEMM in-process: a real measurement, written as JSON for bench/compare.py. */
    @Test
    void sgemmRunsAndWritesTheComparisonJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("dl4j.json");
        Run r = run("bench", "--in-process", "--workloads", "sgemm", "--work-dir", dir.toString(),
                "--output", json.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        assertTrue(r.out().contains("sgemm") && r.out().contains("GFLOP/s"), r.out());
        String text = Files.readString(json);
        assertTrue(text.contains("\"workload\":\"sgemm\"") && text.contains("\"sgemm_gflops\":"), text);
        double gflops = Double.parseDouble(text.replaceAll("(?s).*\"sgemm_gflops\":([0-9.]+).*", "$1"));
        assertTrue(gflops > 0.1, "SGEMM reported " + gflops + " GFLOP/s");
    }
}
