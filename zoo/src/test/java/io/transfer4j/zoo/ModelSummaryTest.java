package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.Test;

class ModelSummaryTest {
    private final Zoo zoo = Zoo.builder().build();

    @Test
    void resnet50TotalsMatchKerasIncludingNonTrainableBatchNormStatistics() {
        ModelSummary s = ModelSummary.of(zoo.random("resnet50", InputShape.rgb(64, 64), 1));
        assertEquals(23_587_712L, s.total());
        assertEquals(23_534_592L, s.trainable(), "Keras: Trainable params: 23,534,592");
        assertEquals(53_120L, s.nonTrainable(), "Keras: Non-trainable params: 53,120");
        ModelSummary.Row conv1 = row(s, "conv1");
        assertEquals("ConvolutionLayer", conv1.type());
        assertEquals("(None, 64, 32, 32)", conv1.outputShape());
        assertEquals(9_472, conv1.params(), "7*7*3*64 + 64");
        assertEquals("(None, 256, 16, 16)", row(s, "res2c_relu").outputShape());
        assertEquals(List.of("bn2a_branch2c", "bn2a_branch1"), row(s, "res2a_add").inputs());
        assertEquals("(None, 2048)", row(s, "flatten_1").outputShape());
        String table = s.toString();
        assertTrue(table.contains("Total params: 23,587,712"), table);
        assertTrue(table.contains("Non-trainable params: 53,120"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("bn_conv1 (BatchNormalization)") && l.contains("256")
                && l.trim().endsWith("partly")), table);
    }

    @Test
    void frozenLayersCountAsNonTrainableAndShapesAreUnknownWithoutInputTypes() {
        ComputationGraph g = zoo.random("tiny", InputShape.rgb(16, 16), 1).graph();
        ComputationGraph frozen = new TransferLearning.GraphBuilder(g).setFeatureExtractor("block2_pool").build();
        ModelSummary s = Zoo.summary(frozen);
        assertTrue(row(s, "block1_conv1").type().startsWith("Frozen("), row(s, "block1_conv1").type());
        assertEquals(0, row(s, "block2_bn").trainable());
        long block3 = row(s, "block3_conv1").params() + row(s, "block3_bn").params() / 2;
        assertEquals(block3, s.trainable());
        assertEquals("?", row(s, "block3_conv1").outputShape());
    }

    private static ModelSummary.Row row(ModelSummary s, String name) {
        return s.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }
}
