package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.cli.internal.ConfigFiles;
import io.transfer4j.cli.report.RunReport;
import io.transfer4j.cli.report.TuneReport;
import io.transfer4j.training.History;
import io.transfer4j.zoo.Zoo;
import picocli.CommandLine;

/** {@code tune} on the zoo's tiny backbone at 32 px: real searches in seconds, their run directory, resume, errors. */
class TuneCommandTest {

    /** Head-only trials (one shared feature cache), 2 epochs each; four random draws are four different trials. */
    static final String SPACE = """
            params:
              headLearningRate: {type: logUniform, min: 1.0e-3, max: 3.0e-2}
              dense: {type: choice, values: [0, [16]]}
              batchSize: 16
              headEpochs: 2
              unfreeze: none
              augment: false
            """;

    @TempDir
    static Path tmp;
    static Path images;
    static Path space;
    static Path run;
    static CliRun first;

    @BeforeAll
    static void searchOnce() throws Exception {
        images = TinyBundles.images(tmp.resolve("images"), 3, 10);
        space = Files.writeString(tmp.resolve("space.yaml"), SPACE);
        run = tmp.resolve("tune");
        first = CliRun.run("--json", "tune", "--data", images.toString(), "--backbone", "tiny", "--image-size", "32",
                "--space", space.toString(), "--trials", "4", "--seed", "7", "--run-dir", run.toString());
    }

