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

class EvaluateCommandTest {

    @TempDir
    static Path tmp;
    static Path bundle;
    static Path images;

    @BeforeAll
    static void setUp() throws Exception {
        images = TinyBundles.images(tmp.resolve("images"), 3, 4);
        bundle = TinyBundles.bundle(tmp.resolve("tiny.t4j"), List.of("circles", "squares", "stripes"));
    }

    @Test
    void printsAccuracyPerClassMetricsAndTheConfusionMatrix() {
        CliRun r = CliRun.run("evaluate", "--model", bundle.toString(), "--data", images.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("12 images in " + images + ": accuracy "), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("class\\s+precision\\s+recall\\s+f1\\s+support")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("squares\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+4")), r.out());
        // the confusion matrix rows add up to 4 images per class
        List<String> cm = r.out().lines().dropWhile(l -> !l.startsWith("confusion matrix")).skip(2)
                .takeWhile(l -> !l.isBlank()).toList();
        assertEquals(3, cm.size(), r.out());
        for (String row : cm) {
            String[] cells = row.trim().split("\\s+");
            int sum = 0;
            for (int i = 1; i < cells.length; i++) {
                sum += Integer.parseInt(cells[i]);
            }
            assertEquals(4, sum, row);
        }
        assertTrue(r.out().strip().lines().reduce((a, b) -> b).orElseThrow()
                .matches("loss [0-9.]+, top-2 accuracy [0-9.]+ %, ROC AUC [0-9.]+"), r.out());
    }

    @Test
    void jsonResultCarriesTheNumbers() throws Exception {
        CliRun r = CliRun.run("--json", "evaluate", "--model", bundle.toString(), "--data", images.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode result = new ObjectMapper().readTree(r.out().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals("result", result.get("type").asText());
        assertEquals(12, result.get("samples").asInt());
        assertEquals(3, result.get("perClass").size());
        double acc = result.get("accuracy").asDouble();
        assertTrue(acc >= 0 && acc <= 1);
        int diagonal = 0;
        for (int i = 0; i < 3; i++) {
            diagonal += result.get("confusion").get(i).get(i).asInt();
        }
        assertEquals(acc, diagonal / 12.0, 1e-9, "accuracy is the confusion matrix's diagonal share");
    }

    @Test
    void aSubsetOfTheClassesIsEvaluatedWithTheModelsLabelIndices() throws Exception {
        Path subset = tmp.resolve("subset");
        Files.createDirectories(subset);
        for (String c : List.of("squares", "stripes")) { // not a prefix of the labels: indices must be mapped
            Path to = Files.createDirectories(subset.resolve(c));
            try (var files = Files.list(images.resolve(c))) {
                for (Path f : files.toList()) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
        CliRun r = CliRun.run("--json", "evaluate", "--model", bundle.toString(), "--data", subset.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode result = new ObjectMapper().readTree(r.out().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(8, result.get("samples").asInt());
        JsonNode support = result.get("perClass");
        assertEquals(0, support.get(0).get("support").asInt(), "circles: none in the subset");
        assertEquals(4, support.get(1).get("support").asInt(), "squares");
        assertEquals(4, support.get(2).get("support").asInt(), "stripes");
    }

    @Test
    void badArgumentsAreOneLineUsageErrors() throws Exception {
        CliRun r = CliRun.run("evaluate", "--model", tmp.resolve("nope.t4j").toString(), "--data", images.toString());
        assertEquals(2, r.exitCode());
        assertEquals("transfer4j: --model: no such file: " + tmp.resolve("nope.t4j"), r.err().strip());

        r = CliRun.run("evaluate", "--model", bundle.toString(), "--data", tmp.resolve("nodir").toString());
        assertEquals(2, r.exitCode());
        assertEquals("transfer4j: --data: no such directory: " + tmp.resolve("nodir"), r.err().strip());

        Path other = TinyBundles.images(tmp.resolve("other"), 4, 1); // has "triangles", unknown to the model
        r = CliRun.run("evaluate", "--model", bundle.toString(), "--data", other.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("class folders the model does not know: [triangles]"), r.err());

        r = CliRun.run("evaluate", "--data", images.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--model"), r.err());
    }

    @Test
    void maxPixelsGuardsEvaluationToo() throws Exception {
        // the test images are 32 x 32: under a limit of 1,000 pixels none is readable, and 0 is refused
        CliRun r = CliRun.run("evaluate", "--model", bundle.toString(), "--data", images.toString(),
                "--max-pixels", "1000");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("no usable images in") && r.err().contains("12 bad")
                && r.err().contains("transfer4j data check"), r.err());
        r = CliRun.run("evaluate", "--model", bundle.toString(), "--data", images.toString(), "--max-pixels", "0");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--max-pixels must be >= 1 pixel") && r.err().contains("received 0"), r.err());
        r = CliRun.run("evaluate", "--model", bundle.toString(), "--data", images.toString(), "--max-pixels", "1024");
        assertEquals(0, r.exitCode(), r.err());
    }

    @Test
    void aFileThatIsNotABundleFailsWithExitOne() throws Exception {
        Path fake = Files.writeString(tmp.resolve("fake.t4j"), "not a zip");
        CliRun r = CliRun.run("evaluate", "--model", fake.toString(), "--data", images.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("transfer4j: --model " + fake + " is not a usable transfer4j bundle: "), r.err());
    }
}
