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
            t.train.next();
            assertEquals(t.train.lastBatchFilenames(), d.lastBatchNames().orElseThrow(),
                    "the files of the batch just taken, in batch order (what an evaluation keys its samples by)");
            assertEquals(5, d.lastBatchNames().orElseThrow().size());
        }
    }

    @Test
    void anArrayFlowIsAdaptedToo() {
        org.nd4j.linalg.api.ndarray.INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 5, 3, 8, 8)
                .muli(255);
        org.nd4j.linalg.api.ndarray.INDArray y = Nd4j.create(new float[] {0, 1, 0, 1, 1}, new long[] {5});
        io.transfer4j.augmentation.FlowOptions o = io.transfer4j.augmentation.FlowOptions.builder().batchSize(2)
                .shuffle(false).build();
        try (io.transfer4j.augmentation.ArrayFlow f = io.transfer4j.augmentation.ImagePipeline
                .of(io.transfer4j.zoo.Normalization.none()).flow(x, y, java.util.List.of("a", "b"), o)) {
            TrainingData d = TrainingData.of(f);
            assertEquals(5, d.samples().orElseThrow(), "known without iterating: a flow, not a generic iterator");
            assertEquals(3, d.batchesPerEpoch());
            assertFalse(d.augmented());
            assertArrayEquals(new long[] {2, 3}, d.classCounts(2));
            f.next();
            assertTrue(d.lastBatchNames().isEmpty(), "in-memory samples have no file names");
            assertEquals("unknown:" + io.transfer4j.augmentation.ArrayFlow.class.getName(), d.fingerprint(),
                    "an array cannot be identified (not checked on resume)");
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
