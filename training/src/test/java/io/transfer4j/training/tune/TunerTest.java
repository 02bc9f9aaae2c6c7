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
import java.util.ArrayList;
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
        SearchResult a = search(dir.resolve("a"), headOnly(), Budget.trials(4)).build().run();
        long read = env.trainBatchesRead() - before;
        assertEquals(4, a.trials().size());
        assertEquals("TRIALS", a.stopReason());
        assertTrue(a.trials().stream().allMatch(t -> t.status() == TrialStatus.COMPLETED), a.trials().toString());
        // one body pass over the training data for the whole search: 27 training images in batches of 4 or 8
        assertEquals(1, a.cacheBuilds(), "one cache for four head-only trials");
        assertEquals(3, a.cacheReuses());
        assertTrue(read == 7 || read == 4, "training batches read by the body: " + read);

        SearchResult b = search(dir.resolve("b"), headOnly(), Budget.trials(4)).build().run();
        for (int i = 0; i < 4; i++) {
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
        assertEquals(5, csv.size());
        assertTrue(csv.get(0).startsWith("trial,status,val_loss,best_epoch,epochs,seconds,headLearningRate"),
                csv.get(0));
        assertTrue(Files.readString(dir.resolve("a/best.json")).contains("\"trial\" : " + best.id()));
        assertFalse(Files.exists(dir.resolve("a/feature-cache")), "spill files are removed at the end");
    }

    static List<String> comparable(List<EpochRecord> h) {
        return h.stream().map(e -> e.phase() + "/" + e.epoch() + " " + e.loss() + " " + e.valLoss() + " "
                + e.metrics()).toList();
    }
}
