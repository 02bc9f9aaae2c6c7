package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.transfer4j.testdata.HostileFiles;
import io.transfer4j.testdata.ImageFolders;

/** {@code transfer4j data scan|check|split} and {@code augment preview}, run in-process. */
class DataCommandTest {
    @TempDir
    static Path tmp;
    static Path dir;
    static Path hostile;

    @BeforeAll
    static void generate() throws IOException {
        dir = tmp.resolve("data");
        ImageFolders.generate(dir, new ImageFolders.Spec(3, 10, 24, List.of("png", "jpg"), 2));
        hostile = HostileFiles.generate(tmp.resolve("hostile"), 1).root();
    }

    @Test
    void scanPrintsClassIndicesCountsAndFilesInFlowOrder() {
        CliRun r = CliRun.run("data", "scan", dir.toString(), "--validation-split", "0.2", "--subset", "validation");
        assertEquals(ExitCode.OK, r.exitCode(), r.err());
        assertTrue(r.out().contains("Found 6 images belonging to 3 classes (validation subset"), r.out());
        assertTrue(r.out().contains("circles") && r.out().contains("0\tcircles/circles_0000.png"), r.out());
        assertTrue(!r.out().contains("circles_0002.png"), "only the first 20% of each class: " + r.out());
        CliRun counts = CliRun.run("data", "scan", dir.toString(), "--counts-only");
        assertTrue(counts.out().contains("squares") && !counts.out().contains(".png"), counts.out());
    }

    @Test
    void scanJsonIsOneParsableResult() throws IOException {
        CliRun r = CliRun.run("data", "scan", dir.toString(), "--classes", "stripes,circles", "--json");
        assertEquals(ExitCode.OK, r.exitCode(), r.err());
        String line = r.out().lines().filter(l -> l.contains("\"result\"")).findFirst().orElseThrow();
        JsonNode j = new ObjectMapper().readTree(line);
        assertEquals(0, j.get("classIndices").get("stripes").asInt());
        assertEquals(20, j.get("samples").asInt());
        assertEquals("stripes/stripes_0000.png", j.get("files").get(0).asText());
    }

    @Test
    void checkReportsBadFilesAndExitsOne() {
        CliRun r = CliRun.run("data", "check", hostile.toString());
        assertEquals(ExitCode.FAILURE, r.exitCode(), r.out() + r.err());
        for (String f : List.of("cats/empty.jpg: empty", "cats/truncated.jpg: truncated", "cats/bomb.png: too many",
                "cats/notes.PNG: not an image", "cats/cmyk.jpg: unsupported")) {
            assertTrue(r.out().contains(f), f + " missing in\n" + r.out());
        }
        assertTrue(r.err().contains("empty_class"), "empty class warning: " + r.err());
        CliRun clean = CliRun.run("data", "check", dir.toString());
        assertEquals(ExitCode.OK, clean.exitCode(), clean.out() + clean.err());
        assertTrue(clean.out().contains("OK: 30 files checked"), clean.out());
    }

    @Test
    void usageErrorsExitTwoWithWhatWasReceived() throws IOException {
        CliRun r = CliRun.run("data", "scan", tmp.resolve("nope").toString());
        assertEquals(ExitCode.USAGE, r.exitCode());
        assertTrue(r.err().contains("does not exist"), r.err());
        r = CliRun.run("data", "scan", dir.toString(), "--subset", "validation");
        assertEquals(ExitCode.USAGE, r.exitCode());
        assertTrue(r.err().contains("--validation-split"), r.err());
        Path empty = Files.createDirectories(tmp.resolve("noimages/a"));
        r = CliRun.run("data", "scan", empty.getParent().toString());
        assertEquals(ExitCode.USAGE, r.exitCode());
        assertTrue(r.err().contains("*.jpeg") && r.err().contains(empty.getParent().toString()), r.err());
        r = CliRun.run("data", "split", dir.toString(), "--out", tmp.resolve("x").toString(), "--ratios", "70/20/20");
        assertEquals(ExitCode.USAGE, r.exitCode());
        assertTrue(r.err().contains("70/20/20"), r.err());
    }

    @Test
    void splitWritesAManifestAndOptionallyCopies() throws IOException {
        Path out = tmp.resolve("split");
        CliRun r = CliRun.run("data", "split", dir.toString(), "--out", out.toString(), "--ratios", "60/20/20",
                "--seed", "3", "--copy");
        assertEquals(ExitCode.OK, r.exitCode(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("split.json")));
        assertTrue(r.out().contains("train 18, validation 6, test 6 images -> "), r.out());
        try (var s = Files.walk(out.resolve("test"))) {
            assertEquals(6, s.filter(Files::isRegularFile).count());
        }
    }

    @Test
    void splitCountsUsableImagesAndListsTheSkippedOnce() throws IOException {
        Path out = tmp.resolve("split-hostile");
        CliRun r = CliRun.run("data", "split", hostile.toString(), "--out", out.toString(), "--seed", "3");
        assertEquals(ExitCode.OK, r.exitCode(), r.err());
        String manifest = Files.readString(out.resolve("split.json"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("train (\\d+), validation (\\d+), test (\\d+) "
                + "images, (\\d+) file\\(s\\) skipped").matcher(r.out());
        assertTrue(m.find(), r.out());
        int skipped = Integer.parseInt(m.group(4));
        assertTrue(skipped > 0 && manifest.contains("\"excluded\""), r.out());
        assertTrue(r.err().contains("skipped " + skipped + " file(s) that cannot be used"), r.err());
        int items = manifest.split("\"file\"", -1).length - 1;
        assertEquals(Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(3))
                + skipped, items, "usable + skipped = every file in the manifest");
    }

    @Test
    void augmentPreviewWritesAGrid() throws IOException {
        Path png = tmp.resolve("grid.png");
        CliRun r = CliRun.run("augment", "preview", "--data", dir.toString(), "--out", png.toString(), "--images",
                "3", "--variants", "4", "--size", "32", "--rotation", "30", "--horizontal-flip");
        assertEquals(ExitCode.OK, r.exitCode(), r.err());
        var img = ImageIO.read(png.toFile());
        assertEquals(5 * 34 + 2, img.getWidth());
        assertEquals(3 * 34 + 2, img.getHeight());
        // variant cells differ from the original cell
        int diff = 0;
        for (int y = 2; y < 34; y++) {
            for (int x = 2; x < 34; x++) {
                diff += img.getRGB(x, y) != img.getRGB(x + 34, y) ? 1 : 0;
            }
        }
        assertTrue(diff > 50, "augmented cell should differ from the original: " + diff);
        CliRun bad = CliRun.run("augment", "preview", "--data", dir.toString(), "--out", png.toString(),
                "--fill-mode", "mirror");
        assertEquals(ExitCode.USAGE, bad.exitCode());
        assertTrue(bad.err().contains("'mirror'"), bad.err());
    }
}
