package io.transfer4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two processes or threads never share a run directory; a lock left by a killed process does not block. */
class DirectoryLockTest {
    @TempDir
    Path dir;

    /** Run by the tests in a second JVM: {@code try DIR} claims and exits, {@code hold DIR} claims and waits. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            try (DirectoryLock l = DirectoryLock.claim(Path.of(args[1]), "run directory", "a test child")) {
                System.out.println("claimed");
                System.out.flush();
                if (args[0].equals("hold")) {
                    Thread.sleep(60_000);
                }
            } catch (DirectoryLock.InUseException e) {
                System.out.println(e.getMessage());
                System.exit(3);
            }
        }
    }

    private static ProcessBuilder child(String mode, Path dir) {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), mode, dir.toString())
                .redirectErrorStream(true);
    }

    private static String run(ProcessBuilder pb, int[] exit) throws Exception {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM ended");
        exit[0] = p.exitValue();
        return out;
    }

    @Test
    void aSecondProcessIsRefusedNamingTheHolderAndGetsItOnceReleased() throws Exception {
        Path run = dir.resolve("run");
        int[] exit = new int[1];
        try (DirectoryLock l = DirectoryLock.claim(run, "run directory", "transfer4j fit")) {
            String out = run(child("try", run), exit);
            assertEquals(3, exit[0], out);
            assertTrue(out.startsWith("run directory " + run + " is in use by process " + ProcessHandle.current().pid()
                    + " on host "), out);
            assertTrue(out.contains("(transfer4j fit)") && out.contains(" since 20") && out.contains("use another "
                    + "run directory"), "who, since when, doing what, and what to do: " + out);
            assertTrue(Files.exists(run.resolve(DirectoryLock.FILE)));
        }
        assertFalse(Files.exists(run.resolve(DirectoryLock.FILE)), "released: the lock file is gone");
        assertEquals("claimed", run(child("try", run), exit));
        assertEquals(0, exit[0]);
        try (var s = Files.list(run)) {
            assertEquals(List.of(), s.toList(), "nothing is left in the directory after a claim ends");
        }
    }

    @Test
    void aLockLeftByAKilledProcessDoesNotBlock() throws Exception {
        Path run = dir.resolve("run");
        Process p = child("hold", run).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("claimed", r.readLine());
            DirectoryLock.InUseException e = assertThrows(DirectoryLock.InUseException.class,
                    () -> DirectoryLock.claim(run, "run directory", "test"));
            assertTrue(e.getMessage().contains("process " + p.pid() + " "), e.getMessage());
        } finally {
            p.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook runs in the child
            p.waitFor(30, TimeUnit.SECONDS);
        }
        Path file = run.resolve(DirectoryLock.FILE);
        assertTrue(Files.readString(file).contains("process " + p.pid() + " "), "the stale lock file is still there");
        try (DirectoryLock l = DirectoryLock.claim(run, "run directory", "after the kill")) {
            assertTrue(Files.readString(file).contains("process " + ProcessHandle.current().pid() + " ")
                    && Files.readString(file).contains("(after the kill)"), Files.readString(file));
        }
        assertFalse(Files.exists(file));
    }

    @Test
    void theSameThreadNestsAnotherThreadIsRefused() throws Exception {
        Path run = dir.resolve("run");
        AtomicReference<Throwable> other = new AtomicReference<>();
        Runnable tryOther = () -> {
            try (DirectoryLock l = DirectoryLock.claim(run, "run directory", "other thread")) {
                other.set(null);
            } catch (Throwable t) {
                other.set(t);
            }
        };
        try (DirectoryLock outer = DirectoryLock.claim(run, "run directory", "transfer4j fit")) {
            try (DirectoryLock inner = DirectoryLock.claim(run.resolve("."), "run directory", "FineTuner")) {
                assertEquals(outer.directory(), inner.directory());
            }
            // the inner claim's end does not release the outer one
            Thread t = new Thread(tryOther, "second-trainer");
            t.start();
            t.join();
            assertInstanceOf(DirectoryLock.InUseException.class, other.get());
            assertTrue(other.get().getMessage().contains("(transfer4j fit) (thread '" + Thread.currentThread().getName()
                    + "' of this process)"), other.get().getMessage());
            assertTrue(Files.exists(run.resolve(DirectoryLock.FILE)));
        }
        Thread t = new Thread(tryOther, "second-trainer");
        t.start();
        t.join();
        assertNull(other.get(), "free once the outer claim ended");
    }

    @Test
    void aLockTakenOutsideThisClassInThisProcessIsNamedNotAnOverlappingLockException() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        try (FileChannel ch = FileChannel.open(run.resolve(DirectoryLock.FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = ch.lock()) {
            DirectoryLock.InUseException e = assertThrows(DirectoryLock.InUseException.class,
                    () -> DirectoryLock.claim(run, "run directory", "test"));
            assertTrue(e.getMessage().contains("is in use by another part of this process (process "
                    + ProcessHandle.current().pid() + ")"), e.getMessage());
            assertTrue(held.isValid());
        }
    }
}
