package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.cli.internal.ConfigFiles;
import picocli.CommandLine;

/** The friction a new user met in the first hour with the command line (issue 14), each reproduced. */
class FirstHourTest {

    @TempDir
    static Path tmp;
    static Path images;

    @BeforeAll
    static void images() throws Exception {
        images = TinyBundles.images(tmp.resolve("images"), 2, 4);
    }

    @Test
    void enumValuesAreAcceptedInAnyCaseAsTheHelpSpellsThem() {
        for (String w : new String[] {"random", "RANDOM", "Random", "auto", "pretrained"}) {
            CommandLine.ParseResult r = Transfer4j.commandLine().parseArgs("fit", "--weights", w);
            FitCommand fit = (FitCommand) r.subcommand().commandSpec().userObject();
            assertEquals(w.toUpperCase(java.util.Locale.ROOT), fit.weights.name());
        }
        CliRun r = CliRun.run("fit", "--weights", "randm");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("randm") && r.err().toLowerCase(java.util.Locale.ROOT).contains("random"),
                r.err());
    }

    @Test
    void aYamlOrJsonKeyGivenTwiceIsRefusedWithItsLine() throws Exception {
        Path yaml = Files.writeString(tmp.resolve("twice.yaml"), "backbone: tiny\nseed: 1\nheadEpochs: 2\nseed: 2\n");
        UsageException e = assertThrows(UsageException.class, () -> ConfigFiles.read(yaml, FitConfig.class));
        assertTrue(e.getMessage().contains("key 'seed' is given twice (first at line 2)"), e.getMessage());
        assertTrue(e.getMessage().contains("twice.yaml line 4"), e.getMessage());
        Path json = Files.writeString(tmp.resolve("twice.json"), "{\"seed\": 1, \"seed\": 2}");
        e = assertThrows(UsageException.class, () -> ConfigFiles.read(json, FitConfig.class));
        assertTrue(e.getMessage().contains("key 'seed' is given twice"), e.getMessage());
    }

    @Test
    void anImageSizeThatCannotFitInMemoryIsAUsageErrorBeforeAnythingIsTrained() {
        Path run = tmp.resolve("huge");
        CliRun r = CliRun.run("fit", "--data", images.toString(), "--backbone", "resnet50", "--weights", "random",
                "--run-dir", run.toString(), "--image-size", "100000");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("image size 100000 px (--image-size, config 'imageSize') with batch 16 does not "
                + "fit in memory"), r.err());
        assertTrue(r.err().contains("use a smaller input size"), r.err());
        assertFalse(Files.exists(run.resolve("split.json")), "nothing of the run was written");
    }

    @Test
    void theSettingsUsersTuneHaveFlagsThatLandInTheConfigAndTheRunKeepsOnlyWhatIsAsked() throws Exception {
        Path run = tmp.resolve("flags");
        CliRun r = CliRun.run("--json", "fit", "--data", images.toString(), "--backbone", "tiny", "--weights", "random",
                "--run-dir", run.toString(), "--image-size", "32", "--head-epochs", "1", "--fine-tune-epochs", "0",
                "--no-augment", "--head-lr", "0.01", "--fine-tune-learning-rate", "0.002", "--dense", "8,4",
                "--dropout", "0.25", "--patience", "2", "--class-weights", "balanced", "--lr-find");
        assertEquals(0, r.exitCode(), r.err());
        com.fasterxml.jackson.databind.JsonNode c = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(run.resolve("config.json").toFile());
        assertEquals(0.01, c.get("headLearningRate").asDouble());
        assertEquals(0.002, c.get("fineTuneLearningRate").asDouble());
        assertEquals("[8,4]", c.get("dense").toString());
        assertEquals(0.25, c.get("dropout").asDouble());
        assertEquals(2, c.get("patience").asInt());
        assertEquals("balanced", c.get("classWeights").asText());
        assertTrue(c.get("lrFind").asBoolean());
        assertTrue(r.out().contains("Learning-rate range test"), r.out());
        assertTrue(Files.isRegularFile(run.resolve("model.t4j")));
        assertFalse(Files.exists(run.resolve("initial-model.t4j")), "no initial model unless asked");
        assertFalse(Files.exists(run.resolve("checkpoint.json")), "no checkpoint unless asked");
        try (var files = Files.list(run)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("ckpt-")));
        }
        CliRun again = CliRun.run("fit", "--resume", run.toString());
        assertEquals(2, again.exitCode());
        assertTrue(again.err().contains("has finished (model.t4j is written) and did not keep what resuming needs"),
                again.err());
    }

    @Test
    void theSplitLineCountsUsableImagesAndUndecodableFilesAreReportedOnceInTheCliStyle() throws Exception {
        Path data = TinyBundles.images(tmp.resolve("with-bad"), 2, 5);
        String cls;
        try (var dirs = Files.list(data)) {
            cls = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().findFirst()
                    .orElseThrow();
        }
        Files.write(data.resolve(cls).resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Files.write(data.resolve(cls).resolve("zz-truncated.jpg"), java.util.Arrays.copyOf(
                Files.readAllBytes(Files.list(data.resolve(cls)).filter(p -> p.toString().endsWith(".jpg"))
                        .findFirst().orElseThrow()), 40));
        Path run = tmp.resolve("with-bad-run");
        CliRun r = CliRun.run("fit", "--data", data.toString(), "--backbone", "tiny", "--weights", "random",
                "--run-dir", run.toString(), "--image-size", "32", "--head-epochs", "2", "--fine-tune-epochs", "0",
                "--no-augment");
        assertEquals(0, r.exitCode(), r.err());
        String line = r.out().lines().filter(l -> l.startsWith("Data: ")).findFirst().orElseThrow();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("split (\\d+) train / (\\d+) validation / "
                + "(\\d+) test images").matcher(line);
        assertTrue(m.find(), line);
        int counted = Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(3));
        assertEquals(10, counted, "usable images only: " + line);
        assertTrue(line.endsWith("; 2 file(s) skipped"), line);
        assertEquals(1, r.err().split("skipped 2 file\\(s\\) that cannot be used", -1).length - 1, r.err());
        assertTrue(r.err().contains("\n  - " + cls + "/broken.png: ") && r.err().contains(cls + "/zz-truncated.jpg"),
                r.err());
        assertFalse(r.err().contains("Skipping") || r.out().contains("Skipping"), "no per-epoch logger lines");
        String manifest = Files.readString(run.resolve("split.json"));
        assertTrue(manifest.contains("\"excluded\"") && manifest.contains(cls + "/broken.png"), manifest);
    }

    @Test
    void aClassWhoseFilesAreAllUnusableIsAUsageErrorNotASilentlyEmptyClass() throws Exception {
        Path data = TinyBundles.images(tmp.resolve("dead-class"), 2, 4);
        Path cat = Files.createDirectories(data.resolve("zz-cat"));
        for (int i = 0; i < 3; i++) {
            Files.writeString(cat.resolve("c" + i + ".jpg"), "x");
        }
        Path run = tmp.resolve("dead-class-run");
        CliRun r = CliRun.run("fit", "--data", data.toString(), "--backbone", "tiny", "--weights", "random",
                "--run-dir", run.toString(), "--image-size", "32", "--head-epochs", "1", "--fine-tune-epochs", "0");
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("class 'zz-cat' has no usable training image in " + data + ": 3 of its file(s) "
                + "cannot be used"), r.err());
        assertTrue(r.err().contains("`transfer4j data check " + data + "` lists them"), r.err());
        assertTrue(r.err().contains("or remove that folder to train without the class"), r.err());
        assertFalse(Files.exists(run.resolve("model.t4j")), "nothing trained");
    }

    @Test
    void badTuningValuesAreUsageErrorsNamingTheKey() {
        String[] base = {"fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir",
                tmp.resolve("bad").toString()};
        for (String[] c : new String[][] {
                {"--dropout", "0.5", "config 'dropout' applies after the head's hidden dense layers"},
                {"--class-weights", "cat=-1", "config 'classWeights' (--class-weights) must be none, balanced or"},
                {"--keep", "checkpoints", "config 'keep' must list checkpoint, initial-model, all; received "
                        + "'checkpoints' Did you mean 'checkpoint'?"}}) {
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base),
                    java.util.stream.Stream.of(c[0], c[1])).toArray(String[]::new);
            CliRun r = CliRun.run(args);
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().contains(c[2]), r.err());
        }
    }

    @Test
    void anUnknownOptionNamesTheClosestOptionsAndTheirConfigKeys() {
        CliRun r = CliRun.run("fit", "--learning-rate", "0.01");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("'--learning-rate'") && r.err().contains("Did you mean --head-learning-rate or "
                + "--fine-tune-learning-rate (config keys headLearningRate, fineTuneLearningRate)?"), r.err());
        r = CliRun.run("fit", "--batchSize", "8");
        assertTrue(r.err().contains("Did you mean --batch-size (config key batchSize)?"), r.err());
        r = CliRun.run("fit", "--run-dri", "x");
        assertTrue(r.err().contains("Did you mean --run-dir (config key runDir)?"), r.err());
    }

    @Test
    void errorsOverThreeHundredCharactersBecomeAHeadlineAndAnIndentedList() {
        String shortOne = "config 'seed' must be a whole number; received \"x\"";
        assertEquals(shortOne, Transfer4j.readable(shortOne));
        StringBuilder tried = new StringBuilder("could not download resnet50 weights. Tried 5 sources");
        for (int i = 1; i <= 5; i++) {
            tried.append("; https://mirror").append(i).append(".example.org/models/resnet50_weights_tf_dim_ordering"
                    + "_tf_kernels_notop.h5: connection refused");
        }
        tried.append(". Install a verified copy with: transfer4j models install resnet50 --from FILE");
        String r = Transfer4j.readable(tried.toString());
        List<String> lines = r.lines().toList();
        assertEquals("could not download resnet50 weights.", lines.get(0));
        assertEquals("  - Tried 5 sources", lines.get(1));
        assertTrue(lines.get(2).startsWith("  - https://mirror1.example.org/"), r);
        assertEquals("  - Install a verified copy with: transfer4j models install resnet50 --from FILE",
                lines.get(lines.size() - 1));
        assertEquals(8, lines.size(), r);
        String structured = "no weights\n  Missing: any one of\n    - a.zip\n  Looked in: /" + "x".repeat(300) + "  \n";
        assertEquals("no weights\n  Missing: any one of\n    - a.zip\n  Looked in: /" + "x".repeat(300),
                Transfer4j.readable(structured), "a message structured in lines is printed as is");
    }

    @Test
    void longWarningsAreShapedLikeLongErrors() {
        java.io.StringWriter err = new java.io.StringWriter();
        Output o = new Output(Output.Mode.HUMAN, "quickstart", new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(err), false);
        String longOne = "ImageNet weights for resnet50 are not available: unknown host (no network or DNS?). "
                + "This run therefore starts from random initialisation. " + "To use ImageNet weights, download "
                + "x".repeat(200) + ".h5 on a machine with internet access; install it with: transfer4j models "
                + "install resnet50 --from FILE";
        o.warn(longOne);
        List<String> lines = err.toString().lines().toList();
        assertEquals("warning: ImageNet weights for resnet50 are not available: unknown host (no network or DNS?).",
                lines.get(0));
        assertEquals("  - This run therefore starts from random initialisation.", lines.get(1));
        assertEquals("  - install it with: transfer4j models install resnet50 --from FILE", lines.get(lines.size() - 1));
        o.warn("short");
        assertTrue(err.toString().endsWith("warning: short" + System.lineSeparator()), err.toString());
    }

    /** The first line of a long error (the rest is an indented list) is at most 300 characters. */
    private static String firstLine(CliRun r) {
        return r.err().lines().filter(l -> !l.isBlank()).findFirst().orElse("");
    }

    @Test
    void aMisspeltOptionIsNamedEvenWhenARequiredOptionIsMissing() {
        // picocli reported only "Missing required option: '--model=BUNDLE'" here
        CliRun r = CliRun.run("predict", "--modle", "model.t4j", "x.png");
        assertEquals(2, r.exitCode());
        assertTrue(firstLine(r).startsWith("transfer4j: Unknown option: '--modle'")
                && firstLine(r).contains("Did you mean --model?"), r.err());
        r = CliRun.run("predict", "x.png");
        assertTrue(firstLine(r).startsWith("transfer4j: Missing required option: '--model=BUNDLE'"), r.err());
    }

    @Test
    void anImageSizeThatCannotFitInMemoryHasAShortFirstLineSayingWhatToDo() {
        CliRun r = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir",
                tmp.resolve("huge").toString(), "--image-size", "100000");
        assertEquals(2, r.exitCode(), r.err());
        String first = firstLine(r);
        assertTrue(first.length() <= 300, first.length() + ": " + first);
        assertTrue(first.startsWith("transfer4j: image size 100000 px (--image-size, config 'imageSize') with batch 16 "
                + "does not fit in memory: it needs about ") && first.contains("GiB is available")
                && first.contains("Use a smaller --image-size (tiny is made for "), first);
        assertTrue(r.err().contains("\n  - Training at 3x100000x100000, batch 16 needs about "),
                "the estimate's details as an indented list: " + r.err());
        assertFalse(Files.exists(tmp.resolve("huge").resolve("config.json")));
    }

    @Test
    void aPartOfTheSplitEmptiedByUndecodableFilesIsRefusedNamingThePart() throws Exception {
        Path data = TinyBundles.images(tmp.resolve("dead-part"), 2, 6);
        FitConfig cfg = new FitConfig(data, "tiny", tmp.resolve("dead-part-run"), 42L, 32, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null).withDefaults();
        io.transfer4j.augmentation.DataSplit first = io.transfer4j.cli.internal.FitRun.split(cfg);
        assertFalse(first.validation().isEmpty());
        for (io.transfer4j.augmentation.DataSplit.Item i : first.validation()) {
            Files.writeString(first.root().resolve(i.file()), "not an image"); // same seed: the same split
        }
        UsageException e = assertThrows(UsageException.class, () -> io.transfer4j.cli.internal.FitRun.split(cfg));
        assertTrue(e.getMessage().startsWith("no usable image is left in the validation part of the split of "
                + data + " (" + first.validation().size() + " file(s) cannot be used; `transfer4j data check "
                + data + "` lists them)"), e.getMessage());
    }

    @Test
    void maxPixelsIsAFitFlagAndAConfigKeyAndIsChecked() throws Exception {
        // 32 x 32 images under a limit of 1,000 pixels: none is usable
        CliRun r = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir",
                tmp.resolve("pixels").toString(), "--image-size", "32", "--max-pixels", "1000");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("has no usable training image") && r.err().contains("cannot be used"), r.err());
        r = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir",
                tmp.resolve("pixels0").toString(), "--max-pixels", "0");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("config 'maxPixels' must be >= 1 pixel") && r.err().contains("received 0"),
                r.err());
        Path yaml = Files.writeString(tmp.resolve("pixels.yaml"), "maxPixels: -5\n");
        r = CliRun.run("fit", "--config", yaml.toString(), "--data", images.toString(), "--backbone", "tiny",
                "--run-dir", tmp.resolve("pixels1").toString());
        assertTrue(r.err().contains("config 'maxPixels' must be >= 1 pixel") && r.err().contains("received -5"),
                r.err());
    }
}
