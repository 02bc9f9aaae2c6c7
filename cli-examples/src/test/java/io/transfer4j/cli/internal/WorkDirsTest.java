package io.transfer4j.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class WorkDirsTest {

    @TempDir
    Path tmp;

    /** A directory this process cannot create: under a read-only one, or under /sys when running as root. */
    public static Path unwritable(Path tmp) throws IOException {
        Path ro = Files.createDirectories(tmp.resolve("read-only"));
        ro.toFile().setWritable(false, false);
        if (!Files.isWritable(ro)) {
            return ro.resolve("work");
        }
        // root ignores permissions: use sysfs, where nobody can create directories
        Path sys = Path.of("/sys/transfer4j-test-work");
        boolean created = sys.toFile().mkdir();
        if (created) {
            Files.delete(sys);
        }
        Assumptions.assumeFalse(created, "no unwritable directory available (root, and /sys accepts mkdir)");
        return sys;
    }

    @Test
    void unwritableDirectoryIsNamedInTheError() throws Exception {
        Path dir = unwritable(tmp);
        IOException e = assertThrows(IOException.class, () -> WorkDirs.prepare(dir, "work directory (--workdir)", 1));
        assertTrue(e.getMessage().startsWith("cannot write to work directory (--workdir) " + dir), e.getMessage());
        assertTrue(e.getMessage().contains("choose"), e.getMessage());
    }

    @Test
    void aFileInTheWayIsNamed() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        IOException e = assertThrows(IOException.class, () -> WorkDirs.prepare(file, "work directory", 1));
        assertEquals("work directory " + file + " exists and is not a directory; choose a directory", e.getMessage());
        e = assertThrows(IOException.class, () -> WorkDirs.prepare(file.resolve("sub"), "work directory", 1));
        assertTrue(e.getMessage().startsWith("cannot write to work directory " + file.resolve("sub")), e.getMessage());
    }

    @Test
    void tooLittleSpaceIsReportedBeforeAnyWork() throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> WorkDirs.prepare(tmp.resolve("w"), "work directory", Long.MAX_VALUE / 2));
        assertTrue(e.getMessage().startsWith("not enough free space for work directory " + tmp.resolve("w")),
                e.getMessage());
        assertTrue(e.getMessage().contains("needed"), e.getMessage());
    }

    @Test
    void writableDirectoryIsCreatedAndLeftClean() throws Exception {
        Path dir = WorkDirs.prepare(tmp.resolve("a/b"), "work directory", 1);
        assertTrue(Files.isDirectory(dir));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "probe file removed");
        }
    }

    @Test
    void stagedDirectoryAppearsOnlyWhenCommittedAndReplacesTheOldOne() throws Exception {
        Path target = tmp.resolve("run");
        Files.createDirectories(target);
        Files.writeString(target.resolve("old.txt"), "old");
        try (StagedDirectory s = StagedDirectory.begin(target)) {
            Files.writeString(s.staging().resolve("new.txt"), "new");
            assertEquals(target.resolve("new.txt"), s.finalPathOf(s.staging().resolve("new.txt")));
            assertTrue(Files.exists(target.resolve("old.txt")), "old run untouched until commit");
            s.commit();
        }
        assertEquals("new", Files.readString(target.resolve("new.txt")));
        assertFalse(Files.exists(target.resolve("old.txt")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(target), s.toList(), "no staging or old directories left");
        }
    }

    @Test
    void failedStagingLeavesNothingThatLooksFinished() throws Exception {
        Path target = tmp.resolve("run");
        try (StagedDirectory s = StagedDirectory.begin(target)) {
            Files.writeString(s.staging().resolve("half.t4j"), "partial");
            // no commit: the run failed
        }
        assertFalse(Files.exists(target));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.count(), "staging directory removed");
        }
    }

    @Test
    void claimNewIgnoresAStaleLockFileAndAnotherRunsWriteProbeButNotRealContent() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        // a killed run's lock file, and the probe a second run being started at this moment writes in prepare()
        Files.writeString(run.resolve(io.transfer4j.internal.DirectoryLock.FILE), "process 999999 (killed)\n");
        Files.createTempFile(run, ".transfer4j-write-test", ".tmp");
        assertFalse(WorkDirs.holdsFiles(run));
        try (io.transfer4j.internal.DirectoryLock l = WorkDirs.claimNew(run, 1, "test", "choose another")) {
            assertEquals(run.toAbsolutePath().normalize(), l.directory());
        }
        Files.writeString(run.resolve("config.json"), "{}");
        assertTrue(WorkDirs.holdsFiles(run));
        io.transfer4j.cli.UsageException e = assertThrows(io.transfer4j.cli.UsageException.class,
                () -> WorkDirs.claimNew(run, 1, "test", "choose another"));
        assertEquals("run directory " + run.toAbsolutePath().normalize() + " is not empty; choose another",
                e.getMessage());
        assertFalse(Files.exists(run.resolve(io.transfer4j.internal.DirectoryLock.FILE)), "released when refused");
    }
}
