package io.transfer4j.cli.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Checks on directories a command is about to fill, done before any long work starts. */
public final class WorkDirs {

    private WorkDirs() {
    }

    /** The prefix of the file {@link #prepare} writes and removes to prove a directory writable. */
    private static final String WRITE_PROBE = ".transfer4j-write-test";

    /**
     * Creates {@code dir} if needed and proves it writable (a probe file is written and removed), and checks the
     * file system has {@code neededBytes} free. Every failure names the directory and says what to do.
     *
     * @param what how the user knows the directory, e.g. "work directory (--workdir)"
     */
    public static Path prepare(Path dir, String what, long neededBytes) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new IOException(what + " " + abs + " exists and is not a directory; choose a directory");
        }
        try {
            Files.createDirectories(abs);
            Path probe = Files.createTempFile(abs, WRITE_PROBE, ".tmp");
            Files.delete(probe);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot write to " + what + " " + abs + ": permission denied at " + e.getFile()
                    + "; choose a directory you can write to", e);
        } catch (FileSystemException e) {
            throw new IOException("cannot write to " + what + " " + abs + ": "
                    + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName())
                    + (e.getFile() != null && !e.getFile().equals(abs.toString()) ? " (at " + e.getFile() + ")" : "")
                    + "; choose another directory", e);
        }
        long free = Files.getFileStore(abs).getUsableSpace();
        if (free < neededBytes) {
            throw new IOException("not enough free space for " + what + " " + abs + ": " + mb(free)
                    + " free, about " + mb(neededBytes) + " needed; free some space or choose another directory");
        }
        return abs;
    }

    /**
     * Claims a run directory for a new run, the one way {@code fit} and {@code tune} take one: prepared as
     * {@link #prepare} does, locked for this process ({@link io.transfer4j.internal.DirectoryLock}: a second
     * {@code fit} or {@code tune} into it is refused naming the holder, a lock left by a killed process does not
     * block), then checked to be empty - under the lock, so two runs cannot both find it empty. Close the returned
     * lock when the run ends.
     *
     * @param notEmpty what to say when it holds files, after "run directory DIR is not empty; "
     */
    public static io.transfer4j.internal.DirectoryLock claimNew(Path dir, long neededBytes, String purpose,
                                                               String notEmpty) throws IOException {
        Path abs = prepare(dir, "run directory (--run-dir)", neededBytes);
        io.transfer4j.internal.DirectoryLock lock = claim(abs, purpose);
        try {
            if (holdsFiles(abs)) {
                throw new io.transfer4j.cli.UsageException("run directory " + abs + " is not empty; " + notEmpty);
            }
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        return lock;
    }

    /**
     * Whether {@code dir} exists and holds anything besides a run's lock file and {@link #prepare}'s write probes
     * (a killed run's stale lock file does not make a directory "not empty", nor does the probe of a second run
     * being started into it at the same moment - that run is then refused by the lock, not this one by its probe).
     */
    public static boolean holdsFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).anyMatch(n -> !n.equals(
                    io.transfer4j.internal.DirectoryLock.FILE) && !n.startsWith(WRITE_PROBE));
        }
    }

    /** Claims an existing run directory ({@code fit --resume}, {@code tune --resume}); see {@link #claimNew}. */
    public static io.transfer4j.internal.DirectoryLock claim(Path dir, String purpose) throws IOException {
        return io.transfer4j.internal.DirectoryLock.claim(dir, "run directory", purpose);
    }

    /**
     * Removes what a killed write left in a run directory: {@code .NAME.XXXX.partial} files (atomic writes of the
     * bundle, checkpoint pointer, reports) and {@code ckpt-N.partial} directories (checkpoints being written). None
     * of them is ever read; the files they were to replace are intact.
     */
    /** The names our atomic writes use: {@code AtomicFiles}' {@code .NAME.BASE36.partial}, {@code ckpt-N.partial}. */
    private static final java.util.regex.Pattern OUR_PARTIAL = java.util.regex.Pattern.compile(
            "\\.[^/]+\\.[0-9a-z]+\\.partial|ckpt-[0-9]+\\.partial");

    public static void removePartials(Path dir, io.transfer4j.cli.Output out) throws IOException {
        List<String> removed = new java.util.ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (OUR_PARTIAL.matcher(n).matches()) {
                    deleteRecursively(p);
                    removed.add(n);
                }
            }
        }
        if (!removed.isEmpty()) {
            out.info("Removed " + removed.size() + " partial file(s) left by an interrupted write: "
                    + String.join(", ", removed));
        }
    }

    public static String mb(long bytes) {
        return String.format(Locale.ROOT, bytes < 10_000_000 ? "%.1f MB" : "%.0f MB", bytes / 1e6);
    }

    /** Deletes a directory tree; quietly does nothing when it does not exist. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
