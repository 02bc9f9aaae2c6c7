package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NormalizationTest {

    @Test
    void caffeSwapsToBgrAndSubtractsMeans() {
        INDArray x = Nd4j.create(DataType.FLOAT, 1, 3, 1, 1);
        x.putScalar(new int[] {0, 0, 0, 0}, 200); // R
        x.putScalar(new int[] {0, 1, 0, 0}, 100); // G
        x.putScalar(new int[] {0, 2, 0, 0}, 50);  // B
        Normalization.caffe().applyInPlace(x);
        assertEquals(50 - 103.939, x.getDouble(0, 0, 0, 0), 1e-3, "channel 0 is blue minus the blue mean");
        assertEquals(100 - 116.779, x.getDouble(0, 1, 0, 0), 1e-3);
        assertEquals(200 - 123.68, x.getDouble(0, 2, 0, 0), 1e-3, "channel 2 is red minus the red mean");
    }

    @Test
    void torchScalesThenStandardises() {
        INDArray x = Nd4j.valueArrayOf(new long[] {2, 3, 2, 2}, 255f, DataType.FLOAT);
        Normalization.torch().applyInPlace(x);
        assertEquals((1 - 0.485) / 0.229, x.getDouble(1, 0, 1, 1), 1e-5);
        assertEquals((1 - 0.406) / 0.225, x.getDouble(0, 2, 0, 0), 1e-5);
    }

    @Test
    void rejectsBadValuesWithWhatWasReceived() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                new Normalization("x", ChannelOrder.RGB, 1, new double[] {1, 2, 3}, new double[] {1, 0, 1}));
        assertTrue(e.getMessage().contains("[1.0, 0.0, 1.0]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Normalization.caffe().applyInPlace(Nd4j.zeros(3, 4)));
    }
}
