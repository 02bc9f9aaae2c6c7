package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** tf.keras layer names ({@code keras.applications}) as aliases, and {@link Backbone#lastGroup()}. */
class LayerAliasTest {
    private static final Zoo ZOO = Zoo.builder().build();
    private static Backbone resnet;
    private static Backbone vgg;

    @org.junit.jupiter.api.BeforeAll
    static void build() {
        resnet = ZOO.random("resnet50", InputShape.rgb(32, 32), 1);
        vgg = ZOO.random("vgg16", InputShape.rgb(32, 32), 1);
    }

    /** Every tf.keras ResNet50 layer name that has a counterpart in this graph. */
    private static List<String> tfKerasResNet50Names() {
        List<String> names = new ArrayList<>(List.of("conv1_conv", "conv1_bn", "conv1_relu", "pool1_pool",
                "avg_pool"));
        int[][] stages = {{2, 3}, {3, 4}, {4, 6}, {5, 3}};
        for (int[] s : stages) {
            for (int b = 1; b <= s[1]; b++) {
                String p = "conv" + s[0] + "_block" + b + "_";
                if (b == 1) {
                    names.addAll(List.of(p + "0_conv", p + "0_bn"));
                }
                for (String k : List.of("1_conv", "1_bn", "1_relu", "2_conv", "2_bn", "2_relu", "3_conv", "3_bn",
                        "add", "out")) {
                    names.add(p + k);
                }
            }
        }
        return names;
    }

    @Test
    void everyTfKerasResNet50NameMapsToItsOwnVertex() {
        Backbone b = resnet;
        List<String> tf = tfKerasResNet50Names();
        Set<String> targets = new HashSet<>();
        for (String n : tf) {
            String v = b.layerName(n);
            assertNotNull(b.graph().getVertex(v), n + " -> " + v + " is not a vertex");
            targets.add(v);
        }
        assertEquals(tf.size(), targets.size(), "one to one: no two tf.keras names share a vertex");
        assertEquals("res5c_relu", b.layerName("conv5_block3_out"));
        assertEquals("res4a_branch1", b.layerName("conv4_block1_0_conv"));
        assertEquals("bn3d_branch2b", b.layerName("conv3_block4_2_bn"));
        assertEquals("res2b_branch2a_relu", b.layerName("conv2_block2_1_relu"));
        assertEquals("res5c_relu", b.cutPoint("conv5_block3_out").name(), "a cut point by its tf.keras name");
        assertEquals("res5c_relu", b.layerName("res5c_relu"), "the graph's own names stay");
        assertEquals("conv9_block1_out", b.layerName("conv9_block1_out"), "unknown names come back unchanged");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.cutPoint("conv5_blok3_out"));
        assertTrue(e.getMessage().contains("conv5_blok3_out"), e.getMessage());
    }

    @Test
    void vgg16NamesAreTfKerasNamesAlready() {
        Backbone b = vgg;
        for (String n : List.of("block1_conv1", "block3_pool", "block5_conv3", "block5_pool")) {
            assertEquals(n, b.layerName(n));
            assertNotNull(b.graph().getVertex(n), n);
        }
    }

    @Test
    void lastGroupIsTheGroupNearestTheOutput() {
        assertEquals("res5", resnet.lastGroup().name());
        assertEquals("block5", vgg.lastGroup().name());
        assertNotEquals(vgg.groups().get(0), vgg.lastGroup());
    }

    @Test
    void lastGroupIsInTheBodyEvenWhenTheGraphHasItsClassifierTop() {
        Backbone tiny = ZOO.random("tiny", InputShape.rgb(32, 32), 1, true);
        assertEquals("fc", tiny.groups().get(tiny.groups().size() - 1).name(), "the top's group is resolved");
        assertEquals("block3", tiny.lastGroup().name(), "the group past the cut is not the body's last group");
        assertEquals("block3", ZOO.random("tiny", InputShape.rgb(32, 32), 1, false).lastGroup().name());
    }
}
