package io.transfer4j.training.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.core.ModelBundle;
import io.transfer4j.training.EpochRecord;

/**
 * Searches on the tiny backbone and a generated folder (36 images, 16 px): strategies, sharing of the feature
 * cache, pruning, budget, failures, resume and refusal of another search in the same directory.
 */
class TunerTest {
    @TempDir
    static Path shared;
    static TinyEnvironment env;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        env = new TinyEnvironment(shared, 12);
    }

    static SearchSpace headOnly() {
        return SearchSpace.builder().logUniform("headLearningRate", 1e-3, 5e-2).choice("dense", 0, 8)
                .choice("batchSize", 4, 8).choice("headEpochs", 2).choice("unfreeze", "none").choice("augment", false)
                .build();
    }

    static Tuner.Builder search(Path dir, SearchSpace space, Budget budget) {
        return Tuner.builder().space(space).budget(budget).environment(env).searchDir(dir).seed(7);
    }

    @Test
    void randomSearchIsReproducibleAndSharesOneCacheAcrossHeadOnlyTrials() throws Exception {
        long before = env.trainBatchesRead();
        SearchResult a = search(dir.resolve("a"), headOnly(), Budget.trials(3)).build().run();
        long read = env.trainBatchesRead() - before;
        assertEquals(3, a.trials().size());
        assertEquals("TRIALS", a.stopReason());
        assertTrue(a.trials().stream().allMatch(t -> t.status() == TrialStatus.COMPLETED), a.trials().toString());
        // one body pass over the training data for the whole search: 27 training images in batches of 4 or 8
        assertEquals(1, a.cacheBuilds(), "one cache for three head-only trials");
        assertEquals(2, a.cacheReuses());
        assertTrue(read == 7 || read == 4, "training batches read by the body: " + read);

        SearchResult b = search(dir.resolve("b"), headOnly(), Budget.trials(3)).build().run();
        for (int i = 0; i < 3; i++) {
            TrialRecord x = a.trials().get(i);
            TrialRecord y = b.trials().get(i);
            assertEquals(x.params(), y.params());
            assertEquals(x.objective(), y.objective(), 0.0, "same seed, same result: trial " + i);
            assertEquals(comparable(x.history()), comparable(y.history()));
        }
        assertTrue(a.trials().stream().map(TrialRecord::params).distinct().count() > 1, "random draws differ");
        TrialRecord best = a.best().orElseThrow();
        assertEquals(a.trials().stream().mapToDouble(TrialRecord::objective).min().orElseThrow(), best.objective());
        assertTrue(Files.isRegularFile(dir.resolve("a/best-model.t4j")));
        assertEquals(env.layerGroups().size() > 0, ModelBundle.load(dir.resolve("a/best-model.t4j")).labels().size()
                == 3);
        List<String> csv = Files.readAllLines(dir.resolve("a/results.csv"));
        assertEquals(4, csv.size());
        assertTrue(csv.get(0).startsWith("trial,status,val_loss,best_epoch,epochs,seconds,headLearningRate"),
                csv.get(0));
        assertTrue(Files.readString(dir.resolve("a/best.json")).contains("\"trial\" : " + best.id()));
        assertFalse(Files.exists(dir.resolve("a/feature-cache")), "spill files are removed at the end");
    }

    @Test
    void gridEnumeratesEveryPointAndFineTuningTrialsShareBothCaches() {
        SearchSpace space = SearchSpace.builder().choice("batchSize", 4, 8).choice("unfreeze", "none", "block3")
                .choice("headLearningRate", 0.02).choice("headEpochs", 1).choice("fineTuneEpochs", 1)
                .choice("augment", false).build();
        long before = env.trainBatchesRead();
        SearchResult r = search(dir, space, Budget.trials(10)).strategy(Strategy.grid()).build().run();
        long read = env.trainBatchesRead() - before;
        assertEquals("EXHAUSTED", r.stopReason());
        assertEquals(List.of("4 none", "4 block3", "8 none", "8 block3"), r.trials().stream()
                .map(t -> t.params().get("batchSize") + " " + t.params().get("unfreeze")).toList());
        assertEquals(List.of(1, 2, 1, 2), r.trials().stream().map(t -> t.history().size()).toList());
        assertEquals("fine-tune-block3", r.trials().get(1).history().get(1).phase());
        // the cut's cache for all four head phases, block3's boundary cache for both fine-tuning phases
        assertEquals(2, r.cacheBuilds());
        assertEquals(4, r.cacheReuses());
        assertEquals(7 + 7, read, "the body ran once over the training data per cache (27 images, batches of 4)");
    }

    @Test
    void successiveHalvingStopsTheWeakTrialsAtTheFirstRung() {
        SearchSpace space = SearchSpace.builder().choice("batchSize", 4, 8).choice("headLearningRate", 0.05, 1e-7)
                .choice("headEpochs", 4).choice("patience", 4).choice("unfreeze", "none").choice("augment", false)
                .build();
        SearchResult r = search(dir, space, Budget.trials(4)).strategy(Strategy.grid())
                .pruner(Pruner.successiveHalving(1, 2)).build().run();
        List<TrialRecord> t = r.trials();
        assertEquals(TrialStatus.COMPLETED, t.get(0).status(), "the first trial has no rival at its rungs");
        assertEquals(4, t.get(0).history().size());
        for (int weak : new int[] {1, 3}) {
            assertEquals(TrialStatus.PRUNED, t.get(weak).status(), "lr 1e-7 barely learns: " + t.get(weak));
            assertEquals(1, t.get(weak).history().size(), "pruned at the first rung (epoch 1)");
        }
        assertEquals(0, r.best().orElseThrow().id());
        assertTrue(r.trials().stream().filter(x -> x.status() == TrialStatus.PRUNED).allMatch(x ->
                x.objective() > t.get(0).history().get(0).valLoss()), "every pruned trial was behind at its rung");
        assertThrows(IllegalArgumentException.class, () -> search(dir.resolve("x"), space, Budget.trials(4))
                .pruner(Pruner.successiveHalving(4, 2)).build(), "a first rung at the last epoch never prunes");
        assertThrows(IllegalArgumentException.class, () -> Pruner.successiveHalving(1, 1));
    }

    @Test
    void divergedAndOutOfMemoryTrialsAreRecordedAsFailedAndTheSearchGoesOn() throws Exception {
        env.oomWidth = 999;
        env.nanWidth = 7;
        try {
            SearchSpace space = SearchSpace.builder().choice("dense", 999, 7, 0).choice("headEpochs", 2)
                    .choice("unfreeze", "none").choice("augment", false).build();
            SearchResult r = search(dir, space, Budget.trials(4)).strategy(Strategy.grid()).build().run();
            List<TrialRecord> t = r.trials();
            assertEquals(3, t.size());
            assertEquals(TrialStatus.FAILED, t.get(0).status());
            assertTrue(t.get(0).error().startsWith("out of memory: simulated"), t.get(0).error());
            assertEquals(TrialStatus.FAILED, t.get(1).status());
            assertTrue(t.get(1).error().startsWith("diverged: Loss became"), t.get(1).error());
            assertTrue(Double.isNaN(t.get(1).objective()));
            assertEquals(TrialStatus.COMPLETED, t.get(2).status());
            assertEquals(2, r.best().orElseThrow().id());
            String csv = Files.readString(dir.resolve("results.csv"));
            assertTrue(csv.contains("failed") && csv.contains("diverged: Loss became"), csv);
        } finally {
            env.oomWidth = -1;
            env.nanWidth = -1;
        }
    }

    @Test
    void aTimeBudgetTooSmallForOneTrialIsAClearErrorAndKeepsTheDirectory() {
        TrialListener slow = new TrialListener() {
            @Override
            public void epochEnded(int id, EpochRecord epoch) {
                sleep(1100);
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> search(dir, headOnly(),
                Budget.time(Duration.ofSeconds(1))).listener(slow).build().run());
        assertTrue(e.getMessage().contains("ended before the first trial finished"), e.getMessage());
        assertTrue(Files.isRegularFile(dir.resolve("search.json")));
        assertFalse(Files.exists(dir.resolve("trials.jsonl")), "the cut-short trial is not recorded");
        assertThrows(IllegalArgumentException.class, () -> Budget.trials(0));
        assertThrows(IllegalArgumentException.class, () -> Budget.time(Duration.ofMillis(10)));
        assertThrows(IllegalArgumentException.class, () -> new Budget(null, null));
    }

    @Test
    void aResumedSearchSkipsFinishedTrialsAndEndsAsAnUninterruptedOne() throws Exception {
        Error kill = new Error("simulated kill");
        TrialListener crash = new TrialListener() {
            @Override
            public void epochEnded(int id, EpochRecord epoch) {
                if (id == 1) {
                    throw kill;
                }
            }
        };
        assertEquals(kill, assertThrows(Error.class, () -> search(dir, headOnly(), Budget.trials(3))
                .listener(crash).build().run()));
        assertEquals(1, Files.readAllLines(dir.resolve("trials.jsonl")).size(), "trial 0 was recorded");
        RecordingListener seen = new RecordingListener();
        SearchResult resumed = search(dir, headOnly(), Budget.trials(3)).listener(seen).build().run();
        List<Integer> skipped = seen.skipped;
        List<Integer> started = seen.started;
        assertEquals(List.of(0), skipped);
        assertEquals(List.of(1, 2), started);
        SearchResult straight = search(dir.resolve("straight"), headOnly(), Budget.trials(3)).build().run();
        assertEquals(straight.trials().stream().map(TrialRecord::objective).toList(),
                resumed.trials().stream().map(TrialRecord::objective).toList());
        assertEquals(straight.best().orElseThrow().id(), resumed.best().orElseThrow().id());
    }

    @Test
    void aSearchDirectoryInUseIsRefusedNamingTheHolderBeforeAnythingIsWritten() throws Exception {
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread other = new Thread(() -> { // as a search running in another thread or process holds it
            try (io.transfer4j.internal.DirectoryLock l = io.transfer4j.internal.DirectoryLock.claim(dir,
                    "search directory", "Tuner.run")) {
                held.countDown();
                done.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "other-search");
        other.start();
        held.await();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> search(dir, headOnly(), Budget.trials(1)).build().run());
            assertTrue(e.getMessage().startsWith("search directory " + dir.toAbsolutePath().normalize()
                    + " is in use by process " + ProcessHandle.current().pid()) && e.getMessage().contains(
                    "(Tuner.run) (thread 'other-search' of this process)"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("search.json")), "nothing of the search was written");
        } finally {
            done.countDown();
            other.join();
        }
        assertEquals(1, search(dir, headOnly(), Budget.trials(1)).build().run().trials().size(),
                "free once the holder ended");
        assertFalse(Files.exists(dir.resolve(io.transfer4j.internal.DirectoryLock.FILE)), "the lock file went");
    }

    @Test
    void anotherSearchInTheSameDirectoryIsRefusedAndNothingIsLost() throws Exception {
        search(dir, headOnly(), Budget.trials(1)).build().run();
        byte[] rows = Files.readAllBytes(dir.resolve("trials.jsonl"));
        byte[] searchJson = Files.readAllBytes(dir.resolve("search.json"));
        SearchSpace other = SearchSpace.builder().logUniform("headLearningRate", 1e-4, 5e-2).choice("dense", 0, 8)
                .choice("batchSize", 4, 8).choice("headEpochs", 2).choice("unfreeze", "none").choice("augment", false)
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> search(dir, other,
                Budget.trials(2)).build().run());
        assertTrue(e.getMessage().contains("holds another search") && e.getMessage().contains("space:"),
                e.getMessage());
        IllegalArgumentException seed = assertThrows(IllegalArgumentException.class, () -> search(dir, headOnly(),
                Budget.trials(2)).seed(8).build().run());
        assertTrue(seed.getMessage().contains("seed: the directory has 7, this search 8"), seed.getMessage());
        assertArrayEquals(rows, Files.readAllBytes(dir.resolve("trials.jsonl")));
        assertArrayEquals(searchJson, Files.readAllBytes(dir.resolve("search.json")));
        // the same search with a larger budget extends it
        assertEquals(2, search(dir, headOnly(), Budget.trials(2)).build().run().trials().size());
    }

    @Test
    void anUnknownLayerGroupIsRefusedWhenTheTunerIsBuilt() {
        SearchSpace space = SearchSpace.builder().choice("unfreeze", "none", "blok3").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> search(dir, space,
                Budget.trials(1)).build());
        for (String part : List.of("'blok3'", "tiny", "block1, block2, block3", "Did you mean 'block3'?")) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("search.json")), "nothing written");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<String> comparable(List<EpochRecord> h) {
        return h.stream().map(e -> e.phase() + "/" + e.epoch() + " " + e.loss() + " " + e.valLoss() + " "
                + e.metrics()).toList();
    }
}
