package io.transfer4j.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory of this process (Linux {@code VmHWM}), resettable between workloads by writing 5 to
 * {@code /proc/self/clear_refs} (Linux 4.0+). Elsewhere both read as unknown (-1).
 */
final class ProcessMemory {

    private ProcessMemory() {
    }

    /** Resets the peak to the current RSS; false if the platform does not allow it. */
    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Peak RSS in bytes since start or the last {@link #resetPeak()}, or -1. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
