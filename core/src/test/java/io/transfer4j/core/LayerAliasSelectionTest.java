package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/** A phase can unfreeze from a layer named the tf.keras way (conv5_block1_1_conv is ResNet50's res5a_branch2a). */
class LayerAliasSelectionTest {

    @Test
    void tfKerasNamesSelectTheSameLayersAsTheGraphsOwnNames() {
        TransferModel m = TransferModel.builder().backbone(Zoo.builder().build().random("resnet50",
                InputShape.rgb(32, 32), 1)).cut("conv5_block3_out").head(HeadSpec.builder().pooling(Pooling.AVG)
                .build()).labels(List.of("a", "b")).build();
        assertEquals("res5c_relu", m.cut().name(), "a cut point by its tf.keras name");
        assertEquals("res5a_branch2a", m.layerName("conv5_block1_1_conv"));
        Set<String> byAlias = m.frozenFor(LayerSelection.fromLayer("conv5_block1_1_conv"));
        assertEquals(m.frozenFor(LayerSelection.fromLayer("res5a_branch2a")), byAlias);
        assertTrue(byAlias.contains("res4f_relu") && !byAlias.contains("res5a_branch2a"), byAlias.toString());
        assertFalse(byAlias.isEmpty());
    }
}
