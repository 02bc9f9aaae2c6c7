package io.transfer4j.training;

import java.util.Iterator;
import java.util.OptionalInt;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * {@link TrainingData} of any other iterator: batches are counted by iterating once, each epoch starts with
 * {@code reset()}, classes are counted from the one-hot labels, the inputs are assumed to change between epochs
 * (never cached) and the data cannot be fingerprinted.
 */
final class IteratorData implements TrainingData {
    private final DataSetIterator it;
    private Integer batches;

    IteratorData(DataSetIterator it) {
        this.it = it;
    }

    static String unknown(DataSetIterator it) {
        return "unknown:" + it.getClass().getName();
    }

    @Override
    public DataSetIterator iterator() {
        return it;
    }

    @Override
    public OptionalInt samples() {
        return OptionalInt.empty();
    }

    @Override
    public int batchesPerEpoch() {
        if (batches == null) {
            it.reset();
            int n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            batches = n;
        }
        return batches;
    }

    /** Unknown data may change from epoch to epoch, so it is never cached. */
    @Override
    public boolean augmented() {
        return true;
    }

    @Override
    public Iterator<DataSet> epoch(int epoch) {
        it.reset();
        return it;
    }

    @Override
    public long[] classCounts(int numClasses) {
        long[] counts = new long[numClasses];
        it.reset();
        while (it.hasNext()) {
            INDArray idx = it.next().getLabels().argMax(1);
            for (int i = 0; i < idx.length(); i++) {
                counts[idx.getInt(i)]++;
            }
        }
        return counts;
    }

    @Override
    public String fingerprint() {
        return unknown(it);
    }
}
