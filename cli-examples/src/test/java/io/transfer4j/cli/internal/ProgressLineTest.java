package io.transfer4j.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The progress line at 80 columns keeps a real bar and the loss (the library's squeezed to [=] and cut it). */
class ProgressLineTest {

    @Test
    void at80ColumnsTheBarTheCountsTheEtaAndTheLossAllFit() {
        String line = ProgressLine.render("fine-tune-block5 10/10", 12, 40, "batches", "loss 0.4123",
                Duration.ofSeconds(12), ProgressLine.columns("80", 200));
        assertTrue(line.length() <= 79, line.length() + ": " + line);
        assertTrue(line.startsWith("fine-tune-block5 10/10 [=====>   "), line);
        assertTrue(line.endsWith("] 12/40 batches eta 0:28 loss 0.4123"), line);
        int bar = line.indexOf(']') - line.indexOf('[') - 1;
        assertTrue(bar >= 10, "a bar of " + bar + " cells: " + line);
    }

    @Test
    void narrowTerminalsDropTheMessageThenTheEtaNeverWrapping() {
        for (int cols = 20; cols <= 200; cols++) {
            String line = ProgressLine.render("head 1/5", 3, 40, "batches", "loss 0.4123", Duration.ofSeconds(3),
                    cols);
            assertTrue(line.length() <= cols - 1 || cols < 21, cols + ": " + line);
            assertTrue(line.contains("3/40"), line);
        }
        assertEquals("head 1/5 [=>              ] 3/40 batches eta 0:37",
                ProgressLine.render("head 1/5", 3, 40, "batches", "loss 0.4123", Duration.ofSeconds(3), 50));
        assertEquals("head 1/5 3/40 batches", ProgressLine.render("head 1/5", 3, 40, "batches", "loss 0.4123",
                Duration.ofSeconds(3), 30));
        assertEquals("download 1234 MB", ProgressLine.render("download", 1234, -1, "MB", null, Duration.ZERO, 80));
    }

    @Test
    void columnsComeFromTheEnvironmentThenTheMeasuredWidth() {
        assertEquals(80, ProgressLine.columns("80", 200));
        assertEquals(132, ProgressLine.columns(null, 132));
        assertEquals(80, ProgressLine.columns("wide", 0));
    }
}
