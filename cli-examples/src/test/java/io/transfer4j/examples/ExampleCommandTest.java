package io.transfer4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.cli.Transfer4j;
import picocli.CommandLine;

/** Usage errors of the examples: one line saying what was received, exit code 2, nothing trained. */
class ExampleCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Transfer4j.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void listsTheExamples() {
        assertEquals(0, run("example", "--help"));
        assertTrue(out.toString().contains("mnist-cnn"), out.toString());
        assertTrue(out.toString().contains("mnist-cnn-augmented"), out.toString());
    }

    @Test
    void missingDataIsAUsageError() {
        assertEquals(2, run("example", "mnist-cnn", "--data", dir.resolve("nope").toString()));
        assertTrue(err.toString().contains("--data " + dir.resolve("nope") + " does not exist"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    @Test
    void outOfRangeValuesAreUsageErrors() {
        assertEquals(2, run("example", "mnist-cnn", "--data", dir.toString(), "--validation-split", "1.5"));
        assertTrue(err.toString().contains("--validation-split must be in (0, 1); received 1.5"), err.toString());
        assertEquals(2, run("example", "mnist-cnn-augmented", "--data", dir.toString(), "--zoom-range", "1.5"));
        assertTrue(err.toString().contains("zoomRange") && err.toString().contains("1.5"), err.toString());
        assertEquals(2, run("example", "mnist-cnn", "--data", dir.toString(), "--epochs", "many"));
        assertEquals(2, run("example", "mnist-cnn"));
        assertTrue(err.toString().contains("--data"), err.toString());
    }

    @Test
    void aDirectoryWithoutMnistFilesSaysWhatWasLookedFor() {
        assertEquals(1, run("example", "mnist-cnn", "--data", dir.toString(), "--out", dir.resolve("o").toString()));
        assertTrue(err.toString().contains("train-images-idx3-ubyte.gz"), err.toString());
    }
}
