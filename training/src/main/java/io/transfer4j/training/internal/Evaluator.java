package io.transfer4j.training.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.training.Metrics;
import io.transfer4j.training.ScoredSample;
import io.transfer4j.training.TrainingData;

/**
 * The one evaluation loop: runs a model in inference mode over labelled batches, keeps every example's
 * probabilities (with its file name when the data knows it: {@link TrainingData#lastBatchNames()}) and computes
 * {@link Metrics} from them. Validation each epoch, the test set at the end of a run, {@code transfer4j evaluate} and the examples all come
 * through here.
 */
public final class Evaluator {
    private Evaluator() {
    }

    /**
     * Evaluates over a whole iterator (reset first).
     *
     * @param probabilities a batch's features to its probabilities {@code [n, classes]} (or {@code [n, 1]} for a
     *                      single sigmoid unit), in inference mode
     * @param data          labelled batches; when its {@code getLabels()} names classes in another order or a
     *                      subset of {@code labels} (a test folder without some class), they are mapped by name
     * @param labels        the model's class labels
     * @param topK          k of the top-k accuracy
     * @param afterBatch    told the number of batches done after each one (a progress bar), or null
     */
    public static Metrics evaluate(UnaryOperator<INDArray> probabilities, DataSetIterator data, List<String> labels,
                                   int topK, IntConsumer afterBatch) {
        data.reset();
        int[] toModelIndex = classMapping(data.getLabels(), labels);
        TrainingData adapted = TrainingData.of(data);
        Supplier<List<String>> keys = () -> adapted.lastBatchNames().orElse(null);
        return evaluate(probabilities, new Iterator<>() {
            @Override
            public boolean hasNext() {
                return data.hasNext();
            }

            @Override
            public DataSet next() {
                return data.next();
            }
        }, keys, toModelIndex, labels, topK, afterBatch);
    }

    /** Evaluates over batches whose labels are in the model's class order (e.g. cached features). */
    public static Metrics evaluate(UnaryOperator<INDArray> probabilities, Iterator<DataSet> batches,
                                   List<String> labels, int topK) {
        return evaluate(probabilities, batches, null, null, labels, topK, null);
    }

    private static Metrics evaluate(UnaryOperator<INDArray> probabilities, Iterator<DataSet> batches,
                                    Supplier<List<String>> keys, int[] toModelIndex, List<String> labels, int topK,
                                    IntConsumer afterBatch) {
        List<ScoredSample> samples = new ArrayList<>();
        int done = 0;
        while (batches.hasNext()) {
            DataSet d = batches.next();
            List<String> names = keys == null ? null : keys.get();
            INDArray out = probabilities.apply(d.getFeatures()).castTo(DataType.FLOAT);
            INDArray y = d.getLabels();
            if (out.size(1) == 1) {
                // a single sigmoid unit: probability of the positive class
                out = Nd4j.hstack(out.rsub(1.0), out);
                y = Nd4j.hstack(y.rsub(1.0), y);
            }
            INDArray idx = y.argMax(1);
            float[][] rows = out.toFloatMatrix();
            for (int i = 0; i < rows.length; i++) {
                int actual = idx.getInt(i);
                samples.add(new ScoredSample(toModelIndex == null ? actual : toModelIndex[actual], rows[i],
                        names == null ? null : names.get(i)));
            }
            done++;
            if (afterBatch != null) {
                afterBatch.accept(done);
            }
        }
        return Metrics.compute(labels, samples, topK);
    }

    /**
     * The model's index of each of the data's classes, or null for positions as they are: when the data names no
     * classes, names the model's in its order, or names other classes of the same number (a generic iterator's
     * own names; positions are taken to match as DL4J takes them).
     */
    static int[] classMapping(List<String> dataLabels, List<String> modelLabels) {
        if (dataLabels == null || dataLabels.equals(modelLabels)) {
            return null;
        }
        int[] map = new int[dataLabels.size()];
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < map.length; i++) {
            map[i] = modelLabels.indexOf(dataLabels.get(i));
            if (map[i] < 0) {
                unknown.add(dataLabels.get(i));
            }
        }
        if (unknown.isEmpty()) {
            return map;
        }
        if (dataLabels.size() == modelLabels.size()) {
            return null;
        }
        throw new IllegalArgumentException("the evaluation data has classes " + unknown + " that the model does not "
                + "know; the model's labels are " + modelLabels + ". Evaluate on folders named after the model's "
                + "classes");
    }
}
