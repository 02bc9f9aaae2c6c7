package io.transfer4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Example a end to end on real MNIST, shortened: one epoch on the first 8,000 training images (10 % held out,
 * stratified) at batch 32, evaluated on the first 1,000 test images. The full recipe's result is in EXAMPLES.md; this checks the wiring learns.
 */
class MnistCnnExampleIT {

    @TempDir
    Path out;

    @Test
    void oneShortEpochOnRealMnistLearnsAndWritesItsOutputs() throws Exception {
        Path mnist = Datasets.shared().resolve("mnist");
        assumeTrue(Files.isRegularFile(mnist.resolve("train-images-idx3-ubyte.gz")),
                "real MNIST not present at " + mnist + " (see ../shared/datasets/mnist.SOURCE.md); skipping");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cl = Transfer4j.commandLine();
        cl.setOut(new PrintWriter(stdout));
        cl.setErr(new PrintWriter(stderr));
        int code = cl.execute("example", "mnist-cnn", "--data", mnist.toString(), "--out", out.toString(),
                "--epochs", "1", "--batch-size", "32", "--validation-split", "0.1", "--limit-train", "8000",
                "--limit-test", "1000", "--seed", "42");
        assertEquals(0, code, "stdout:\n" + stdout + "\nstderr:\n" + stderr);

        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        int train = metrics.get("train_images").asInt();
        int validation = metrics.get("validation_images").asInt();
        assertEquals(8000, train + validation);
        assertTrue(Math.abs(validation - 800) <= 5, "10 % per class, rounded per class: " + validation);
        assertEquals(1000, metrics.get("test_images").asInt());
        assertEquals(93_322, metrics.get("parameters").asInt());
        double acc = metrics.get("test_accuracy").asDouble();
        assertTrue(acc > 0.9, "test accuracy after one short epoch: " + acc + "\n" + stdout);
        assertTrue(stdout.toString().contains(String.format(java.util.Locale.ROOT, "test accuracy %.4f", acc)), stdout.toString());

        List<String> history = Files.readAllLines(out.resolve("history.csv"));
        assertEquals(2, history.size());
        // the one history layout (training's History): phase first, training accuracy beside validation accuracy
        assertTrue(history.get(0).startsWith("phase,epoch,loss,val_loss,accuracy,val_accuracy"), history.get(0));
        assertTrue(history.get(1).startsWith("train,1,"), history.get(1));
        byte[] png = Files.readAllBytes(out.resolve("learning-curve.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG learning curve");
        assertEquals(3 * 280, javax.imageio.ImageIO.read(out.resolve("learning-curve.png").toFile()).getHeight(),
                "the report's learning curve: loss, accuracy and learning-rate panels");
    }
}
