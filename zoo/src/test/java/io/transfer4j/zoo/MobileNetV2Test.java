package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.zoo.internal.Graphs;
import io.transfer4j.zoo.internal.KerasH5File;
import io.transfer4j.zoo.internal.KerasH5Weights;
import io.transfer4j.zoo.internal.WeightLoader;
import io.transfer4j.zoo.internal.WeightStore;

/** MobileNetV2 1.0: Keras' names, parameter counts, correct_pad, groups and cut points; its .h5 layout. */
class MobileNetV2Test {
    @TempDir
    Path tmp;

    private final Zoo zoo = Zoo.builder().build();

    @Test
    void parameterCountsAreKerasOnes() {
        assertEquals(2_257_984L, zoo.parameterCount("mobilenetv2", false), "Keras MobileNetV2(include_top=False)");
        assertEquals(3_538_984L, zoo.parameterCount("mobilenetv2", true), "Keras MobileNetV2() total");
        ModelSummary summary = Zoo.summary(zoo.random("mobilenetv2", InputShape.rgb(224, 224), 1, true));
        assertEquals(3_504_872L, summary.trainable(), "Keras: Trainable params 3,504,872");
        assertEquals(34_112L, summary.nonTrainable(), "Keras: Non-trainable params 34,112 (BN moving statistics)");
    }

    @Test
    void runsAtSmallAndOddSizesWithKerasShapesGroupsAndCutPoints() {
        Backbone b = zoo.random("mobilenetv2", InputShape.rgb(64, 50), 3);
        ComputationGraph g = b.graph();
        Map<String, INDArray> acts = g.feedForward(Nd4j.rand(2, 3, 64, 50).muli(2).subi(1), false);
        // 64 -> 32 -> 16 -> 8 -> 4 -> 2; 50 -> 25 -> 13 -> 7 -> 4 -> 2 (Keras' 'same' arithmetic: ceil(n / 2))
        assertArrayEquals(new long[] {2, 32, 32, 25}, acts.get("Conv1_relu").shape());
        assertArrayEquals(new long[] {2, 24, 16, 13}, acts.get("block_2_add").shape());
        assertArrayEquals(new long[] {2, 1280, 2, 2}, acts.get("out_relu").shape());
        assertArrayEquals(new long[] {2, 1280}, acts.get("global_average_pooling2d").shape());
        assertEquals(List.of("stem", "stage2", "stage3", "stage4", "stage5"),
                b.groups().stream().map(LayerGroup::name).toList());
        assertEquals(List.of("global_average_pooling2d", "out_relu"),
                b.cutPoints().stream().map(CutPoint::name).toList());
        long grouped = b.groups().stream().flatMap(gr -> gr.layers().stream()).distinct()
                .mapToLong(n -> g.getVertex(n).numParams()).sum();
        assertEquals(g.numParams(), grouped, "every layer with weights is in exactly one group");
        // ReLU6 really caps at 6
        assertTrue(acts.get("out_relu").maxNumber().doubleValue() <= 6.0);
        assertEquals(Normalization.tf(), b.normalization());
    }

    @Test
    void strideTwoLayersPadLikeKerasCorrectPad() {
        ComputationGraph g = zoo.random("mobilenetv2", InputShape.rgb(224, 225), 1).graph();
        ZeroPaddingLayer conv1 = (ZeroPaddingLayer) g.getLayer("Conv1_pad").conf().getLayer();
        assertArrayEquals(new int[] {0, 1, 1, 1}, conv1.getPadding(), "224 rows (even): bottom only; 225 columns"
                + " (odd): both sides");
        ZeroPaddingLayer block1 = (ZeroPaddingLayer) g.getLayer("block_1_pad").conf().getLayer();
        assertArrayEquals(new int[] {0, 1, 1, 1}, block1.getPadding(), "after Conv1: 112 rows (even), 113 columns"
                + " (odd)");
    }

