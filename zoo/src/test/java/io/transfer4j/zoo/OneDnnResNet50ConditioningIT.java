package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The "~6 % gradient discrepancy on a saturated random ResNet50" explained: it is the conditioning of that
 * gradient, not a oneDNN difference. A random ResNet50 in training mode on raw 0-255 input has gradients of
 * order 1e3 that change by percent when the input is perturbed at fp32 rounding level (1e-7 relative) even in
 * float64. Any fp32 implementation therefore lands percent away from the float64 gradient; this test checks that
 * oneDNN lands about as far away as DL4J's built-in fp32 path and as that rounding sensitivity. Takes ~1 min on
 * an idle 2-core machine (5 min under heavy contention): three ResNet50s, one in float64.
 * (docs/performance.md has the numbers.)
 */
class OneDnnResNet50ConditioningIT {

    private static final int SIZE = 64;
    private static final int BATCH = 4;

    @Test
    void oneDnnGradientErrorIsExplainedByConditioningNotByTheImplementation() {
        Backend.ensureInitialised();
        Zoo zoo = Zoo.builder().offline(true).home(Path.of("target", "zoo-home")).build();
        ComputationGraph body = zoo.random("resnet50", InputShape.rgb(SIZE, SIZE), 7).graph();
        ComputationGraph fast = new TransferLearning.GraphBuilder(body)
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2048).nOut(10)
                        .activation(Activation.SOFTMAX).build(), "flatten_1")
                .setOutputs("out").build();
        ComputationGraph slow = Backend.withBuiltInLayers(fast::clone);
        ComputationGraph ref = Backend.withBuiltInLayers(() -> fast.convertDataType(DataType.DOUBLE));
        assertTrue(Backend.helpers(fast).stream().allMatch(LayerHelperStatus::active));
        assertTrue(Backend.helpers(slow).stream().noneMatch(s -> s.helperClass() != null));

        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 3, SIZE, SIZE).muli(255);   // raw pixels: saturating stem
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 10);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, (i * 3) % 10, 1f);
        }
        INDArray gFast = gradient(fast, x, y);
        INDArray gSlow = gradient(slow, x, y);
        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray yd = y.castTo(DataType.DOUBLE);
        INDArray gRef = gradient(ref, xd, yd);
        INDArray jitter = Nd4j.rand(DataType.DOUBLE, xd.shape()).subi(0.5).muli(2e-7).addi(1);
        INDArray gPerturbed = gradient(ref, xd.mul(jitter), yd);

        double sensitivity = rel(gPerturbed, gRef);
        double errFast = rel(gFast, gRef);
        double errSlow = rel(gSlow, gRef);
        String numbers = String.format(Locale.ROOT, "float64 sensitivity to 1e-7 input rounding %.3g; oneDNN vs "
                + "float64 %.3g; built-in vs float64 %.3g; oneDNN vs built-in %.3g", sensitivity, errFast, errSlow,
                rel(gFast, gSlow));
        System.out.println("ResNet50 gradient conditioning: " + numbers);
        assertTrue(sensitivity > 1e-3, "the gradient is no longer ill-conditioned; revisit docs/performance.md: " + numbers);
        // Margins: two runs here gave oneDNN/built-in error ratios of 0.90 and 1.28 and oneDNN/sensitivity ratios
        // of 0.96 and 2.2 (the exact value depends on labels and thread scheduling). A real implementation
        // difference (wrong padding, missing BN term) gives errors of order 1, far outside these bounds.
        assertTrue(errFast < 0.2, "oneDNN gradient is far from float64: " + numbers);
        assertTrue(errFast <= 3 * errSlow + 1e-4, "oneDNN is further from float64 than the built-in path: " + numbers);
        assertTrue(errFast <= 4 * sensitivity + 1e-4, "oneDNN error not explained by conditioning: " + numbers);
    }

    /** All trainable-parameter gradients except conv biases in front of BN (exactly 0, pure noise) and BN stats. */
    private static INDArray gradient(ComputationGraph g, INDArray x, INDArray y) {
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        Map<String, INDArray> m = new TreeMap<>(g.gradient().gradientForVariable());
        List<INDArray> parts = new ArrayList<>();
        m.forEach((k, v) -> {
            boolean bnStat = k.endsWith("_mean") || k.endsWith("_var") || k.endsWith("stdev");
            boolean biasBeforeBn = k.endsWith("_b") && !k.equals("out_b");
            if (!bnStat && !biasBeforeBn) {
                parts.add(v.castTo(DataType.DOUBLE).reshape(-1));
            }
        });
        return Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    private static double rel(INDArray a, INDArray b) {
        return a.sub(b).norm2Number().doubleValue() / b.norm2Number().doubleValue();
    }
}
