package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.zoo.internal.Graphs;

/**
 * The project's own VGG16 / ResNet50 / tiny graphs: Keras names, Keras parameter counts, shapes at small and
 * full input sizes, groups and cut points.
 */
class ArchitecturesTest {
    private final Zoo zoo = Zoo.builder().build();

    @Test
    void vgg16WithoutTopHasKerasParameterCountAndRunsAt32px() {
        Backbone b = zoo.random("vgg16", InputShape.rgb(32, 32), 1);
        ComputationGraph g = b.graph();
        assertEquals(14_714_688L, g.numParams(), "Keras VGG16(include_top=False) has 14,714,688 parameters");
        INDArray out = g.outputSingle(Nd4j.rand(2, 3, 32, 32).muli(255));
        assertArrayEquals(new long[] {2, 512, 1, 1}, out.shape());
        assertEquals(List.of("block1", "block2", "block3", "block4", "block5"),
                b.groups().stream().map(LayerGroup::name).toList());
        assertEquals(List.of("block1_conv1", "block1_conv2", "block1_pool"), b.group("block1").layers());
        assertEquals(List.of("block5_pool"), b.cutPoints().stream().map(CutPoint::name).toList());
        assertFalse(b.hasTop());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.cutPoint("fc2"));
        assertTrue(e.getMessage().contains("3x224x224"), e.getMessage());
    }

    @Test
    void resnet50WithoutTopHasKerasParameterCountAndRunsAt64px() {
        Backbone b = zoo.random("resnet50", InputShape.rgb(64, 48), 7);
        ComputationGraph g = b.graph();
        assertEquals(23_587_712L, g.numParams(), "Keras ResNet50(include_top=False) has 23,587,712 parameters");
        Map<String, INDArray> acts = g.feedForward(Nd4j.rand(2, 3, 64, 48).subi(0.5), false);
        assertArrayEquals(new long[] {2, 2048}, acts.get("flatten_1").shape());
        assertArrayEquals(new long[] {2, 256, 16, 12}, acts.get("res2c_relu").shape(), "stage 2 has stride 1");
        assertArrayEquals(new long[] {2, 2048, 2, 2}, acts.get("res5c_relu").shape());
        assertEquals(List.of("stem", "res2", "res3", "res4", "res5"),
                b.groups().stream().map(LayerGroup::name).toList());
        assertEquals(List.of("conv1", "bn_conv1", "conv1_relu", "pool1"), b.group("stem").layers());
        List<String> res2 = b.group("res2").layers();
        assertEquals(List.of("res2a_branch2a", "bn2a_branch2a", "res2a_branch2a_relu"), res2.subList(0, 3),
                "definition order, as Keras lists layers");
        assertTrue(res2.containsAll(List.of("bn2a_branch1", "res2a_branch1", "res2c_add", "res2c_relu")));
        List<String> res5 = b.group("res5").layers();
        assertEquals(List.of("avg_pool", "flatten_1"), res5.subList(res5.size() - 2, res5.size()));
        assertEquals("flatten_1", b.defaultCut().name());
        assertEquals(CutPoint.Kind.VECTOR, b.defaultCut().kind());
        assertEquals(2048, b.defaultCut().features());
        // every layer with weights is in exactly one group
        long grouped = b.groups().stream().flatMap(gr -> gr.layers().stream()).distinct()
                .mapToLong(n -> g.getVertex(n).numParams()).sum();
        assertEquals(g.numParams(), grouped);
    }

    @Test
    void fullSizeTopsMatchKerasWithoutAllocating() {
        BackboneSpec vgg = zoo.spec("vgg16");
        BackboneSpec resnet = zoo.spec("resnet50");
        InputShape full = InputShape.rgb(224, 224);
        ComputationGraphConfiguration vggConf = Graphs.configuration(vgg, full, true, 1, 1e-3);
        ComputationGraphConfiguration resConf = Graphs.configuration(resnet, full, true, 1, 1e-3);
        assertEquals(138_357_544L, Graphs.parameterCount(vggConf), "Keras VGG16() total");
        assertEquals(25_636_712L, Graphs.parameterCount(resConf), "Keras ResNet50() total");

        Map<String, InputType> vggTypes = vggConf.getLayerActivationTypes(InputType.convolutional(224, 224, 3));
        assertEquals(InputType.convolutional(7, 7, 512), vggTypes.get("block5_pool"));
        assertEquals(InputType.feedForward(4096), vggTypes.get("fc2"));
        assertEquals(InputType.feedForward(1000), vggTypes.get("predictions"));
        Map<String, InputType> resTypes = resConf.getLayerActivationTypes(InputType.convolutional(224, 224, 3));
        assertEquals(InputType.convolutional(112, 112, 64), resTypes.get("conv1"));
        assertEquals(InputType.convolutional(56, 56, 256), resTypes.get("res2c_relu"));
        assertEquals(InputType.convolutional(28, 28, 512), resTypes.get("res3d_relu"));
        assertEquals(InputType.convolutional(14, 14, 1024), resTypes.get("res4f_relu"));
        assertEquals(InputType.convolutional(7, 7, 2048), resTypes.get("res5c_relu"));
        assertEquals(InputType.feedForward(2048), resTypes.get("flatten_1"));
        assertEquals(InputType.feedForward(1000), resTypes.get("fc1000"));
    }

    @Test
    void tinyFollowsTheSameConventions() {
        Backbone b = zoo.random("tiny", InputShape.rgb(32, 32), 3);
        assertTrue(b.hasTop(), "tiny is built with its top at its default input 3x32x32");
        assertEquals(List.of("block1", "block2", "block3", "fc"), b.groups().stream().map(LayerGroup::name).toList());
        assertEquals(List.of("predictions"), b.group("fc").layers());
        INDArray out = b.graph().outputSingle(Nd4j.rand(4, 3, 32, 32));
        assertArrayEquals(new long[] {4, 1000}, out.shape());
        assertEquals(4.0, out.sumNumber().doubleValue(), 1e-4, "softmax rows sum to 1");
        Map<String, INDArray> acts = b.graph().feedForward(Nd4j.rand(4, 3, 32, 32), false);
        assertArrayEquals(new long[] {4, 32}, acts.get("flatten_1").shape());
        assertArrayEquals(new long[] {4, 32, 4, 4}, acts.get("block3_pool").shape());

        Backbone small = zoo.random("tiny", InputShape.rgb(16, 24), 3);
        assertFalse(small.hasTop());
        assertEquals(List.of("flatten_1", "block3_pool"), small.cutPoints().stream().map(CutPoint::name).toList());
    }

    @Test
    void sameSeedSameWeightsDifferentSeedDifferentWeights() {
        INDArray a = zoo.random("tiny", InputShape.rgb(16, 16), 5).graph().params();
        INDArray b = zoo.random("tiny", InputShape.rgb(16, 16), 5).graph().params();
        INDArray c = zoo.random("tiny", InputShape.rgb(16, 16), 6).graph().params();
        assertEquals(a, b);
        assertFalse(a.equals(c));
    }

    @Test
    void inputsTooSmallOrWithWrongChannelsAreRefusedWithWhatIsAllowed() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> zoo.random("resnet50", InputShape.rgb(31, 64), 1));
        assertTrue(small.getMessage().contains("at least 32x32") && small.getMessage().contains("31x64"),
                small.getMessage());
        IllegalArgumentException gray = assertThrows(IllegalArgumentException.class,
                () -> zoo.spec("vgg16").checkInput(new InputShape(1, 224, 224), true));
        assertTrue(gray.getMessage().contains("3-channel") && gray.getMessage().contains("received 1"),
                gray.getMessage());
        assertNotNull(zoo.spec("vgg16").checkInput(new InputShape(1, 64, 64), false), "random weights: any channels");
    }

    @Test
    void unknownIdListsValidIdsAndTheNearest() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> zoo.spec("resnet5O"));
        assertTrue(e.getMessage().contains("vgg16, resnet50, mobilenetv2, tiny"), e.getMessage());
        assertTrue(e.getMessage().contains("Did you mean 'resnet50'?"), e.getMessage());
        IllegalArgumentException far = assertThrows(IllegalArgumentException.class, () -> zoo.spec("inception"));
        assertFalse(far.getMessage().contains("Did you mean"), far.getMessage());
    }
}
