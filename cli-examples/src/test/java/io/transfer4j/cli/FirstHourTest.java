package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

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
}
