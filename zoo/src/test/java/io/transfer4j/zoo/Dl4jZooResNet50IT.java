package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.model.ResNet50;
import org.junit.jupiter.api.Test;

import io.transfer4j.zoo.internal.Dl4jWeights;

/**
 * DL4J's own randomly initialised zoo ResNet50 names its layers differently ({@code stem-cnn1}, ...) and differs
 * in strides and pooling, but holds the same weights in the same order: they copy into our Keras-named graph by
 * order. (An integration test: it builds two full-size ResNet50s, ~15 s.)
 */
class Dl4jZooResNet50IT {
    @Test
    void dl4jsZooResNet50WeightsCopyIntoOurGraphByOrder() {
        ComputationGraph dl4j = ResNet50.builder().numClasses(1000).seed(7).build().init();
        Backbone ours = Zoo.builder().build().random("resnet50", InputShape.rgb(224, 224), 1, true);
        List<String> theirs = Dl4jWeights.weightedLayers(dl4j);
        List<String> mine = Dl4jWeights.weightedLayers(ours.graph());
        assertEquals(theirs.size(), mine.size());
        Dl4jWeights.copy(dl4j, ours.graph(), "DL4J zoo ResNet50");
        assertEquals(dl4j.numParams(), ours.graph().numParams());
        int kernels = 0;
        for (int i = 0; i < mine.size(); i++) {
            var from = dl4j.getLayer(theirs.get(i));
            var to = ours.graph().getLayer(mine.get(i));
            if (from.paramTable().containsKey("W")) {
                assertEquals(from.getParam("W"), to.getParam("W"), theirs.get(i) + " -> " + mine.get(i));
                kernels++;
            } else {
                // DL4J's zoo BatchNormalization stores log10(std) = 0; ours stores var = std^2 - eps
                assertEquals(from.getParam("gamma"), to.getParam("gamma"), theirs.get(i) + " -> " + mine.get(i));
                assertEquals(1.0 - 1e-5, to.getParam("var").getDouble(0), 1e-6, mine.get(i));
            }
        }
        assertEquals(54, kernels, "53 convolutions and fc1000");
        assertEquals("conv1", mine.get(0));
        assertEquals("fc1000", mine.get(mine.size() - 1));
    }
}
