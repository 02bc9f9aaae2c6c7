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
        Run epochs = run("bench", "--workloads", "recipe", "--recipe-epochs", "5");
        assertEquals(ExitCode.USAGE, epochs.code());
        assertTrue(epochs.err().contains("--recipe-epochs takes two epoch counts >= 1") && epochs.err().contains("[5]"),
                epochs.err());
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

    /**
     * The time-to-model workload end to end on the real photo folder (MobileNetV2 at 32 px, one epoch per phase so
     * it takes seconds): the split for the PyTorch twin is written, the JSON carries wall time, per-phase time and
     * the final validation figures that compare.py reads.
     */
    @Test
    void recipeTrainsWithFineTunerAndWritesSplitAndTimes(@TempDir Path dir) throws Exception {
        Path images = Path.of("../../shared/datasets/dl4j-animals").toAbsolutePath().normalize();
        Path alt = Path.of("../shared/datasets/dl4j-animals").toAbsolutePath().normalize();
        Path folder = Files.isDirectory(images) ? images : alt;
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(folder), "no photo folder at " + folder);
        Path json = dir.resolve("dl4j.json");
        Run r = run("bench", "--in-process", "--workloads", "recipe-plain", "--models", "mobilenetv2", "--size", "32",
                "--batch", "8", "--recipe-epochs", "1,1", "--images", folder.toString(), "--work-dir",
                dir.toString(), "--output", json.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode res = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json.toFile()).path("results").get(0);
        assertEquals("recipe-plain", res.path("workload").asText());
        com.fasterxml.jackson.databind.JsonNode extra = res.path("extra");
        double wall = extra.path("wall_s").asDouble();
        double phases = extra.path("setup_s").asDouble() + extra.path("head_s").asDouble()
                + extra.path("finetune_s").asDouble();
        assertTrue(extra.path("head_s").asDouble() > 0 && extra.path("finetune_s").asDouble() > 0, extra.toString());
        assertTrue(phases <= wall + 1e-6 && phases > 0.5 * wall, "setup + phases " + phases + " vs wall " + wall);
        double acc = extra.path("val_accuracy").asDouble();
        assertTrue(acc >= 0 && acc <= 1 && Double.isFinite(extra.path("val_loss").asDouble()), extra.toString());
        io.transfer4j.augmentation.DataSplit split = io.transfer4j.augmentation.DataSplit.read(
                dir.resolve("recipe-split.json"));
        assertEquals(split.items(io.transfer4j.augmentation.DataSplit.Part.TRAIN).size(),
                extra.path("train_images").asInt());
        assertEquals(split.items(io.transfer4j.augmentation.DataSplit.Part.VALIDATION).size(),
                extra.path("val_images").asInt());
    }
}
