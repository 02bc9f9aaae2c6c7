package io.transfer4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.RmsProp;

/** The tutorial network matches Keras's {@code model.summary()} layer by layer. */
class MnistCnnTest {

    private final MultiLayerNetwork net = MnistCnn.network(28, 28, 1, MnistCnn.kerasRmsProp());

    @Test
    void parameterCountsMatchKerasSummary() {
        // Keras: conv2d 320, max_pooling2d 0, conv2d_1 18496, max_pooling2d_1 0, conv2d_2 36928, flatten 0,
        //        dense 36928, dense_1 650 -> Total params: 93,322
        assertEquals(93_322, net.numParams());
        long[] perLayer = new long[net.getnLayers()];
        for (int i = 0; i < perLayer.length; i++) {
            perLayer[i] = net.getLayer(i).numParams();
        }
        assertArrayEquals(new long[] {320, 0, 18_496, 0, 36_928, 36_928, 650}, perLayer);
    }

    @Test
    void outputShapesMatchKerasSummary() {
        List<INDArray> acts = net.feedForward(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 1, 28, 28), false);
        long[][] expected = {{2, 1, 28, 28}, {2, 32, 26, 26}, {2, 32, 13, 13}, {2, 64, 11, 11}, {2, 64, 5, 5},
                {2, 64, 3, 3}, {2, 64}, {2, 10}};
        assertEquals(expected.length, acts.size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], acts.get(i).shape(), "activation " + i);
        }
        assertEquals(2.0, acts.get(7).sumNumber().doubleValue(), 1e-5, "softmax rows sum to 1");
    }

    @Test
    void convolutionsAndPoolingRunOnOneDnnHelpers() {
        net.fit(new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 1, 28, 28),
                Nd4j.eye(10).getRows(0, 1, 2, 3).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)));
        List<io.transfer4j.zoo.LayerHelperStatus> status = io.transfer4j.zoo.Backend.helpers(net);
        for (String name : List.of("conv2d_1", "conv2d_2", "conv2d_3", "max_pooling2d_1", "max_pooling2d_2")) {
            assertTrue(status.stream().anyMatch(s -> s.layer().equals(name) && s.active()),
                    name + " should run on a oneDNN helper: " + status);
        }
    }

    @Test
    void kerasDefaultsAreUsedNotDl4js() {
        BaseLayer conv1 = (BaseLayer) net.getLayerWiseConfigurations().getConf(0).getLayer();
        RmsProp updater = (RmsProp) conv1.getIUpdater();
        assertEquals(0.001, updater.getLearningRate(), 0);
        assertEquals(0.9, updater.getRmsDecay(), 0);
        assertEquals(1e-7, updater.getEpsilon(), 0);
        // Glorot uniform: |w| <= sqrt(6 / (fan_in + fan_out)), fan = 3*3*channels; biases zero
        double limit = Math.sqrt(6.0 / (9 * 1 + 9 * 32));
        INDArray w = net.getLayer(0).getParam("W");
        assertTrue(w.amaxNumber().doubleValue() <= limit, "max |w| " + w.amaxNumber() + " > " + limit);
        assertTrue(w.amaxNumber().doubleValue() > 0.9 * limit, "uniform, not normal: max |w| near the limit");
        assertEquals(0.0, net.getLayer(0).getParam("b").amaxNumber().doubleValue(), 0);
        double denseLimit = Math.sqrt(6.0 / (576 + 64));
        assertTrue(net.getLayer(5).getParam("W").amaxNumber().doubleValue() <= denseLimit);
    }
}
