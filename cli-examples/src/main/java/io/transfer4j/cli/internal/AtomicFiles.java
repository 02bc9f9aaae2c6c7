package io.transfer4j.cli.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes that never leave a half-written file under the target name: temp file beside it, then a move. */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    public static Path write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".partial");
        try {
            Files.write(tmp, content);
            moveIntoPlace(tmp, target);
            return target;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    public static Path writeString(Path target, String content) throws IOException {
        return write(target, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Moves {@code tmp} onto {@code target}, atomically where the file system allows it. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
