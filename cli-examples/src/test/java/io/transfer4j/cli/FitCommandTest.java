package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.cli.report.RunReport;
import io.transfer4j.training.History;

/** {@code fit} on the zoo's tiny backbone at 32 px: a real run in seconds, then its run directory. */
class FitCommandTest {

    @TempDir
    static Path tmp;
    static Path images;
    static Path run;
    static CliRun first;

    @BeforeAll
    static void fitOnce() throws Exception {
        images = TinyBundles.images(tmp.resolve("images"), 3, 10);
        run = tmp.resolve("run");
        first = CliRun.run("--json", "fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir",
                run.toString(), "--seed", "7", "--image-size", "32", "--head-epochs", "2", "--fine-tune-epochs", "1",
                "--no-augment", "--keep", "all");
    }

    @Test
    void writesTheWholeRunDirectory() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        for (String f : List.of(RunReport.CONFIG, "split.json", History.CSV_FILE, History.JSON_FILE,
                RunReport.LEARNING_CURVE, RunReport.CONFUSION_MATRIX, RunReport.METRICS,
                RunReport.PER_CLASS, RunReport.REPORT, "model.t4j")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        List<String> history = Files.readAllLines(run.resolve(History.CSV_FILE));
        // the training run's one history writer, training accuracy included
        assertTrue(history.get(0).startsWith("phase,epoch,loss,val_loss,accuracy,val_accuracy,"), history.get(0));
        // the bundle is the run's own (written once): its history and test accuracy are the run directory's
        assertEquals(History.readJson(run.resolve(History.JSON_FILE)),
                History.fromBundle(run.resolve("model.t4j")).orElseThrow());
        assertEquals(new ObjectMapper().readTree(run.resolve(RunReport.METRICS).toFile()).get("accuracy").asDouble(),
                io.transfer4j.core.ModelBundle.readManifest(run.resolve("model.t4j")).metrics().test().accuracy(),
                1e-12);
        assertEquals(List.of("head", "head", "fine-tune-block3"),
                history.subList(1, history.size()).stream().map(l -> l.split(",")[0]).toList());
        JsonNode config = new ObjectMapper().readTree(run.resolve(RunReport.CONFIG).toFile());
        assertEquals(7, config.get("seed").asInt());
        assertEquals(32, config.get("imageSize").asInt());
        String html = Files.readString(run.resolve(RunReport.REPORT));
        assertTrue(html.contains("<h1>transfer4j fit</h1>") && html.contains("fine-tune-block3"));
    }

    @Test
    void jsonOutputHasEpochEventsAndTheResult() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = first.out().lines().map(l -> {
            try {
                return json.readTree(l);
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + l, e);
            }
        }).toList();
        assertEquals(3, lines.stream().filter(n -> n.get("type").asText().equals("epoch")).count());
        JsonNode result = lines.get(lines.size() - 1);
        assertEquals("result", result.get("type").asText());
        assertEquals("fit", result.get("command").asText());
        double acc = result.get("testAccuracy").asDouble();
        JsonNode metrics = json.readTree(run.resolve(RunReport.METRICS).toFile());
        assertEquals(metrics.get("accuracy").asDouble(), acc, 1e-12, "the printed accuracy is the report's");
        assertEquals(run.resolve("model.t4j").toString(), result.get("bundle").asText());
    }

    @Test
    void aYamlConfigDrivesTheRunAndFlagsWin() throws Exception {
        Path yaml = Files.writeString(tmp.resolve("run.yaml"), String.join("\n", "data: " + images,
                "backbone: tiny", "runDir: " + tmp.resolve("from-yaml"), "seed: 1", "imageSize: 32", "headEpochs: 1",
                "unfreeze: none", "augment: false", "pooling: max", "headLearningRate: 1e-2", ""));
        CliRun r = CliRun.run("fit", "--config", yaml.toString(), "--seed", "11");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode config = new ObjectMapper().readTree(tmp.resolve("from-yaml").resolve(RunReport.CONFIG).toFile());
        assertEquals(11, config.get("seed").asInt(), "the flag wins over the file");
        assertEquals("max", config.get("pooling").asText());
        assertEquals(0.01, config.get("headLearningRate").asDouble(), 1e-12);
        List<String> history = Files.readAllLines(tmp.resolve("from-yaml").resolve(History.CSV_FILE));
        assertEquals(2, history.size(), "one head epoch, no fine-tuning (unfreeze: none)");
        assertTrue(history.get(1).startsWith("head,1,"), history.get(1));
    }

    @Test
    void aNonEmptyRunDirectoryIsRefusedWithTheResumeHint() {
        CliRun r = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir", run.toString());
        assertEquals(2, r.exitCode());
        assertEquals("transfer4j: run directory " + run + " is not empty; choose a new --run-dir, or continue an "
                + "interrupted run with: transfer4j fit --resume " + run, r.err().strip());
    }

    @Test
    void resumingAFinishedRunKeepsItsHistory() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        Path copy = tmp.resolve("run-copy");
        try (var files = Files.walk(run)) {
            for (Path p : files.toList()) {
                Path to = copy.resolve(run.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        List<String> before = Files.readAllLines(copy.resolve(History.CSV_FILE));
        CliRun r = CliRun.run("fit", "--resume", copy.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Resuming the run in " + copy), r.out());
        List<String> after = Files.readAllLines(copy.resolve(History.CSV_FILE));
        assertEquals(before.size(), after.size(), "no epoch added or lost");
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).split(",")[0] + before.get(i).split(",")[2],
                    after.get(i).split(",")[0] + after.get(i).split(",")[2], "phase and loss of row " + i);
        }
    }

    @Test
    void resumeTakesNoOtherSettingsAndNeedsARunDirectory() {
        CliRun r = CliRun.run("fit", "--resume", run.toString(), "--seed", "3");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--resume RUN_DIR takes no other run settings") && r.err().contains("--seed"),
                r.err());
        r = CliRun.run("fit", "--resume", images.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("is not a transfer4j run directory"), r.err());
    }

    @Test
    void configFileProblemsAreOneLineUsageErrors() throws Exception {
        Path yaml = Files.writeString(tmp.resolve("bad.yaml"), "backbone: tiny\nlearningRate: 0.1\n");
        CliRun r = CliRun.run("fit", "--config", yaml.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("transfer4j: ") && r.err().lines().findFirst().orElseThrow()
                .contains("bad.yaml line 2: unknown key 'learningRate'"), r.err());
        assertTrue(r.errLines() <= 2, "the headline and the allowed keys: " + r.err());

        Path typed = Files.writeString(tmp.resolve("typed.json"), "{\"backbone\": \"tiny\", \"headEpochs\": \"two\"}");
        r = CliRun.run("fit", "--config", typed.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("'headEpochs' must be a whole number; received \"two\""), r.err());

        r = CliRun.run("fit", "--backbone", "tiny", "--run-dir", tmp.resolve("r2").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("config 'data' is required"), r.err());

        r = CliRun.run("fit", "--data", images.toString(), "--backbone", "resnet5O", "--run-dir",
                tmp.resolve("r3").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("resnet5O") && r.err().contains("resnet50"), r.err());

        r = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir",
                tmp.resolve("r4").toString(), "--head-epochs", "many");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("many"), r.err());
    }

    @Test
    void unknownLayerGroupSuggestsTheNearest() {
        CliRun r = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir",
                tmp.resolve("r5").toString(), "--image-size", "32", "--unfreeze", "blok2");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("must name a layer group of tiny (block1, block2, block3)")
                && r.err().contains("did you mean 'block2'?"), r.err());
    }
}
