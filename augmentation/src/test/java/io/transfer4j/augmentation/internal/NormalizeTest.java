package io.transfer4j.augmentation.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.zoo.Normalization;

/** The plain-Java normalisation gives what the zoo's ND4J version gives, for every mode and channel count. */
class NormalizeTest {
    @Test
    void matchesNormalizationApplyInPlace() {
        Random r = new Random(3);
        for (Normalization n : List.of(Normalization.caffe(), Normalization.torch(), Normalization.rescale(),
                Normalization.none())) {
            for (int c : new int[] {1, 3}) {
                float[] x = new float[c * 5 * 4];
                for (int i = 0; i < x.length; i++) {
                    x[i] = r.nextInt(256);
                }
                INDArray expected = n.applyInPlace(Nd4j.create(x.clone(), new long[] {1, c, 5, 4}, DataType.FLOAT));
                float[] y = x.clone();
                Normalize.apply(y, c, 5, 4, n);
                INDArray got = Nd4j.create(y, new long[] {1, c, 5, 4}, DataType.FLOAT);
                assertEquals(0, expected.sub(got).amaxNumber().doubleValue(), 1e-4, n.mode() + " channels " + c);
            }
        }
    }
}