    private static List<JsonNode> lines(CliRun r) {
        ObjectMapper json = new ObjectMapper();
        return r.out().lines().map(l -> {
            try {
                return json.readTree(l);
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + l, e);
            }
        }).toList();
    }

    @Test
    void writesTheSearchItsTableBestConfigModelAndReport() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        for (String f : List.of(TuneCommand.SETTINGS, "split.json", TuneCommand.BEST_CONFIG, TuneReport.OVER_TIME,
                TuneReport.BY_PARAMETER, RunReport.REPORT, "search/search.json", "search/space.yaml",
                "search/trials.jsonl", "search/results.csv", "search/best.json", "search/best-model.t4j")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        List<String> csv = Files.readAllLines(run.resolve("search/results.csv"));
        assertEquals(5, csv.size(), "a header and one row per trial: " + csv);
        JsonNode result = lines(first).get(lines(first).size() - 1);
        assertEquals("result", result.get("type").asText());
        assertEquals("tune", result.get("command").asText());
        assertEquals(4, result.get("trials").asInt());
        assertEquals(1, result.get("cacheBuilds").asInt(), "one feature cache for all head-only trials");
        assertEquals(3, result.get("cacheReuses").asInt());
        String summary = result.get("summary").asText();
        assertTrue(summary.startsWith("Best of 4 trials (4 completed, 0 pruned, 0 failed): trial "
                + result.get("bestTrial").asInt() + " val_loss "), summary);
        JsonNode best = new ObjectMapper().readTree(run.resolve("search/best.json").toFile());
        assertEquals(best.get("trial").asInt(), result.get("bestTrial").asInt(), "the summary names best.json's trial");
        assertEquals(4, lines(first).stream().filter(n -> n.get("type").asText().equals("trial")).count());
        assertEquals(8, lines(first).stream().filter(n -> n.get("type").asText().equals("epoch")).count());
        String html = Files.readString(run.resolve(RunReport.REPORT));
        for (String id : List.of("summary", "trials-over-time", "metric-by-parameter", "trials-table", "best-config",
                "space")) {
            assertTrue(html.contains("id=\"" + id + "\""), id);
        }
    }

    @Test
    void theBestConfigIsAFitConfigThatRetrainsTheBestTrial() throws Exception {
        assertEquals(0, first.exitCode(), first.err());
        Path config = run.resolve(TuneCommand.BEST_CONFIG);
        FitConfig cfg = ConfigFiles.read(config, FitConfig.class).withDefaults();
        JsonNode best = new ObjectMapper().readTree(run.resolve("search/best.json").toFile());
        assertEquals(best.get("params").get("headLearningRate").asDouble(), cfg.headLearningRate(), 1e-15);
        assertEquals("none", cfg.unfreeze());
        assertEquals(7L, cfg.seed());
        assertEquals(32, cfg.imageSize());
        CliRun fit = CliRun.run("fit", "--config", config.toString());
        assertEquals(0, fit.exitCode(), fit.err());
        Path fitDir = run.resolve("fit-best");
        assertEquals(Files.readString(run.resolve("split.json")), Files.readString(fitDir.resolve("split.json")),
                "fit trains on the search's split");
        List<String> history = Files.readAllLines(fitDir.resolve(History.CSV_FILE));
        double fitValLoss = Double.parseDouble(history.get(best.get("bestEpoch").asInt()).split(",")[3]);
        assertEquals(best.get("value").asDouble(), fitValLoss, 1e-4,
                "fit reproduces the trial's val_loss at its best epoch: " + history);
    }

    @Test
    void resumeKeepsFinishedTrialsAndRefusesAnotherSpaceOrSeed() throws Exception {
        Path dir = tmp.resolve("resume");
        CliRun a = CliRun.run("tune", "--data", images.toString(), "--backbone", "tiny", "--image-size", "32",
                "--space", space.toString(), "--trials", "2", "--seed", "7", "--run-dir", dir.toString());
        assertEquals(0, a.exitCode(), a.err());
        String twoRows = Files.readString(dir.resolve("search/trials.jsonl"));

        Path other = Files.writeString(tmp.resolve("other.yaml"), SPACE.replace("headEpochs: 2", "headEpochs: 3"));
        CliRun b = CliRun.run("tune", "--run-dir", dir.toString(), "--resume", "--trials", "4", "--space",
                other.toString());
        assertEquals(2, b.exitCode(), b.err());
        assertTrue(b.err().contains("holds another search"), b.err());
        CliRun c = CliRun.run("tune", "--run-dir", dir.toString(), "--resume", "--trials", "4", "--seed", "8");
        assertEquals(2, c.exitCode(), c.err());
        assertTrue(c.err().contains("--seed 8 but the search used 7"), c.err());
        assertEquals(twoRows, Files.readString(dir.resolve("search/trials.jsonl")), "nothing written was changed");

        CliRun d = CliRun.run("--json", "tune", "--run-dir", dir.toString(), "--resume", "--trials", "4");
        assertEquals(0, d.exitCode(), d.err());
        assertEquals(2, lines(d).stream().filter(n -> n.get("type").asText().equals("trialSkipped")).count());
        assertEquals(2, lines(d).stream().filter(n -> n.get("type").asText().equals("trial")).count());
        assertTrue(Files.readString(dir.resolve("search/trials.jsonl")).startsWith(twoRows));
        // the same seed draws the same trials: the resumed search's rows are the uninterrupted search's
        assertEquals(Files.readAllLines(run.resolve("search/results.csv")).stream().map(TuneCommandTest::params)
                .toList(), Files.readAllLines(dir.resolve("search/results.csv")).stream().map(TuneCommandTest::params)
                .toList());
    }

    /** A results.csv row without its timing column (trial, status, objective, best_epoch, epochs, seconds, ...). */
    private static String params(String row) {
        String[] f = row.split(",", -1);
        f[5] = "";
        return String.join(",", f);
    }

    @Test
    void badInputIsAOneLineUsageErrorAndWritesNothing() throws Exception {
        Path dir = tmp.resolve("bad");
        String[][] cases = {
                {"--data", images.toString(), "--backbone", "tiny", "--run-dir", dir.toString()},
                {"--data", images.toString(), "--backbone", "tiny", "--run-dir", dir.toString(), "--trials", "0"},
                {"--data", images.toString(), "--backbone", "tiny", "--run-dir", dir.toString(), "--time", "90"},
                {"--data", images.toString(), "--backbone", "tiny", "--run-dir", dir.toString(), "--trial", "3"},
                {"--data", images.toString(), "--backbone", "tiny", "--run-dir", dir.toString(), "--trials", "3",
                        "--strategy", "bayes"},
        };
        String[] expected = {"a search needs a budget: --trials N and/or --time DURATION",
                "--trials must be >= 1 (one trial at least); received 0",
                "--time must be a duration such as 90s, 20m, 1h or 1h30m; received '90' (add a unit",
                "Did you mean --trials?", "--strategy"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = Stream.concat(Stream.of("tune"), Stream.of(cases[i])).toArray(String[]::new);
            CliRun r = CliRun.run(args);
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().contains(expected[i]), r.err());
        }
        Path badSpace = Files.writeString(tmp.resolve("bad-space.yaml"), SPACE.replace("unfreeze: none",
                "unfreeze: {type: choice, values: [none, block9]}"));
        CliRun r = CliRun.run("tune", "--data", images.toString(), "--backbone", "tiny", "--image-size", "32",
                "--space", badSpace.toString(), "--trials", "2", "--run-dir", dir.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("block9") && r.err().contains("block3"), r.err());
        assertEquals(List.of(), RunDirectoryFaultsTest.listing(dir), "nothing of the search was written");

        CliRun full = CliRun.run("tune", "--data", images.toString(), "--backbone", "tiny", "--trials", "2",
                "--run-dir", run.toString());
        assertEquals(2, full.exitCode());
        assertTrue(full.err().contains("transfer4j tune --run-dir " + run + " --resume"), full.err());
    }

    @Test
    void refusesRandomInitialisationWhenImageNetWeightsAreUnavailableUnlessAsked() throws Exception {
        Path dir = tmp.resolve("noweights");
        Zoo offline = Zoo.builder().home(tmp.resolve("cache")).dl4jHome(tmp.resolve("dl4j"))
                .kerasHome(tmp.resolve("keras")).offline(true).build();
        java.util.function.Consumer<CommandLine> withZoo = cl -> ((TuneCommand) cl.getSubcommands().get("tune")
                .getCommand()).zoo = () -> offline;
        CliRun r = CliRun.run(withZoo, "tune", "--data", images.toString(), "--backbone", "resnet50", "--run-dir",
                dir.toString(), "--image-size", "32", "--trials", "2");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("ImageNet weights for resnet50 are not available") && r.err().contains(
                "--weights random"), r.err());
        assertFalse(Files.exists(dir.resolve(TuneCommand.SETTINGS)), "nothing of the search was written");
    }

    @Test
    void aTimeBudgetTooSmallForOneTrialSaysSoAndLeavesTheSearchResumable() throws Exception {
        Path dir = tmp.resolve("short");
        // 1,000 cached epochs without early stopping cannot end within a second, even on a quiet fast machine
        // (30 epochs did: a cached tiny epoch takes ~3 ms there); the resume below runs one such trial
        Path longer = Files.writeString(tmp.resolve("longer.yaml"),
                SPACE.replace("headEpochs: 2", "headEpochs: 1000\n  patience: 1000"));
        CliRun r = CliRun.run("tune", "--data", images.toString(), "--backbone", "tiny", "--image-size", "32",
                "--space", longer.toString(), "--time", "1s", "--run-dir", dir.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("ended before the first trial finished"), r.err());
        assertTrue(Files.isRegularFile(dir.resolve(TuneCommand.SETTINGS)) && Files.isRegularFile(
                dir.resolve("search/search.json")), "kept for a resume with more time");
        CliRun more = CliRun.run("tune", "--run-dir", dir.toString(), "--resume", "--trials", "1");
        assertEquals(0, more.exitCode(), more.err());
        assertEquals(1, Files.readAllLines(dir.resolve("search/trials.jsonl")).size());
    }
}
