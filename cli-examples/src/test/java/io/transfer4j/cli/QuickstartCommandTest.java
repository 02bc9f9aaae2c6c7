package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.cli.internal.WorkDirsTest;

/** Bad input to quickstart, caught before any long work starts. */
class QuickstartCommandTest {

    @TempDir
    Path tmp;

    @Test
    void unwritableWorkDirectoryIsNamedAndNothingIsWritten() throws Exception {
        Path dir = WorkDirsTest.unwritable(tmp);
        CliRun r = CliRun.run("quickstart", "--workdir", dir.toString());
        assertEquals(1, r.exitCode());
        String first = r.err().lines().findFirst().orElseThrow();
        assertTrue(first.startsWith("transfer4j: cannot write to work directory (--workdir) " + dir), first);
        assertFalse(Files.exists(dir.resolve("data")));
    }

    @Test
    void aFileWhereTheWorkDirectoryShouldBeIsRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("work"), "x");
        CliRun r = CliRun.run("quickstart", "--workdir", file.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("transfer4j: work directory (--workdir) " + file + " exists and is not a "
                + "directory"), r.err());
    }

    @Test
    void aForeignDataDirectoryIsNeverOverwritten() throws Exception {
        Path work = tmp.resolve("work");
        Files.createDirectories(work.resolve("data"));
        Files.writeString(work.resolve("data/mine.txt"), "precious");
        CliRun r = CliRun.run("quickstart", "--workdir", work.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains(work.resolve("data").toString()) && r.err().contains("not a complete sample set"),
                r.err());
        assertEquals("precious", Files.readString(work.resolve("data/mine.txt")));
    }

    @Test
    void hiddenSizeOptionsAreChecked() {
        CliRun r = CliRun.run("quickstart", "--workdir", tmp.toString(), "--size", "16");
        assertEquals(2, r.exitCode());
        assertEquals("transfer4j: --size must be >= 32 (the backbones' smallest input); received 16", r.err().strip());
        r = CliRun.run("quickstart", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("--workdir") && !r.out().contains("--images-per-class"), "hidden options hidden");
    }
}
