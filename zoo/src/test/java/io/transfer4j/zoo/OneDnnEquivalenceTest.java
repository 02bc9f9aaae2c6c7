package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.TreeMap;

/**
 * Numerical proof that the oneDNN path (DL4J layer helpers) computes what DL4J's built-in Java path computes, on
 * a deterministic network with frozen conv + BN, a conv frozen with backprop, trainable conv, BN, max and average
 * pooling, dense and softmax layers: outputs in inference and training mode, loss, every parameter gradient, and
 * the parameters after a few SGD steps. A float64 built-in network is the reference for both.
 *
 * <p>Tolerances (relative L2 error, {@code ||a - b|| / ||ref||}): both fp32 paths add up the same products in a
 * different order (oneDNN blocks and vectorises its reductions; DL4J does im2col + OpenBLAS GEMM), so they may
 * differ by fp32 rounding: unit roundoff 6e-8, growing with reduction length and depth. Measured on this network:
 * outputs ~1e-7, gradients ~1e-6 (oneDNN vs built-in, and each vs float64 alike). Limits are set 10x above that:
 * outputs and loss 1e-6, gradients 1e-5 of each variable's norm plus 1e-6 of the whole gradient's norm (the
 * second term covers the conv biases in front of BN, whose exact gradient is 0 and whose fp32 value is pure
 * rounding noise). A real difference (a wrong padding, a missing BN term, a mis-routed pooling gradient) shows
 * up at 1e-2..1.
 */
class OneDnnEquivalenceTest {

    private static final double OUTPUT_TOL = 1e-6;
    private static final double GRAD_RTOL = 1e-5;
    private static final double GRAD_ATOL = 1e-6;
    private static final int BATCH = 8;

    private static INDArray x;
    private static INDArray y;

