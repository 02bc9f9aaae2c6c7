package io.transfer4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.RmsProp;

import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.Metric;

/** {@code --restore-best-weights}: the copy kept is the lowest-val_loss epoch's, and it survives later training. */
class BestWeightsTest {

    private static EpochRecord epoch(int n, double valLoss) {
        return new EpochRecord("train", n, 0.1, valLoss, java.util.Map.of(Metric.ACCURACY, 0.9), 1e-3, 1, 1);
    }

    @Test
    void keepsTheLowestValidationLossEpochAndRestoresIt() {
        MultiLayerNetwork net = MnistCnn.network(28, 28, 1, new RmsProp(1e-3, 0.9, 1e-7));
        AbstractMnistExample.BestWeights best = new AbstractMnistExample.BestWeights();
        best.offer(net, epoch(1, 0.5));
        net.params().addi(1.0);                       // "training" moves the live weights
        best.offer(net, epoch(2, 0.3));
        INDArray epoch2 = net.params().dup();
        net.params().addi(1.0);
        best.offer(net, epoch(3, 0.4));               // worse: ignored
        best.offer(net, epoch(4, 0.3));               // equal: Keras keeps the first
        assertEquals(2, best.epoch);
        assertEquals(0.3, best.valLoss);
        assertEquals(epoch2, best.params);
        assertNotEquals(epoch2, net.params(), "the kept copy must not alias the live parameters");
        net.setParams(best.params);
        assertEquals(epoch2, net.params());
    }
}
