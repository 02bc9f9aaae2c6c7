package io.transfer4j.training.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;

import io.transfer4j.training.Metrics;
import io.transfer4j.training.ScoredSample;

class EvaluatorTest {

    @Test
    void dataClassesAreMappedToTheModelsByName() {
        List<String> model = List.of("a", "b", "c");
        assertNull(Evaluator.classMapping(null, model));
        assertNull(Evaluator.classMapping(model, model));
        assertArrayEquals(new int[] {2, 0}, Evaluator.classMapping(List.of("c", "a"), model));
        // a generic iterator's own names for the same number of classes: positions as they are
        assertNull(Evaluator.classMapping(List.of("0", "1", "2"), model));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Evaluator.classMapping(List.of("a", "zebra"), model));
        assertTrue(e.getMessage().contains("[zebra]") && e.getMessage().contains("[a, b, c]"), e.getMessage());
    }

    @Test
    void everyExampleIsScoredInDataOrderWithItsProbabilities() {
        ComputationGraph g = TinyGraphs.mlp(1);
        DataSet all = TinyGraphs.data(10, 2);
        List<Integer> progress = new ArrayList<>();
        Metrics m = Evaluator.evaluate(x -> g.outputSingle(false, x), new TestDataSetIterator(all, 4),
                List.of("a", "b", "c"), 2, progress::add);
        assertEquals(List.of(1, 2, 3), progress);
        assertEquals(10, m.samples().size());
        float[][] out = g.outputSingle(false, all.getFeatures()).toFloatMatrix();
        for (int i = 0; i < 10; i++) {
            ScoredSample s = m.samples().get(i);
            assertEquals(i % 3, s.actual());
            assertArrayEquals(out[i], s.probabilities(), 1e-6f);
            assertNull(s.key());
        }
    }
}
