package io.transfer4j.augmentation;

import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.augmentation.internal.SampleProcessor;
import io.transfer4j.zoo.Normalization;

/** Keras' {@code NumpyArrayIterator}: batches from an in-memory NCHW array (0-255 scale). */
public final class ArrayFlow extends ImageFlow {
    private static final long serialVersionUID = 1L;

    private final transient float[] data;
    private final int per;

    ArrayFlow(FlowOptions options, SampleProcessor processor, Normalization normalization, List<String> classNames,
              INDArray x, int[] labels) {
        super(options, processor, normalization, classNames, labels, (int) x.size(0));
        this.data = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        this.per = (int) (x.size(1) * x.size(2) * x.size(3));
    }

    @Override
    float[] load(int index) {
        float[] x = new float[per];
        System.arraycopy(data, index * per, x, 0, per);
        return x;
    }

    @Override
    String name(int index) {
        return "#" + index;
    }
}
