package io.transfer4j.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.dataset.adapter.SingletonDataSetIterator;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;

/** Seeded synthetic batches for core tests. */
final class TestData {
    private TestData() {
    }

    /** {@code n} images in [0, scale) with one-hot labels of {@code classes}; class k brightens channel k % c. */
    static DataSet batch(int n, int channels, int size, int classes, double scale, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * channels * size * size];
        float[] y = new float[n * classes];
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(classes);
            y[i * classes + label] = 1;
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < size * size; p++) {
                    double v = r.nextDouble() * 0.5 + (c == label % channels ? 0.5 : 0);
                    x[((i * channels + c) * size * size) + p] = (float) (v * scale);
                }
            }
        }
        INDArray features = Nd4j.create(x, new long[] {n, channels, size, size});
        INDArray labels = Nd4j.create(y, new long[] {n, classes});
        return new DataSet(features, labels);
    }

    static DataSetIterator iterator(DataSet all, int batchSize) {
        List<DataSet> list = new ArrayList<>();
        list.addAll(all.asList());
        return new ListDataSetIterator<>(list, batchSize);
    }

    static DataSetIterator single(DataSet ds) {
        return new SingletonDataSetIterator(ds);
    }
}
