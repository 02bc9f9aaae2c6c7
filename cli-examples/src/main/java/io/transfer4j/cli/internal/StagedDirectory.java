package io.transfer4j.cli.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A directory filled under a temporary name beside its target ({@code .NAME.partial-XXXX}) and renamed into place
 * only when complete, so an interrupted or failed run never leaves a directory under the real name that looks
 * finished. A previous directory of the same name is replaced only at {@link #commit()}.
 */
public final class StagedDirectory implements AutoCloseable {

    private final Path target;
    private final Path staging;
    private boolean committed;

    private StagedDirectory(Path target, Path staging) {
        this.target = target;
        this.staging = staging;
    }

    public static StagedDirectory begin(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = Files.createDirectories(abs.getParent());
        return new StagedDirectory(abs, Files.createTempDirectory(parent, "." + abs.getFileName() + ".partial-"));
    }

    /** Where to write now. */
    public Path staging() {
        return staging;
    }

    /** Where the directory will be after {@link #commit()}. */
    public Path target() {
        return target;
    }

    /** Maps a path inside the staging directory to where it will be after the commit. */
    public Path finalPathOf(Path insideStaging) {
        return target.resolve(staging.relativize(insideStaging.toAbsolutePath().normalize()));
    }

    /** Moves the finished directory into place, replacing an older one of the same name. */
    public Path commit() throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
            Files.move(target, old);
        }
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, target);
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target); // put the previous run back
            }
            throw e;
        }
        committed = true;
        if (old != null) {
            WorkDirs.deleteRecursively(old);
        }
        return target;
    }

    /** Removes the staging directory unless it was committed. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            WorkDirs.deleteRecursively(staging);
        }
    }
}
