package io.transfer4j.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An exclusive claim on a directory a run writes into (a {@code fit} or {@code tune} run directory, a
 * {@code FineTuner} run directory), so two processes - or two threads - never interleave their writes in it.
 *
 * <p>The claim is an operating-system lock ({@link FileChannel#tryLock()}) on the file {@value #FILE} in the
 * directory, which also records who holds it (process id, host, start time, purpose) for the message a second
 * claimant gets. The operating system releases the lock when its process ends, even on {@code kill -9}: a lock
 * file left behind by a killed process is stale and does not block the next claim (it is simply taken over).
 * {@link #close()} deletes the file and releases the lock; a claimant that opened the file just before it was
 * deleted notices that the locked file is no longer the one in the directory and tries again.
 *
 * <p>Claims nest within a thread: the thread holding a directory may claim it again (the command line claims a
 * run directory, then its {@code FineTuner} claims the same one); the directory is released when the outermost
 * claim is closed. Another thread of the same process is refused like another process.
 */
public final class DirectoryLock implements AutoCloseable {

    /** The lock file's name inside the claimed directory. */
    public static final String FILE = ".transfer4j.lock";

    /*
     * Deliberately static: the operating system holds file locks per process, so which directories this process
     * holds is per process too (a second FileChannel lock on a held file throws OverlappingFileLockException).
     * It holds locks, never configuration.
     */
    private static final Map<Path, Held> HELD = new HashMap<>();

    private static final class Held {
        final Thread owner;
        final FileChannel channel;
        final FileLock lock;
        final Path file;
        final String holder;
        int depth = 1;

        Held(Thread owner, FileChannel channel, FileLock lock, Path file, String holder) {
            this.owner = owner;
            this.channel = channel;
            this.lock = lock;
            this.file = file;
            this.holder = holder;
        }
    }

    /** Thrown when another process or thread holds the directory; the message says who and what to do. */
    public static final class InUseException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Path directory;

        InUseException(Path directory, String message) {
            super(message);
            this.directory = directory;
        }

        /** The directory that is in use. */
        public Path directory() {
            return directory;
        }
    }

    private final Path dir;
    private final Held held;
    private boolean closed;

    private DirectoryLock(Path dir, Held held) {
        this.dir = dir;
        this.held = held;
    }

    /**
     * Claims {@code dir} (created if missing) for this thread.
     *
     * @param dir     the directory
     * @param what    how the user knows it, e.g. "run directory"; used in the message when it is in use
     * @param purpose what this process does there, e.g. "transfer4j fit"; recorded for other claimants to read
     * @throws InUseException when another process, or another thread of this one, holds it: names the holder (pid,
     *                        host, start time, purpose as recorded in the lock file) and says what to do
     * @throws IOException    when the directory or its lock file cannot be created
     */
    public static DirectoryLock claim(Path dir, String what, String purpose) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Path abs = dir.toAbsolutePath().normalize();
        synchronized (HELD) {
            Held h = HELD.get(abs);
            if (h != null) {
                if (h.owner == Thread.currentThread()) {
                    h.depth++;
                    return new DirectoryLock(abs, h);
                }
                throw inUse(abs, what, h.holder + " (thread '" + h.owner.getName() + "' of this process)");
            }
            Files.createDirectories(abs);
            Path file = abs.resolve(FILE);
            for (int attempt = 0; ; attempt++) {
                Object before = fileKey(file);
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    channel.close(); // held through another channel of this process (not through this class)
                    throw inUse(abs, what, holderOf(file, "another part of this process (process "
                            + ProcessHandle.current().pid() + ")"));
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
                if (lock == null) {
                    channel.close();
                    throw inUse(abs, what, holderOf(file, "another process (it has not yet written its details to "
                            + file + ")"));
                }
                // the holder before us deletes the file before it releases: if it did so between our open and our
                // lock, we hold a deleted file - try again on the one in the directory now
                Object after = fileKey(file);
                if (before == null || !before.equals(after)) {
                    lock.release();
                    channel.close();
                    if (attempt < 20) {
                        continue;
                    }
                    throw new IOException("could not lock " + file + ": it was replaced 20 times while locking; "
                            + "is another program deleting it?");
                }
                String holder = "process " + ProcessHandle.current().pid() + " on " + host() + " since "
                        + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " (" + purpose + ")";
                channel.truncate(0);
                channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                channel.force(false);
                Held fresh = new Held(Thread.currentThread(), channel, lock, file, holder);
                HELD.put(abs, fresh);
                return new DirectoryLock(abs, fresh);
            }
        }
    }

    /** The claimed directory. */
    public Path directory() {
        return dir;
    }

    /** Releases this claim; the outermost one deletes the lock file and releases the operating-system lock. */
    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            if (--held.depth > 0) {
                return;
            }
            HELD.remove(dir);
            try {
                Files.deleteIfExists(held.file); // while still locked: the next claimant finds a fresh file
            } finally {
                try {
                    held.lock.release();
                } finally {
                    held.channel.close();
                }
            }
        }
    }

    private static InUseException inUse(Path dir, String what, String holder) {
        return new InUseException(dir, what + " " + dir + " is in use by " + holder + ". Wait for that run to end "
                + "(or stop it), or use another " + what);
    }

    /** Who holds {@code file}, as its holder recorded it, or {@code unknown} when nothing is recorded yet. */
    private static String holderOf(Path file, String unknown) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? unknown : s;
        } catch (IOException e) {
            return unknown + " (" + file + " cannot be read: " + e.getMessage() + ")";
        }
    }

    private static Object fileKey(Path file) throws IOException {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return key != null ? key : Files.getLastModifiedTime(file); // platforms without inodes: best effort
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** This machine's name without a DNS lookup where the kernel tells it (a lookup can hang on a bad setup). */
    private static String host() {
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                return "host " + Files.readString(kernel, StandardCharsets.UTF_8).strip();
            }
            return "host " + InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }
}
