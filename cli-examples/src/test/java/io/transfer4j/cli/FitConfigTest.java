package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.cli.internal.ConfigFiles;

class FitConfigTest {

    @TempDir
    Path dir;

    private FitConfig read(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return ConfigFiles.read(f, FitConfig.class);
    }

    private String error(String name, String text) {
        UsageException e = assertThrows(UsageException.class, () -> read(name, text));
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsYamlWithEnumsListsAndKerasStyleNumbers() throws Exception {
        FitConfig c = read("run.yaml", """
                data: images
                backbone: resnet50
                runDir: runs/a
                seed: 7
                imageSize: 64
                pooling: max
                dense: [128, 64]
                weights: random
                headLearningRate: 1e-3
                fineTuneLearningRate: 0.0001
                unfreeze: res5
                """);
        assertEquals(Path.of("images"), c.data());
        assertEquals(7L, c.seed());
        assertEquals(FitConfig.Pooling.MAX, c.pooling());
        assertEquals(FitConfig.Weights.RANDOM, c.weights());
        assertEquals(List.of(128, 64), c.dense());
        assertEquals(1e-3, c.headLearningRate(), 0);
        assertNull(c.batchSize(), "not given stays null until defaults are applied");
        FitConfig d = c.withDefaults();
        assertEquals(16, d.batchSize());
        assertEquals("res5", d.unfreeze());
        assertTrue(d.fineTunes());
    }

    @Test
    void readsJson() throws Exception {
        FitConfig c = read("run.json", "{\"backbone\": \"vgg16\", \"batchSize\": 8, \"augment\": false}");
        assertEquals("vgg16", c.backbone());
        assertEquals(8, c.batchSize());
        assertEquals(false, c.augment());
    }

    @Test
    void unknownKeyNamesTheLineTheKeyAndTheNearestAllowedOne() {
        String msg = error("run.yaml", "backbone: resnet50\nbatch_size: 16\n");
        assertTrue(msg.contains("run.yaml line 2"), msg);
        assertTrue(msg.contains("unknown key 'batch_size'"), msg);
        assertTrue(msg.contains("did you mean 'batchSize'?"), msg);
        assertTrue(msg.contains("allowed keys: augment, backbone, batchSize"), msg);
    }

    @Test
    void wrongTypesSayWhatWasReceivedAndWhatIsAllowed() {
        String msg = error("run.yaml", "batchSize: sixteen\n");
        assertTrue(msg.contains("'batchSize' must be a whole number; received \"sixteen\""), msg);
        msg = error("run.yaml", "batchSize: 16.5\n");
        assertTrue(msg.contains("'batchSize' must be a whole number; received") && msg.contains("16.5"), msg);
        msg = error("run.yaml", "pooling: median\n");
        assertTrue(msg.contains("'pooling' must be one of avg, max; received \"median\""), msg);
        msg = error("run.json", "{\"dense\": 128}");
        assertTrue(msg.contains("'dense' must be a list"), msg);
        msg = error("run.yaml", "augment: [1]\n");
        assertTrue(msg.contains("'augment' must be true or false; received a list"), msg);
        msg = error("run.yaml", "backbone: resnet50\nseed: 1\ndense: [64, big]\n");
        assertTrue(msg.contains("line 3") && msg.contains("'dense[1]' must be a whole number; received \"big\""), msg);
        msg = error("run.yaml", "seed: \"42\"\n");
        assertTrue(msg.contains("'seed' must be a whole number; received"), msg);
    }

    @Test
    void syntaxErrorsAndBadFilesAreUsageErrors() {
        for (String[] c : new String[][] {{"run.yaml", "backbone: 'unclosed\nseed: 1\n", "not valid YAML"},
                {"run.json", "{\"backbone\": }", "not valid JSON"},
                {"run.toml", "backbone = 1", "must end in .yaml, .yml or .json"}, {"run.yaml", "", "is empty"}}) {
            String msg = error(c[0], c[1]);
            assertTrue(msg.contains(c[2]), msg);
        }
        UsageException e = assertThrows(UsageException.class,
                () -> ConfigFiles.read(dir.resolve("missing.yaml"), FitConfig.class));
        assertTrue(e.getMessage().startsWith("config file not found: "), e.getMessage());
    }

    @Test
    void flagsWinOverTheFileAndDefaultsAreChecked() {
        FitConfig file = new FitConfig(Path.of("a"), "resnet50", Path.of("r"), 1L, null, 32, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
        FitConfig flags = new FitConfig(Path.of("b"), null, null, 9L, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
        FitConfig c = flags.over(file).withDefaults();
        assertEquals(Path.of("b"), c.data());
        assertEquals(9L, c.seed());
        assertEquals(32, c.batchSize());
        UsageException e = assertThrows(UsageException.class, () -> new FitConfig(Path.of("a"), "resnet50",
                Path.of("r"), null, null, null, 0.5, 0.5, null, null, null, null, null, null, null, null, null, null,
                null).withDefaults());
        assertEquals("config 'validationSplit + testSplit' must leave at least 10 % for training; received 1.0",
                e.getMessage());
        e = assertThrows(UsageException.class, () -> FitConfig.empty().withDefaults());
        assertTrue(e.getMessage().startsWith("config 'data' is required"), e.getMessage());
    }
    @Test
    void aWrittenConfigFileReadsBackToTheSameConfig() throws Exception {
        FitConfig c = new FitConfig(Path.of("images"), "resnet50", Path.of("runs/best"), 7L, 64, 32, 0.2, 0.1,
                FitConfig.Weights.RANDOM, FitConfig.Pooling.MAX, List.of(256, 64), 0.25, false, 4, 3.2e-3, "none", 6,
                2.5e-5, 2, null, "-600,1500", "balanced", false, List.of("checkpoint")).withDefaults();
        Path f = ConfigFiles.writeYaml(dir.resolve("best.yaml"), c.fileKeys(), "best of 3 trials\nrun: fit");
        String text = Files.readString(f);
        assertTrue(text.startsWith("# best of 3 trials\n# run: fit\n"), text);
        assertTrue(text.contains("weights: random"), text);
        assertEquals(c, ConfigFiles.read(f, FitConfig.class).withDefaults());
        // strings that YAML would read as something else stay strings
        FitConfig odd = new FitConfig(Path.of("yes"), "1e-3", Path.of("true"), null, null, null, null, null, null,
                null, null, null, null, null, null, "no", null, null, null);
        assertEquals(odd, ConfigFiles.read(ConfigFiles.writeYaml(dir.resolve("odd.yaml"), odd.fileKeys(), null),
                FitConfig.class));
    }
}
