package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.cli.report.RunReport;
import io.transfer4j.zoo.Zoo;
import picocli.CommandLine;

/**
 * Dead-end run directories and runs that must not start (issue 14): a run directory is claimed only when the run
 * can start, and a directory a run left before its first checkpoint can be resumed (it starts afresh).
 */
class RunDirectoryFaultsTest {

    @TempDir
    static Path tmp;
    static Path images;

    @BeforeAll
    static void images() throws Exception {
        images = TinyBundles.images(tmp.resolve("images"), 2, 6);
    }

    /** The sorted names in {@code dir} (empty when it does not exist). */
    static List<String> listing(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anUnknownLayerGroupIsRefusedBeforeTheDirectoryIsClaimedAndTheSameDirectoryThenWorks() throws Exception {
        Path dir = tmp.resolve("group");
        CliRun r = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir", dir.toString(),
                "--image-size", "32", "--unfreeze", "block9", "--head-epochs", "1", "--fine-tune-epochs", "1");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("must name a layer group of tiny"), r.err());
        assertEquals(List.of(), listing(dir), "nothing of the run was written");
        r = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir", dir.toString(),
                "--image-size", "32", "--unfreeze", "block3", "--head-epochs", "1", "--fine-tune-epochs", "1",
                "--no-augment");
        assertEquals(0, r.exitCode(), "the same --run-dir is accepted after the fix: " + r.err());
        assertTrue(Files.isRegularFile(dir.resolve("model.t4j")));
    }

    @Test
    void resumeOfARunKilledBeforeItsFirstCheckpointStartsItAfreshAndCleansPartials() throws Exception {
        Path dir = tmp.resolve("killed");
        // what a kill between the split and the first phase left (seen: config.json + split.json, no run.json),
        // plus leftovers of interrupted atomic writes and a checkpoint being written
        Path donor = tmp.resolve("donor");
        CliRun first = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir",
                donor.toString(), "--image-size", "32", "--head-epochs", "1", "--unfreeze", "none", "--no-augment");
        assertEquals(0, first.exitCode(), first.err());
        Files.createDirectories(dir);
        Files.copy(donor.resolve(RunReport.CONFIG), dir.resolve(RunReport.CONFIG));
        Files.copy(donor.resolve("split.json"), dir.resolve("split.json"));
        Files.writeString(dir.resolve(".model.t4j.3k2j1.partial"), "half a bundle");
        Files.writeString(dir.resolve(".checkpoint.json.9x8y.partial"), "{");
        Files.createDirectories(dir.resolve("ckpt-000001.partial"));
        Files.writeString(dir.resolve("ckpt-000001.partial").resolve("params.bin"), "half");
        Files.writeString(dir.resolve(".notes.partial"), "the user's, not ours");   // no name our writes use

        CliRun again = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir",
                dir.toString());
        assertEquals(2, again.exitCode());
        assertTrue(again.err().contains("fit --resume " + dir), again.err());

        CliRun r = CliRun.run("fit", "--resume", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("starting it afresh"), r.out());
        assertTrue(r.out().contains("Removed 3 partial file(s)"), r.out());
        List<String> files = listing(dir);
        assertTrue(files.contains("model.t4j") && files.stream().filter(f -> f.endsWith(".partial"))
                .toList().equals(List.of(".notes.partial")), "only ours are swept: " + files);
    }

    @Test
    void fitRefusesRandomInitialisationWhenImageNetWeightsAreUnavailableUnlessAsked() throws Exception {
        Path dir = tmp.resolve("noweights");
        Zoo offline = Zoo.builder().home(tmp.resolve("cache")).dl4jHome(tmp.resolve("dl4j"))
                .kerasHome(tmp.resolve("keras")).offline(true).build();
        java.util.function.Consumer<CommandLine> withZoo = cl -> ((FitCommand) cl.getSubcommands().get("fit")
                .getCommand()).zoo = () -> offline;
        CliRun r = CliRun.run(withZoo, "fit", "--data", images.toString(), "--backbone", "resnet50", "--run-dir",
                dir.toString(), "--image-size", "32");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("ImageNet weights for resnet50 are not available: offline mode is on")
                && r.err().contains("--weights random") && r.err().contains("transfer4j models install resnet50"),
                r.err());
        assertFalse(Files.exists(dir.resolve(RunReport.CONFIG)), "nothing of the run was written");
        assertFalse(Files.exists(dir.resolve("split.json")), "nothing of the run was written");
    }

    /** Holds {@code dir} from another thread (as a second fit would from another process) while {@code body} runs. */
    private static void heldElsewhere(Path dir, String purpose, ThrowingRunnable body) throws Exception {
        java.util.concurrent.CountDownLatch claimed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try (io.transfer4j.internal.DirectoryLock l = io.transfer4j.internal.DirectoryLock.claim(dir,
                    "run directory", purpose)) {
                claimed.countDown();
                done.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "other-run");
        holder.start();
        claimed.await();
        try {
            body.run();
        } finally {
            done.countDown();
            holder.join();
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aRunDirectoryInUseIsRefusedNamingTheHolderAndNothingInItIsTouched() throws Exception {
        Path dir = tmp.resolve("race");
        heldElsewhere(dir, "transfer4j fit", () -> {
            CliRun r = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir",
                    dir.toString(), "--image-size", "32", "--head-epochs", "1", "--unfreeze", "none");
            assertEquals(1, r.exitCode(), r.err());
            String first = r.err().lines().findFirst().orElse("");
            assertTrue(first.contains("run directory " + dir.toAbsolutePath().normalize() + " is in use by process "
                    + ProcessHandle.current().pid()) && r.err().contains("(transfer4j fit)")
                    && r.err().contains("use another run directory"), r.err());
            assertEquals(List.of(io.transfer4j.internal.DirectoryLock.FILE), listing(dir), "nothing was written");

            // --resume of a directory in use: refused before anything in it is read or removed
            Files.writeString(dir.resolve(".model.t4j.3k2j1.partial"), "the other run is writing this");
            CliRun resume = CliRun.run("fit", "--resume", dir.toString());
            assertEquals(1, resume.exitCode(), resume.err());
            assertTrue(resume.err().contains("is in use by process"), resume.err());
            assertTrue(Files.exists(dir.resolve(".model.t4j.3k2j1.partial")), "the live run's file is kept");
            Files.delete(dir.resolve(".model.t4j.3k2j1.partial"));

            CliRun tune = CliRun.run("tune", "--data", images.toString(), "--backbone", "tiny", "--run-dir",
                    dir.toString(), "--image-size", "32", "--trials", "1");
            assertEquals(1, tune.exitCode(), tune.err());
            assertTrue(tune.err().contains("is in use by process"), tune.err());
        });
        assertEquals(List.of(), listing(dir), "the holder's lock file went with it");
    }

    @Test
    void aLockFileLeftByAKilledRunDoesNotBlockANewRunOrAResume() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("stale"));
        // what a kill -9 leaves: the file, with nobody holding the operating-system lock on it
        Files.writeString(dir.resolve(io.transfer4j.internal.DirectoryLock.FILE),
                "process 999999 on host gone since 2026-01-01T00:00:00Z (transfer4j fit)\n");
        CliRun r = CliRun.run("fit", "--data", images.toString(), "--backbone", "tiny", "--run-dir", dir.toString(),
                "--image-size", "32", "--head-epochs", "1", "--unfreeze", "none", "--no-augment", "--keep",
                "checkpoint,initial-model");
        assertEquals(0, r.exitCode(), "a stale lock file does not make the directory 'not empty': " + r.err());
        assertFalse(listing(dir).contains(io.transfer4j.internal.DirectoryLock.FILE), listing(dir).toString());
        Files.writeString(dir.resolve(io.transfer4j.internal.DirectoryLock.FILE), "process 999999 (killed)\n");
        CliRun again = CliRun.run("fit", "--resume", dir.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertFalse(listing(dir).contains(io.transfer4j.internal.DirectoryLock.FILE), listing(dir).toString());
    }
}
