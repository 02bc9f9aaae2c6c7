package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.core.Manifest;
import io.transfer4j.core.ModelBundle;

/**
 * The quickstart end to end at a reduced size (8 images per class, 32 px, one epoch per phase): the real ResNet50
 * pipeline, a bundle that loads, a test accuracy, three predictions, a report; a second run reuses the data.
 */
class QuickstartIT {

    @TempDir
    Path tmp;

    private static final String[] SMALL = {"--images-per-class", "8", "--size", "32", "--head-epochs", "1"};

    /**
     * Also: at 80 columns ({@code COLUMNS=80}) every line fits (issue 14: info lines with absolute paths and the
     * missing-weights warning's URL item ran over); only a single word longer than a line - a path, a URL - may
     * stand alone on its line.
     */
    @Test
    void mobilenetv2RunsThePipelineAndFineTunesItsLastStage() throws Exception {
        Path work = tmp.resolve("a-work-directory-with-a-rather-long-name/for/the/quickstart/mobile");
        CliRun r = CliRun.run(java.util.Map.of("COLUMNS", "80"), cl -> { }, concat("quickstart", "--workdir",
                work.toString(), "--backbone", "mobilenetv2", "--fine-tune-epochs", "1"));
        assertEquals(0, r.exitCode(), r.err());
        String all = r.out() + r.err();
        for (String line : all.lines().toList()) {
            assertTrue(line.length() <= 80 || !line.strip().contains(" "), "over 80 columns (" + line.length()
                    + "): " + line + "\nin:\n" + all);
        }
        assertTrue(all.lines().anyMatch(l -> l.length() > 60), "long lines are filled, not cut short: " + all);
        assertTrue(r.out().contains("mobilenetv2 transfer learning"), r.out());
        Manifest m = ModelBundle.readManifest(work.resolve("run/model.t4j"));
        assertEquals("mobilenetv2", m.backbone().id());
        assertEquals("tf", m.normalization().mode(), "the bundle records MobileNetV2's [-1, 1] normalisation");
        assertTrue(Files.readString(work.resolve("run/history.csv")).lines().skip(1)
                .anyMatch(l -> l.startsWith("fine-tune-stage5,")), "the stage5 fine-tuning phase ran");
        assertEquals(3, r.out().lines().filter(l -> l.matches("\\s+\\S+\\s+->\\s+\\S+\\s+[0-9.]+ %")).count(),
                r.out());
        CliRun bad = CliRun.run("quickstart", "--workdir", tmp.resolve("bad").toString(), "--backbone", "resnet5O");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("--backbone must be resnet50, mobilenetv2 or vgg16; received 'resnet5O'"),
                bad.err());
    }

    @Test
    void runsThePipelineAndASecondRunReusesTheData() throws Exception {
        Path work = tmp.resolve("work");
        CliRun r = CliRun.run(concat("quickstart", "--workdir", work.toString(), "--fine-tune-epochs", "1"));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("Wrote 32 sample images"), r.out());

        Matcher acc = Pattern.compile("Test accuracy: ([0-9.]+) % on 4 held-out images").matcher(r.out());
        assertTrue(acc.find(), r.out());
        double accuracy = Double.parseDouble(acc.group(1));
        assertTrue(accuracy >= 0 && accuracy <= 100);

        List<String> predictions = r.out().lines().filter(l -> l.matches("\\s+\\S+\\s+->\\s+\\S+\\s+[0-9.]+ %"))
                .toList();
        assertEquals(3, predictions.size(), r.out());

        Path bundle = work.resolve("run/model.t4j");
        Manifest m = ModelBundle.readManifest(bundle);
        assertEquals(List.of("circles", "squares", "stripes", "triangles"), m.labels());
        assertEquals("resnet50", m.backbone().id());
        assertEquals(32, m.input().height());
        assertTrue(r.out().contains("model bundle   " + bundle), r.out());
        assertTrue(Files.size(work.resolve("run/report.html")) > 10_000);
        assertTrue(Files.readString(work.resolve("run/history.csv")).lines().skip(1)
                .anyMatch(l -> l.startsWith("fine-tune-res5,")), "the res5 fine-tuning phase ran");
        assertTrue(r.err().contains("ImageNet weights for resnet50 are not available")
                && r.err().contains("transfer4j models install resnet50 --from FILE"), "offline paragraph: " + r.err());
        assertNoPartials(work);

        CliRun again = CliRun.run(concat("quickstart", "--workdir", work.toString(), "--fine-tune-epochs", "0"));
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains("Reusing 32 sample images"), again.out());
        assertTrue(Files.readString(work.resolve("run/history.csv")).lines().skip(1).allMatch(l -> l.startsWith("head,")),
                "the second run replaced the first");
        assertNoPartials(work);
    }

    private static void assertNoPartials(Path work) throws Exception {
        try (Stream<Path> s = Files.list(work)) {
            assertEquals(List.of("data", "run"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "only the finished data and run directories");
        }
    }

    private static String[] concat(String... head) {
        String[] all = new String[head.length + SMALL.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(SMALL, 0, all, head.length, SMALL.length);
        return all;
    }
}
