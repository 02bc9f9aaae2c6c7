package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Human output at a known terminal width: wrapped at spaces, indentation kept, no word cut. */
class OutputWrapTest {
    static final String URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
            + "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5";

    /** Every line fits, or is one word (a path, a URL) alone on its line. */
    static void fits(String text, int columns) {
        for (String line : text.lines().toList()) {
            assertTrue(line.length() <= columns || !line.strip().contains(" "), "over " + columns + " columns ("
                    + line.length() + "): " + line + "\nin:\n" + text);
        }
    }

    private static List<String> words(String s) {
        return Arrays.stream(s.split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    @Test
    void longLinesBreakAtSpacesKeepTheirIndentationAndNoWordIsCut() {
        String text = "Data: /home/someone/transfer4j-work/data, 4 classes [circles, squares, stripes, triangles]; "
                + "split 280 train / 60 validation / 60 test images (stratified, seed 42)\n"
                + "  - To use ImageNet weights, download mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top"
                + ".h5 from " + URL + " on a machine with internet access\nshort line";
        String w = Output.wrap(text, 80);
        fits(w, 80);
        assertEquals(words(text), words(w), "the same words in the same order");
        List<String> lines = w.lines().toList();
        assertTrue(lines.contains("    " + URL), "the URL whole, on its own line under the item: " + w);
        assertTrue(lines.get(1).startsWith("  ") && !lines.get(1).startsWith("   "), "continuation indented: " + w);
        assertEquals("short line", lines.get(lines.size() - 1));
        assertEquals(text, Output.wrap(text, 0), "no width, no wrapping (pipes, files)");
    }

    @Test
    void theWidthComesFromColumnsThenTheTerminal() {
        assertEquals(80, Output.columns("80", false));
        assertEquals(132, Output.columns("132", true));
        assertEquals(0, Output.columns(null, false), "piped: one line per message");
        assertEquals(80, Output.columns(null, true), "a terminal of unknown width: 80");
        assertEquals(0, Output.columns("wide", false));
    }

    @Test
    void warningsAndInfoAtEightyColumnsFit() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Output o = new Output(Output.Mode.HUMAN, "quickstart", new PrintWriter(out), new PrintWriter(err), false, 80);
        o.warn("ImageNet weights for mobilenetv2 are not available: offline mode is on (TRANSFER4J_OFFLINE) and no "
                + "verified copy is on this machine. This run therefore starts from random initialisation (BatchNorm "
                + "statistics calibrated on the training images): every step runs, but the model learns far less "
                + "than a pretrained one would. To use ImageNet weights, download mobilenet_v2_weights_tf_dim_order"
                + "ing_tf_kernels_1.0_224_no_top.h5 from " + URL + " on a machine with internet access and install "
                + "it here with: transfer4j models install mobilenetv2 --from FILE.");
        o.info("Saved the model bundle (9.1 MB, 0.4 s) to /home/someone/transfer4j-work/run/.staging-1234/model.t4j");
        fits(err.toString(), 80);
        fits(out.toString(), 80);
        assertTrue(err.toString().startsWith("warning: ImageNet weights for mobilenetv2 are not available"),
                err.toString());
        assertTrue(err.toString().lines().anyMatch(l -> l.strip().equals(URL)), err.toString());
    }
}
