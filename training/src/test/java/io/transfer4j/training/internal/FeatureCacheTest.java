package io.transfer4j.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;

class FeatureCacheTest {

    /** 10 examples, feature i = example id, as 4-d maps [1,1,2] so shapes are exercised. */
    private static DataSetIterator source() {
        DataSet d = TinyGraphs.data(10, 3);
        INDArray ids = org.nd4j.linalg.factory.Nd4j.linspace(0, 9, 10).reshape(10, 1, 1, 1)
                .repeat(3, 2).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        return new TestDataSetIterator(new DataSet(ids, d.getLabels()), 4);
    }

    private static List<Integer> ids(Iterator<DataSet> it) {
        List<Integer> out = new ArrayList<>();
        while (it.hasNext()) {
            DataSet d = it.next();
            assertEquals(4, d.getFeatures().rank());
            for (int i = 0; i < d.numExamples(); i++) {
                out.add(d.getFeatures().getInt(i, 0, 0, 0));
            }
        }
        return out;
    }

    @Test
    void bodyRunsOnceAndEpochsAreSeededPermutations(@TempDir Path tmp) {
        AtomicInteger calls = new AtomicInteger();
        try (FeatureCache c = FeatureCache.build("k", source(), x -> {
            calls.incrementAndGet();
            return x.reshape(x.size(0), 1, 1, 2);
        }, 1L << 30, tmp.resolve("spill"))) {
            assertFalse(c.onDisk());
            assertEquals(3, calls.get(), "one body pass over 3 batches");
            assertEquals(10, c.examples());
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), ids(c.inOrder()));
            List<Integer> e1 = ids(c.shuffled(1));
            assertEquals(e1, ids(c.shuffled(1)), "same seed, same order");
            assertNotEquals(e1, ids(c.shuffled(2)));
            assertEquals(new TreeSet<>(e1).size(), 10);
            assertEquals(3, calls.get(), "epochs never call the body");
            assertEquals(4 + 3 + 3, java.util.Arrays.stream(c.classCounts()).sum());
        }
    }

    @Test
    void spillsToDiskBeyondTheLimitAndCleansUp(@TempDir Path tmp) throws Exception {
        Path spill = tmp.resolve("spill");
        List<Integer> e1;
        try (FeatureCache c = FeatureCache.build("k", source(), x -> x.reshape(x.size(0), 1, 1, 2), 20,
                spill)) {
            assertTrue(c.onDisk());
            assertEquals(3, c.batches());
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), ids(c.inOrder()));
            e1 = ids(c.shuffled(5));
            assertEquals(e1, ids(c.shuffled(5)));
            assertEquals(10, new TreeSet<>(e1).size());
            assertTrue(Files.list(spill).count() == 3);
        }
        assertFalse(Files.exists(spill));
    }
}
