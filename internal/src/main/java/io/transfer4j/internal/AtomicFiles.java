package io.transfer4j.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes that matter (bundles, checkpoints, reports, manifests): to a temporary file beside the target, flushed
 * to disk, then moved into place atomically, so a crash, a kill or a full disk leaves either the old file or the
 * new one, never half of one. The temporary file gets the default permissions (not owner-only), so the result is
 * readable like any other file the user writes. Every module uses this one implementation.
 */
public final class AtomicFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /** Something that writes a stream and may fail. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Something that writes a file at a given path (e.g. Deeplearning4j's serialisers) and may fail. */
    @FunctionalInterface
    public interface FileWriter {
        void write(Path file) throws IOException;
    }

    /** Writes {@code target} from a stream writer. */
    public static Path write(Path target, Writer writer) throws IOException {
        return writeFile(target, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.write(out);
            }
        });
    }

    public static Path write(Path target, byte[] content) throws IOException {
        return write(target, out -> out.write(content));
    }

    public static Path writeString(Path target, String text) throws IOException {
        return write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Lets {@code writer} fill a temporary file beside {@code target}, then moves it into place. */
    public static Path writeFile(Path target, FileWriter writer) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new IllegalArgumentException("target " + abs + " is a directory; give a file name");
        }
        Path dir = abs.getParent();
        Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36)
                + ".partial");
        try {
            Files.createDirectories(dir);
            Files.createFile(tmp);
            writer.write(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            moveIntoPlace(tmp, abs);
            return target;
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw named(target, e);
        } catch (RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Moves {@code tmp} onto {@code target}, atomically where the file system allows it. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The exception with the target path in its message when it does not name a file already. */
    public static IOException named(Path target, IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return e;
        }
        return new IOException("cannot write " + target + ": " + (e.getMessage() == null
                ? e.getClass().getSimpleName() : e.getMessage()), e);
    }
}
