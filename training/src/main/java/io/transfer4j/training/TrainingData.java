package io.transfer4j.training;

import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import io.transfer4j.augmentation.ImageFlow;

/**
 * What the training loop needs to know about its training data, beyond a {@link DataSetIterator}: how many
 * batches an epoch has, whether the inputs are randomly augmented (only unaugmented inputs may be served from a
 * feature cache), how to start a given epoch (so a resumed run sees the batches an uninterrupted run sees), the
 * class of every sample (for balanced class weights) and a fingerprint that tells whether the data changed since
 * a run began.
 *
 * <p>{@link #of(DataSetIterator)} adapts any iterator: the augmentation module's flows ({@code DirectoryFlow},
 * {@code ArrayFlow}) answer from what they know; any other iterator is counted by iterating it once, restarted
 * with {@code reset()}, treated as possibly augmented and gets a fingerprint that only names its class. An iterator that implements this
 * interface itself is used as it is. (The flows cannot implement it directly: {@code augmentation} sits below
 * {@code training} in the module graph, so the one adapter lives here.)
 */
public interface TrainingData {
    /** The iterator the batches come from. */
    DataSetIterator iterator();

    /** Number of samples, if known without iterating. */
    OptionalInt samples();

    /** Batches per epoch (may iterate the data once to count them; the answer is remembered). */
    int batchesPerEpoch();

    /**
     * True if the inputs may change from epoch to epoch (random augmentation, or data that cannot tell): features
     * of them cannot be cached.
     */
    boolean augmented();

    /**
     * The batches of epoch {@code epoch} (0-based, counted over the whole run): deterministic data (flows)
     * jumps to that epoch's shuffle and transforms; other iterators are reset.
     */
    Iterator<DataSet> epoch(int epoch);

    /** Samples per class index (length {@code numClasses}). */
    long[] classCounts(int numClasses);

    /**
     * Identifies the data a run began with; a resumed run must see the same. Folder flows hash their sorted file
     * list with labels ({@code files:...}); data that cannot be identified says so ({@code unknown:CLASS}), and is
     * then not checked on resume.
     */
    String fingerprint();

    /**
     * Channels, height and width of every sample, when known without iterating (flows know their target size);
     * {@link FineTuner.Builder#build()} checks it against the model's input.
     */
    default java.util.Optional<io.transfer4j.zoo.InputShape> sampleShape() {
        return java.util.Optional.empty();
    }

    /** True if the data holds no sample (flows answer from their size; other iterators are reset and probed). */
    default boolean isEmpty() {
        OptionalInt n = samples();
        if (n.isPresent()) {
            return n.getAsInt() == 0;
        }
        DataSetIterator it = iterator();
        it.reset();
        return !it.hasNext();
    }

    /**
     * The sample indices of epoch {@code epoch} in the order the data yields them, and the batch size that cuts
     * them into batches, when the data can tell without iterating (flows). A feature cache replays the epoch from
     * it exactly: the same batches as the uncached run. Empty for data that cannot tell (then a cache shuffles).
     */
    default java.util.Optional<Order> order(int epoch) {
        return java.util.Optional.empty();
    }

    /** Sample indices of the batch the iterator returned last, when known (flows: files left out are skipped). */
    default java.util.Optional<int[]> lastBatchSamples() {
        return java.util.Optional.empty();
    }

    /**
     * Names of the samples of the batch the iterator returned last, in batch order, when the samples are files
     * (folder flows: paths relative to the folder); empty otherwise. Evaluations keep them with each sample's
     * scores (the report's most-confused images).
     */
    default java.util.Optional<List<String>> lastBatchNames() {
        return java.util.Optional.empty();
    }

    /** An epoch's sample order and the batch size that cuts it (see {@link #order(int)}). */
    record Order(int[] samples, int batchSize) {
    }

    /**
     * The adapter the training loop uses for {@code data}. This is the one place training looks at which kind of
     * iterator it was given: the flows cannot implement this interface ({@code augmentation} sits below
     * {@code training}), so they are adapted here, once, and everything else in training asks the adapter.
     */
    static TrainingData of(DataSetIterator data) {
        if (data instanceof TrainingData d) {
            return d;
        }
        if (data instanceof ImageFlow f) {
            return new FlowData(f);
        }
        return new IteratorData(data);
    }
}
