package io.transfer4j.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.NetworkUtils;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import io.transfer4j.training.Optimizer;

class LearningRatesTest {

    private static Map<String, INDArray> gradient(ComputationGraph g, DataSet d) {
        ComputationGraph copy = g.clone();
        copy.setInputs(d.getFeatures());
        copy.setLabels(d.getLabels());
        copy.computeGradientAndScore();
        return Map.of("a_W", copy.gradient().getGradientFor("a_W").dup(),
                "out_W", copy.gradient().getGradientFor("out_W").dup());
    }

    @Test
    void eachLayerStepsWithItsOwnMultiplierAndRateChangesTakeEffectAtOnce() {
        ComputationGraph g = TinyGraphs.mlp(1);
        int n = 12;   // DL4J's gradient here is summed over the batch; the update divides by the batch size
        DataSet d = TinyGraphs.data(n, 2);
        LearningRates lr = LearningRates.prepare(g, name -> name.equals("a") ? 0.1 : null,
                Optimizer.sgd(0, false), 0.5);
        assertEquals(0.05, NetworkUtils.getLearningRate(g, "a"), 1e-12);
        assertEquals(0.5, NetworkUtils.getLearningRate(g, "out"), 1e-12);

        for (double base : new double[] {0.5, 0.2}) {
            lr.apply(base);
            Map<String, INDArray> grad = gradient(g, d);
            INDArray a0 = g.getParam("a_W").dup();
            INDArray o0 = g.getParam("out_W").dup();
            g.fit(d);
            INDArray da = g.getParam("a_W").sub(a0);
            INDArray dout = g.getParam("out_W").sub(o0);
            assertTrue(da.equalsWithEps(grad.get("a_W").mul(-base * 0.1 / n), 1e-5), "layer a at base " + base);
            assertTrue(dout.equalsWithEps(grad.get("out_W").mul(-base / n), 1e-5), "layer out at base " + base);
        }
        assertEquals(Map.of("a", 0.1, "out", 1.0), lr.multipliers());
    }
}
