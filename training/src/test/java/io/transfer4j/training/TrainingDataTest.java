package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/** The training loop's view of its data, for flows and for any other iterator. */
class TrainingDataTest {

    @Test
    void aFolderFlowAnswersFromWhatItKnows(@TempDir Path dir) throws Exception {
        Path data = TinyRun.ensureData(dir, 4);
        try (TinyRun t = TinyRun.open(data, TinyRun.zooHome(dir), false, 5);
             TinyRun augmented = TinyRun.open(data, TinyRun.zooHome(dir), true, 5)) {
            TrainingData d = TrainingData.of(t.train);
            assertEquals(9, d.samples().orElseThrow());
            assertEquals(2, d.batchesPerEpoch());
            assertFalse(d.augmented());
            assertTrue(TrainingData.of(augmented.train).augmented(), "random transforms: never cached");
            assertArrayEquals(new long[] {3, 3, 3}, d.classCounts(3));
            assertTrue(d.fingerprint().matches("files:[0-9a-f]{16}"), d.fingerprint());
            assertEquals(d.fingerprint(), TrainingData.of(augmented.train).fingerprint(), "same files, same labels");
            d.epoch(3);
            assertEquals(3, t.train.epoch(), "an epoch is reached directly, as on resume");
            assertFalse(d.isEmpty());
        }
    }

    @Test
    void anyOtherIteratorIsCountedResetAndNeverCached() {
        DataSetIterator it = new TestDataSetIterator(new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(7, 3),
                Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 2)), 3);
        TrainingData d = TrainingData.of(it);
        assertTrue(d.samples().isEmpty());
        assertEquals(3, d.batchesPerEpoch());
        assertTrue(d.augmented(), "an iterator that cannot tell is assumed to change between epochs");
        assertArrayEquals(new long[] {2, 2, 3}, d.classCounts(3));
        assertEquals("unknown:" + TestDataSetIterator.class.getName(), d.fingerprint());
        int n = 0;
        for (var e = d.epoch(5); e.hasNext(); e.next()) {
            n++;
        }
        assertEquals(3, n, "each epoch starts from a reset");
        assertFalse(d.isEmpty());
    }

    @Test
    void anIteratorThatDescribesItselfIsUsedAsItIs() {
        abstract class Own implements DataSetIterator, TrainingData {
        }
        Own own = org.mockito.Mockito.mock(Own.class);
        assertSame(own, TrainingData.of(own));
    }
}
