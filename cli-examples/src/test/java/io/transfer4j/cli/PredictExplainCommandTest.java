package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictExplainCommandTest {

    @TempDir
    static Path tmp;
    static Path bundle;
    static Path images;
    static final List<String> LABELS = List.of("circles", "squares", "stripes");

    @BeforeAll
    static void setUp() throws Exception {
        images = TinyBundles.images(tmp.resolve("images"), 3, 2);
        bundle = TinyBundles.bundle(tmp.resolve("tiny.t4j"), LABELS);
    }

    private static Path image(String cls, int i) {
        return images.resolve(cls).resolve(String.format("%s_%04d.%s", cls, i, i % 2 == 0 ? "png" : "jpg"));
    }

    @Test
    void printsATableWithTheTopLabels() {
        CliRun r = CliRun.run("predict", "--model", bundle.toString(), "--top", "2", image("circles", 0).toString(),
                image("stripes", 1).toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("file\\s+label 1\\s+probability\\s+label 2\\s+probability"), lines.get(0));
        assertEquals(3, lines.size(), r.out());
        for (String l : lines.subList(1, 3)) {
            String[] cells = l.trim().split("\\s+");
            assertTrue(LABELS.contains(cells[1]) && LABELS.contains(cells[3]) && !cells[1].equals(cells[3]), l);
            double p1 = Double.parseDouble(cells[2]);
            double p2 = Double.parseDouble(cells[4]);
            assertTrue(p1 >= p2 && p1 + p2 <= 1.0001, "ranked probabilities: " + l);
        }
    }

    @Test
    void writesCsvAndJsonForADirectory() throws Exception {
        Path csv = tmp.resolve("out/p.csv");
        CliRun r = CliRun.run("predict", "--model", bundle.toString(), "--out", csv.toString(), images.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("Wrote 6 predictions to " + csv, r.out().strip());
        List<String> rows = Files.readAllLines(csv);
        assertEquals("path,label_1,probability_1,error", rows.get(0));
        assertEquals(7, rows.size());
        assertTrue(rows.get(1).startsWith(image("circles", 0) + ","), rows.get(1));

        Path json = tmp.resolve("out/p.json");
        r = CliRun.run("predict", "--model", bundle.toString(), "--out", json.toString(), "--top", "3",
                images.resolve("squares").toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode n = new ObjectMapper().readTree(json.toFile()).get("rows");
        assertEquals(2, n.size());
        JsonNode preds = n.get(0).get("predictions");
        assertEquals(3, preds.size());
        double sum = 0;
        for (JsonNode p : preds) {
            sum += p.get("probability").asDouble();
            assertEquals(LABELS.get(p.get("index").asInt()), p.get("label").asText());
        }
        assertEquals(1.0, sum, 1e-4, "all three labels of a softmax add up to 1");
    }

    @Test
    void unreadableFilesAreReportedSkippedAndMakeTheExitCodeOne() throws Exception {
        Path broken = Files.writeString(tmp.resolve("broken.png"), "not an image");
        CliRun r = CliRun.run("predict", "--model", bundle.toString(), image("circles", 0).toString(),
                broken.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("warning: cannot read " + broken), r.err());
        assertTrue(r.out().contains("1 of 2 files could not be read"), r.out());
        assertTrue(r.out().contains("(unreadable)"), r.out());
    }

    @Test
    void usageErrors() {
        CliRun r = CliRun.run("predict", "--model", bundle.toString(), "--out", "p.xml", images.toString());
        assertEquals(2, r.exitCode());
        assertEquals("transfer4j: --out must end in .csv or .json; received p.xml", r.err().strip());
        r = CliRun.run("predict", "--model", bundle.toString(), tmp.resolve("missing.png").toString());
        assertEquals(2, r.exitCode());
        assertEquals("transfer4j: no such file or directory: " + tmp.resolve("missing.png"), r.err().strip());
        r = CliRun.run("predict", "--model", bundle.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("PATH"), r.err());
        r = CliRun.run("explain", "--model", bundle.toString(), "--out", "x.jpg", image("circles", 0).toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--out must be a .png file"), r.err());
    }

    @Test
    void summaryOfABundleShowsItsManifestAndLayers() {
        CliRun r = CliRun.run("summary", bundle.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("3 labels [circles, squares, stripes]"), r.out());
        assertTrue(r.out().contains("Total params:"), r.out());
        r = CliRun.run("summary", tmp.resolve("none.t4j").toString());
        assertEquals(2, r.exitCode());
        assertEquals("transfer4j: BUNDLE: no such file: " + tmp.resolve("none.t4j"), r.err().strip());
    }

    @Test
    void explainWritesAGradCamPngOfTheImagesSize() throws Exception {
        Path png = tmp.resolve("why/cam.png");
        CliRun r = CliRun.run("explain", "--model", bundle.toString(), "--out", png.toString(),
                image("squares", 0).toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith(image("squares", 0) + " -> "), r.out());
        assertTrue(r.out().contains("Grad-CAM at layer ") && r.out().contains(" written to " + png), r.out());
        BufferedImage cam = ImageIO.read(png.toFile());
        assertEquals(224 + 64, cam.getWidth(), "the 32 px image, enlarged 7x, and the colour bar");
        assertEquals(224, cam.getHeight());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(png), Files.readAllBytes(image("squares", 0))));

        // a 2:1 image stays 2:1 (the model sees it squeezed to 32 x 32; the overlay does not)
        BufferedImage wide = new BufferedImage(60, 30, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(wide, "png", tmp.resolve("wide.png").toFile());
        Path widePng = tmp.resolve("why/wide-cam.png");
        r = CliRun.run("explain", "--model", bundle.toString(), "--out", widePng.toString(),
                tmp.resolve("wide.png").toString());
        assertEquals(0, r.exitCode(), r.err());
        BufferedImage w = ImageIO.read(widePng.toFile());
        assertEquals(224 + 64, w.getWidth());
        assertEquals(112, w.getHeight(), "aspect ratio of the image, not of the model input");
    }
}
