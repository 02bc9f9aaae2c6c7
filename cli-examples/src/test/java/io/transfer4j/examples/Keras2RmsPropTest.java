package io.transfer4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.RmsProp;

/** The two RMSprop forms, step by step against hand-computed values. */
class Keras2RmsPropTest {

    private static final double LR = 0.001;
    private static final double RHO = 0.9;
    private static final double EPS = 1e-7;

    private static final int STEPS = 200;

    /** {@link #STEPS} steps of the same gradients; returns the last update of each parameter. */
    private static double[] run(GradientUpdater<?> u, double[] g) {
        INDArray grad = null;
        for (int step = 0; step < STEPS; step++) {
            grad = Nd4j.createFromArray(g).reshape(1, g.length);
            u.applyUpdater(grad, step, 0);
        }
        return grad.toDoubleVector();
    }

    private static double ms(double g, int steps) {
        double ms = 0;
        for (int i = 0; i < steps; i++) {
            ms = RHO * ms + (1 - RHO) * g * g;
        }
        return ms;
    }

    @Test
    void keras2FormDividesBySqrtOfMsPlusEpsilon() {
        double[] g = {0.5, -1e-6, 0};
        INDArray view = Nd4j.zeros(DataType.DOUBLE, 1, 3);
        double[] up = run(new Keras2RmsProp(LR, RHO, EPS).instantiate(view, true), g);
        for (int i = 0; i < g.length; i++) {
            assertEquals(LR * g[i] / Math.sqrt(ms(g[i], STEPS) + EPS), up[i], 1e-12, "parameter " + i);
        }
        // a tiny gradient barely moves its parameter in Keras 2 ...
        assertTrue(Math.abs(up[1]) < 0.01 * LR, "Keras 2 damps tiny gradients: " + up[1]);
    }

    @Test
    void dl4jFormDividesBySqrtOfMsPlusEpsilonOutsideTheRoot() {
        double[] g = {0.5, -1e-6};
        INDArray view = Nd4j.zeros(DataType.DOUBLE, 1, 2);
        double[] up = run(new RmsProp(LR, RHO, EPS).instantiate(view, true), g);
        for (int i = 0; i < g.length; i++) {
            double ms = Math.pow(RHO, STEPS) * EPS + ms(g[i], STEPS);   // DL4J starts its state at epsilon
            assertEquals(LR * g[i] / (Math.sqrt(ms) + EPS), up[i], 1e-3 * Math.abs(LR * g[i] / Math.sqrt(ms)) + 1e-15,
                    "parameter " + i);
        }
        // ... but, once DL4J's initial state (epsilon) has decayed, by almost a full lr step in DL4J (and Keras 3)
        assertTrue(Math.abs(up[1]) > 0.5 * LR, "DL4J moves tiny-gradient parameters by a full step: " + up[1]);
    }

    @Test
    void trainsTheExampleNetworkAndRejectsBadSettings() {
        var net = MnistCnn.network(28, 28, 3, new Keras2RmsProp());
        INDArray before = net.params().dup();
        net.fit(new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(DataType.FLOAT, 8, 1, 28, 28),
                Nd4j.eye(10).getRows(0, 1, 2, 3, 4, 5, 6, 7).castTo(DataType.FLOAT)));
        assertTrue(net.params().sub(before).amaxNumber().doubleValue() > 0, "parameters moved");
        assertThrows(IllegalArgumentException.class, () -> new Keras2RmsProp(0.001, 1.0, 1e-7));
    }
}
