package io.transfer4j.zoo.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a cache entry across threads and processes: a JVM-wide {@link ReentrantLock} per lock file
 * (a {@link FileLock} belongs to the whole JVM, so two threads cannot both hold one) plus an OS file lock.
 */
final class FileLocks {
    /*
     * Deliberately static: file locks are held per JVM by the operating system, so the in-JVM half of the lock
     * must be shared by every Zoo instance of the JVM too. It holds locks, never configuration.
     */
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private FileLocks() {
    }

    interface Body<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code body} under the lock if no thread or process holds it now, else returns empty without waiting
     * (a writer is at work).
     */
    static <T> java.util.Optional<T> tryWithLock(Path lockFile, Body<T> body) throws Exception {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        if (jvmLock.isHeldByCurrentThread() || !jvmLock.tryLock()) {
            return java.util.Optional.empty();
        }
        try {
            Files.createDirectories(key.getParent());
            try (FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (java.nio.channels.OverlappingFileLockException e) {
                    return java.util.Optional.empty(); // held through another channel of this JVM
                }
                if (lock == null) {
                    return java.util.Optional.empty();
                }
                try {
                    return java.util.Optional.ofNullable(body.run());
                } finally {
                    lock.release();
                }
            }
        } finally {
            jvmLock.unlock();
        }
    }

    static <T> T withLock(Path lockFile, Body<T> body) throws Exception {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        jvmLock.lockInterruptibly();
        try {
            FileChannel ch;
            FileLock lock;
            try {
                Files.createDirectories(key.getParent());
                ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new IOException("cannot create the lock file " + key + ": " + e.getMessage(), e);
            }
            try (FileChannel channel = ch) {
                lock = channel.lock();
                try {
                    return body.run();
                } finally {
                    lock.release();
                }
            }
        } finally {
            jvmLock.unlock();
        }
    }
}
