package io.transfer4j.cli.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes that never leave a half-written file under the target name: temp file beside it, then a move. */
public final class AtomicFiles {

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private AtomicFiles() {
    }

    public static Path write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // a new file with the default permissions (createTempFile would make it owner-only)
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36)
                + ".partial");
        try {
            Files.write(tmp, content, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
            moveIntoPlace(tmp, target);
            return target;
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw named(target, e);
        } catch (RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** The exception with the target path in its message when it does not name a file already. */
    public static IOException named(Path target, IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            return e;
        }
        return new IOException("cannot write " + target + ": " + (e.getMessage() == null
                ? e.getClass().getSimpleName() : e.getMessage()), e);
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
