package io.transfer4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aWriteThatFailsHalfWayLeavesTheOldFileAndNoTempFile() throws IOException {
        Path target = Files.writeString(dir.resolve("model.t4j"), "old bundle");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, os -> {
            os.write("half of the new bund".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("cannot write " + target + ": disk full", e.getMessage(), "the error names the file");
        assertEquals("old bundle", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList(), "temp file removed");
        }
        AtomicFiles.write(target, os -> os.write("new".getBytes(StandardCharsets.UTF_8)));
        assertEquals("new", Files.readString(target));
        assertTrue(Files.isRegularFile(AtomicFiles.write(dir.resolve("a/b/c.txt"), os -> os.write(1))),
                "parent directories created");
    }

    @Test
    void resultIsReadableByOthersUnlikeATempFile() throws IOException {
        Path target = AtomicFiles.writeString(dir.resolve("report.html"), "<html></html>");
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(target);
        assertTrue(perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ),
                "default permissions (umask), not createTempFile's owner-only: " + perms);
    }

    @Test
    void aDirectoryTargetIsRefusedWithWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AtomicFiles.writeString(dir, "x"));
        assertTrue(e.getMessage().contains("is a directory; give a file name"), e.getMessage());
    }
}
