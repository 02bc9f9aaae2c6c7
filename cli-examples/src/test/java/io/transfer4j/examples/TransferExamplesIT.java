package io.transfer4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.transfer4j.cli.Transfer4j;
import picocli.CommandLine;

/**
 * Examples c and d on the real dl4j-animals photos at 32 px (the backbones' minimum), offline as in the test
 * environment: they must say that ImageNet weights cannot be had, run on random weights, and write their outputs.
 */
class TransferExamplesIT {

    @TempDir
    Path out;

    /** Runs the command; returns stdout then stderr (the random-weights warnings go to stderr). */
    private String run(String... args) {
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cl = Transfer4j.commandLine();
        cl.setOut(new PrintWriter(stdout));
        cl.setErr(new PrintWriter(stderr));
        int code = cl.execute(args);
        assertEquals(0, code, "stdout:\n" + stdout + "\nstderr:\n" + stderr);
        assertTrue(stderr.toString().contains("warning: running with RANDOM initialisation"), stderr.toString());
        return stdout + "\n" + stderr;
    }

    private static Path animals() {
        Path dir = Datasets.shared().resolve("dl4j-animals");
        assumeTrue(Files.isDirectory(dir), "dl4j-animals not present at " + dir
                + " (see ../shared/datasets/dl4j-animals.SOURCE.md); skipping");
        return dir;
    }

    @Test
    void vgg16TransferRunsOfflineOnRandomWeightsAndSaysSo() throws Exception {
        String stdout = run("example", "vgg16-transfer", "--data", animals().toString(), "--out", out.toString(),
                "--image-size", "32", "--epochs", "1", "--batch-size", "16");
        assertTrue(stdout.contains("ImageNet weights for vgg16 cannot be had"), stdout);
        assertTrue(stdout.contains("transfer4j models install vgg16 --from FILE"), stdout);
        assertTrue(stdout.contains("66,180 trainable"), "Flatten(512) -> Dense 128 -> 4: " + stdout);
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertFalse(m.get("pretrained_weights").asBoolean());
        assertEquals(67, m.get("train_images").asInt(), "Keras split of 83 images at 0.2 (per class)");
        assertEquals(16, m.get("validation_images").asInt());
        assertEquals(List.of("bear", "deer", "duck", "turtle"),
                new ObjectMapper().convertValue(m.get("classes"), List.class));
        List<String> history = Files.readAllLines(out.resolve("history.csv"));
        assertEquals(2, history.size());
        assertTrue(history.get(0).startsWith("phase,epoch,loss,val_loss,accuracy,val_accuracy"), history.get(0));
        assertTrue(Files.size(out.resolve("learning-curve.png")) > 1000);
        // trained by FineTuner: its run directory, resumable, with the final bundle
        for (String f : List.of("run.json", "checkpoint.json", "model.t4j", "history.json")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
    }

    @Test
    void resnet50TransferTrainsTheHeadThenRes5() throws Exception {
        String stdout = run("example", "resnet50-transfer", "--data", animals().toString(), "--out", out.toString(),
                "--image-size", "32", "--head-epochs", "1", "--fine-tune-epochs", "1", "--batch-size", "16");
        assertTrue(stdout.contains("ImageNet weights for resnet50 cannot be had"), stdout);
        assertTrue(stdout.contains("calibrated the random backbone's BatchNorm statistics"), stdout);
        assertTrue(stdout.contains("8,196 trainable in the head phase"), "GAP(2048) -> softmax(4): " + stdout);
        assertTrue(stdout.contains("fine-tune-res5 1/1 loss"), stdout);
        List<String> history = Files.readAllLines(out.resolve("history.csv"));
        assertEquals(3, history.size());
        assertTrue(history.get(1).startsWith("head,1,") && history.get(2).startsWith("fine-tune-res5,1,"),
                history.toString());
        for (String row : history.subList(1, 3)) {
            assertFalse(row.contains("NaN"), "a calibrated random backbone must not produce NaN: " + row);
            assertFalse(row.contains(",,"), "every epoch has training and validation numbers: " + row);
        }
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(2, m.get("epochs_run").asInt());
    }
}