    @Test
    void kerasH5LayoutRoundTripsAndWrongShapesAreRefusedNamingLayerAndShapes() throws Exception {
        ComputationGraph original = zoo.random("mobilenetv2", InputShape.rgb(224, 224), 9).graph();
        Path h5 = tmp.resolve("mobilenet_v2.h5");
        KerasH5Weights.export(original, h5, n -> n, false);
        Map<String, KerasH5File.LayerWeights> read = KerasH5File.read(h5);
        assertEquals(List.of("block_1_depthwise/depthwise_kernel:0"), read.get("block_1_depthwise").weightNames());
        assertArrayEquals(new long[] {3, 3, 96, 1}, read.get("block_1_depthwise").values().get(0).shape(),
                "Keras depthwise kernel [kh, kw, in, multiplier]");
        assertEquals(List.of("Conv1/kernel:0"), read.get("Conv1").weightNames(), "no bias");
        BackboneSpec spec = zoo.spec("mobilenetv2");
        Backbone b = WeightLoader.load(spec, InputShape.rgb(224, 224),
                new WeightStore.LocalWeights(spec.weights().get(1), h5, "test"));
        assertEquals(original.params(), b.graph().params());

        // a MobileNetV2 1.4 file (wider layers) is refused naming layer, found and expected shapes
        ComputationGraph other = new ComputationGraph(Graphs.configuration(spec, InputShape.rgb(224, 224), true, 1,
                1e-3));
        other.init();
        Map<String, KerasH5File.LayerWeights> layers = new java.util.LinkedHashMap<>(read);
        KerasH5File.LayerWeights dw = read.get("block_1_depthwise");
        layers.put("block_1_depthwise", new KerasH5File.LayerWeights(dw.layer(), dw.weightNames(),
                List.of(Nd4j.rand(3, 3, 144, 1))));
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> KerasH5Weights.loadInto(other, layers, h5, "mobilenetv2"));
        assertTrue(e.getMessage().contains("'block_1_depthwise'") && e.getMessage().contains("[3, 3, 144, 1]")
                && e.getMessage().contains("[3, 3, 96, 1]"), e.getMessage());
    }

    @Test
    void filesOfAnotherArchitectureOrNamingOrWithWrongArraysAreRefusedNamingTheLayer() throws Exception {
        ComputationGraph mobile = zoo.random("mobilenetv2", InputShape.rgb(32, 32), 2).graph();
        BackboneSpec resnet = zoo.spec("resnet50");
        Path mobileH5 = tmp.resolve("mobile.h5");
        KerasH5Weights.export(mobile, mobileH5, n -> n, false);
        IllegalStateException other = assertThrows(IllegalStateException.class, () -> WeightLoader.load(resnet,
                InputShape.rgb(32, 32), new WeightStore.LocalWeights(resnet.weights().get(1), mobileH5, "test")));
        assertTrue(other.getMessage().contains("first missing: [conv1, bn_conv1") && other.getMessage()
                .contains("the file's layers start with [Conv1, bn_Conv1") && other.getMessage()
                .contains("Is it a resnet50 weights file?"), other.getMessage());

        // the original keras-applications 1.0.x release named layers mobl1_conv_expand, ...: another naming
        Path renamed = tmp.resolve("renamed.h5");
        KerasH5Weights.export(mobile, renamed, n -> n.replace("block_", "mobl").replace("_expand", "_conv_expand"),
                false);
        BackboneSpec spec = zoo.spec("mobilenetv2");
        IllegalStateException naming = assertThrows(IllegalStateException.class, () -> WeightLoader.load(spec,
                InputShape.rgb(32, 32), new WeightStore.LocalWeights(spec.weights().get(0), renamed, "test")));
        assertTrue(naming.getMessage().contains("first missing: [block_1_expand"), naming.getMessage());

        // a kernel of the wrong shape: named with the file's layer, the found and the needed Keras shape
        Map<String, KerasH5File.LayerWeights> layers = new java.util.LinkedHashMap<>(KerasH5File.read(mobileH5));
        KerasH5File.LayerWeights conv1 = layers.get("Conv1");
        layers.put("Conv1", new KerasH5File.LayerWeights("Conv1", conv1.weightNames(), List.of(Nd4j.rand(3, 3, 3, 48))));
        ComputationGraph target = zoo.random("mobilenetv2", InputShape.rgb(32, 32), 3).graph();
        java.io.IOException shape = assertThrows(java.io.IOException.class,
                () -> KerasH5Weights.loadInto(target, layers, mobileH5, "mobilenetv2"));
        assertTrue(shape.getMessage().contains("layer 'Conv1'") && shape.getMessage().contains("'Conv1/kernel:0'")
                && shape.getMessage().contains("[3, 3, 3, 48] in the file") && shape.getMessage()
                .contains("needs [3, 3, 3, 32] (Keras layout [kh, kw, in, out])"), shape.getMessage());

        // a convolution with a bias where Keras' MobileNetV2 has none
        layers.put("Conv1", new KerasH5File.LayerWeights("Conv1", List.of("Conv1/kernel:0", "Conv1/bias:0"),
                List.of(Nd4j.rand(3, 3, 3, 32), Nd4j.rand(32))));
        java.io.IOException bias = assertThrows(java.io.IOException.class,
                () -> KerasH5Weights.loadInto(target, layers, mobileH5, "mobilenetv2"));
        assertTrue(bias.getMessage().contains("layer 'Conv1' has 2 weight arrays [Conv1/kernel:0, Conv1/bias:0]")
                && bias.getMessage().contains("needs 1 (kernel (no bias))"), bias.getMessage());
    }
}