    @BeforeAll
    static void data() {
        Backend.ensureInitialised();
        Nd4j.getRandom().setSeed(20261123L);
        x = Nd4j.rand(DataType.FLOAT, BATCH, 3, TestNets.SIZE, TestNets.SIZE).muli(2).subi(1);
        y = Nd4j.zeros(DataType.FLOAT, BATCH, TestNets.CLASSES);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % TestNets.CLASSES, 1f);
        }
    }

    /** oneDNN fp32, built-in fp32 and built-in fp64 networks with identical parameters. */
    private record Trio(ComputationGraph oneDnn, ComputationGraph builtIn, ComputationGraph fp64) {
        static Trio create() {
            ComputationGraph fast = TestNets.cnn(42, DataType.FLOAT);
            ComputationGraph slow = Backend.withBuiltInLayers(() -> TestNets.cnn(42, DataType.FLOAT));
            ComputationGraph ref = Backend.withBuiltInLayers(() -> TestNets.cnn(42, DataType.DOUBLE));
            slow.setParams(fast.params().dup());
            ref.setParams(fast.params().castTo(DataType.DOUBLE));
            assertTrue(Backend.helpers(fast).stream().allMatch(LayerHelperStatus::active), "oneDNN net lacks helpers");
            assertTrue(Backend.helpers(slow).stream().noneMatch(s -> s.helperClass() != null), "built-in net has helpers");
            assertTrue(Backend.helpers(ref).stream().noneMatch(s -> s.helperClass() != null), "fp64 net has helpers");
            return new Trio(fast, slow, ref);
        }
    }

    @Test
    void outputsAgreeInInferenceAndTrainingMode() {
        Trio t = Trio.create();
        for (boolean train : new boolean[] {false, true}) {
            INDArray fast = t.oneDnn().outputSingle(train, x);
            INDArray slow = t.builtIn().outputSingle(train, x);
            INDArray ref = t.fp64().outputSingle(train, x.castTo(DataType.DOUBLE));
            String mode = train ? "training mode" : "inference mode";
            assertWithin(rel(fast, slow), OUTPUT_TOL, "oneDNN vs built-in output, " + mode);
            assertWithin(rel(fast, ref), OUTPUT_TOL, "oneDNN vs float64 output, " + mode);
            assertWithin(rel(slow, ref), OUTPUT_TOL, "built-in vs float64 output, " + mode);
        }
        // the two modes really differ (BN batch statistics vs running statistics), so both were exercised
        assertTrue(rel(t.oneDnn().outputSingle(true, x), t.oneDnn().outputSingle(false, x)) > 1e-3);
    }

    @Test
    void lossAndEveryGradientAgree() {
        Trio t = Trio.create();
        Map<String, INDArray> fast = gradients(t.oneDnn(), x, y);
        Map<String, INDArray> slow = gradients(t.builtIn(), x, y);
        Map<String, INDArray> ref = gradients(t.fp64(), x.castTo(DataType.DOUBLE), y.castTo(DataType.DOUBLE));
        double loss = t.fp64().score();
        assertWithin(Math.abs(t.oneDnn().score() - t.builtIn().score()) / loss, OUTPUT_TOL, "oneDNN vs built-in loss");
        assertWithin(Math.abs(t.oneDnn().score() - loss) / loss, OUTPUT_TOL, "oneDNN vs float64 loss");

        assertEquals(ref.keySet(), fast.keySet());
        // frozen layers (FrozenLayer) have no gradient; the conv frozen with backprop passes gradient through
        assertTrue(fast.keySet().stream().noneMatch(k -> k.startsWith("stem_")), fast.keySet().toString());
        assertTrue(fast.containsKey("conv1_W") && fast.containsKey("bn1_gamma") && fast.containsKey("fc_W"));
        double total = Math.sqrt(ref.values().stream().mapToDouble(g -> sq(g.norm2Number().doubleValue())).sum());
        for (String k : ref.keySet()) {
            double limit = GRAD_RTOL * ref.get(k).norm2Number().doubleValue() + GRAD_ATOL * total;
            assertWithin(diff(fast.get(k), slow.get(k)), limit, "oneDNN vs built-in gradient of " + k);
            assertWithin(diff(fast.get(k), ref.get(k)), limit, "oneDNN vs float64 gradient of " + k);
            assertWithin(diff(slow.get(k), ref.get(k)), limit, "built-in vs float64 gradient of " + k);
        }
    }

    @Test
    void parametersAgreeAfterTrainingStepsAndFrozenLayersStayFrozen() {
        Trio t = Trio.create();
        INDArray stemBefore = t.oneDnn().getLayer("stem_conv").params().dup();
        INDArray stemBnBefore = t.oneDnn().getLayer("stem_bn").params().dup();
        DataSet batch = new DataSet(x, y);
        for (int i = 0; i < 3; i++) {
            t.oneDnn().fit(batch);
            t.builtIn().fit(batch);
        }
        assertWithin(rel(t.oneDnn().params(), t.builtIn().params()), GRAD_RTOL, "parameters after 3 SGD steps");
        assertWithin(rel(t.oneDnn().getLayer("bn1").params(), t.builtIn().getLayer("bn1").params()), GRAD_RTOL,
                "BN running statistics after 3 steps");
        assertEquals(stemBefore, t.oneDnn().getLayer("stem_conv").params(), "frozen conv changed");
        assertEquals(stemBnBefore, t.oneDnn().getLayer("stem_bn").params(), "frozen BN (incl. running stats) changed");
        assertTrue(Backend.helpers(t.oneDnn()).stream().allMatch(LayerHelperStatus::active),
                "a helper fell back to built-in code during training: " + Backend.helpers(t.oneDnn()));
    }

    private static Map<String, INDArray> gradients(ComputationGraph g, INDArray in, INDArray labels) {
        g.setInputs(in);
        g.setLabels(labels);
        g.computeGradientAndScore();
        Map<String, INDArray> out = new TreeMap<>();
        g.gradient().gradientForVariable().forEach((k, v) -> out.put(k, v.castTo(DataType.DOUBLE).dup()));
        return out;
    }

    static double diff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).norm2Number().doubleValue();
    }

    static double rel(INDArray a, INDArray b) {
        return diff(a, b) / Math.max(b.castTo(DataType.DOUBLE).norm2Number().doubleValue(), 1e-30);
    }

    private static double sq(double v) {
        return v * v;
    }

    private static void assertWithin(double error, double limit, String what) {
        assertTrue(error <= limit, what + ": error " + error + " exceeds " + limit);
    }
}
