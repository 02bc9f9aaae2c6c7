package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.core.LayerSelection;

class LrFinderTest {

    @Test
    void suggestsTheSteepestDescent() {
        List<Double> lrs = List.of(1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0);
        List<Double> losses = List.of(2.0, 1.95, 1.5, 0.6, 0.55, 3.0);
        assertEquals(1e-2, LrFinder.suggest(lrs, losses, 1e-3));
    }

    @Test
    void rangeTestOnTheTinyModelLeavesTheModelUnchanged(@TempDir Path dir) throws Exception {
        Path data = TinyRun.ensureData(dir, 8);
        try (TinyRun t = TinyRun.open(data, TinyRun.zooHome(dir), false, 4)) {
            List<INDArray> before = TinyRun.params(t.model.graph());
            LayerSelection sel = t.model.trainable();
            LrFinder.Result r = LrFinder.find(t.model, t.train, LayerSelection.all(), Optimizer.adam(), 1e-6, 10, 30,
                    1);
            assertTrue(r.lrs().size() >= 5, "points: " + r.lrs());
            for (int i = 1; i < r.lrs().size(); i++) {
                assertTrue(r.lrs().get(i) > r.lrs().get(i - 1));
            }
            assertTrue(r.suggestion() >= 1e-6 && r.suggestion() <= 10, "suggestion " + r.suggestion());
            assertEquals(sel, t.model.trainable());
            List<INDArray> after = TinyRun.params(t.model.graph());
            for (int i = 0; i < before.size(); i++) {
                assertEquals(before.get(i), after.get(i));
            }
        }
    }
}
