package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.transfer4j.core.LayerSelection;

class FineTunePlanTest {

    @Test
    void kerasRecipeTrainsTheHeadThenTheTopGroupAtOneE5() {
        FineTunePlan p = FineTunePlan.kerasRecipe("res5", 10, 20);
        assertEquals(2, p.phases().size());
        assertEquals(LayerSelection.headOnly(), p.phase(0).trainable());
        assertEquals(LrSchedule.constant(1e-3), p.phase(0).schedule());
        assertEquals(LayerSelection.fromGroup("res5"), p.phase(1).trainable());
        assertEquals(LrSchedule.constant(1e-5), p.phase(1).schedule());
        assertEquals(20, p.phase(1).maxEpochs());
        assertEquals(Metric.VAL_LOSS, p.phase(1).earlyStopping().monitor().metric());
        assertEquals(30, p.maxEpochs());
    }

    @Test
    void fastaiFineTuneSpreadsDiscriminativeRatesGeometrically() {
        FineTunePlan p = FineTunePlan.fastaiFineTune(List.of("stem", "res2", "res3", "res4", "res5"), 4, 2e-3);
        Phase frozen = p.phase(0);
        Phase unfrozen = p.phase(1);
        assertEquals(1, frozen.maxEpochs());
        assertEquals(LayerSelection.headOnly(), frozen.trainable());
        assertEquals(new LrSchedule.OneCycle(2e-3, 0.99, 25, 1e5), frozen.schedule());
        assertEquals(LayerSelection.all(), unfrozen.trainable());
        assertEquals(new LrSchedule.OneCycle(1e-3, 0.3, 5, 1e5), unfrozen.schedule());
        // slice(lr/100, lr) over 6 parameter groups (5 body groups + head): 100^(-k/5)
        assertEquals(0.01, unfrozen.groupLrMultipliers().get("stem"), 1e-12);
        assertEquals(Math.pow(100, -0.2), unfrozen.groupLrMultipliers().get("res5"), 1e-12);
        assertNull(unfrozen.groupLrMultipliers().get("head"));
        assertTrue(unfrozen.optimizer() instanceof Optimizer.AdamW w && w.weightDecay() == 0.01);
    }

    @Test
    void plansRoundTripThroughJson() {
        for (FineTunePlan p : List.of(FineTunePlan.kerasRecipe("block5", 3, 4),
                FineTunePlan.fastaiFineTune(List.of("a", "b"), 2, 1e-3),
                FineTunePlan.of(Phase.builder("x").trainable(LayerSelection.fromLayer("res4a_branch2a"))
                        .optimizer(Optimizer.rmsProp()).schedule(LrSchedule.warmup(0.5, LrSchedule.step(0.1, 2, 0.5)))
                        .earlyStopping(new EarlyStopping(new Monitor(Metric.VAL_ACCURACY, Monitor.Mode.MAX, 0.01), 2,
                                0.6, false)).build()))) {
            String json = p.toJson();
            assertEquals(p, FineTunePlan.fromJson(json), json);
            assertEquals(p.fingerprint(), FineTunePlan.fromJson(json).fingerprint());
        }
    }

    @Test
    void handWrittenJsonIsCheckedLikeTheBuilders() {
        String ok = """
                {"phases": [
                  {"name": "head", "maxEpochs": 5, "trainable": {"kind": "headOnly"},
                   "optimizer": {"type": "adam", "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7},
                   "schedule": {"type": "constant", "lr": 0.001},
                   "earlyStopping": {"monitor": {"metric": "val_loss", "mode": "AUTO", "minDelta": 0},
                                     "patience": 2, "baseline": "NaN", "restoreBest": true}},
                  {"name": "fine", "maxEpochs": 5, "trainable": {"kind": "fromGroup", "group": "res5"},
                   "optimizer": {"type": "sgd", "momentum": 0.9, "nesterov": true},
                   "schedule": {"type": "cosine", "lr": 1e-4, "minLr": 0},
                   "groupLrMultipliers": {"res5": 0.1}}
                ]}""";
        FineTunePlan p = FineTunePlan.fromJson(ok);
        assertEquals(Metric.VAL_LOSS, p.phase(0).earlyStopping().monitor().metric());
        assertEquals(0.1, p.phase(1).groupLrMultipliers().get("res5"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FineTunePlan.fromJson(ok.replace("\"lr\": 0.001", "\"lr\": 0")));
        assertTrue(e.getMessage().contains("constant schedule: lr must be a finite learning rate > 0; received 0.0"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FineTunePlan.fromJson(ok.replace("val_loss", "val_los")));
        assertTrue(e.getMessage().contains("Unknown metric 'val_los'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FineTunePlan.fromJson(ok.replace("\"fine\"", "\"head\"")));
        // the records' compact constructors check what Jackson hands them, with the builders' messages
        String[][] bad = {
            {"\"maxEpochs\": 5, \"trainable\": {\"kind\": \"headOnly\"}",
             "\"maxEpochs\": 0, \"trainable\": {\"kind\": \"headOnly\"}",
             "phase 'head': maxEpochs must be >= 1; received 0"},
            {"\"patience\": 2", "\"patience\": -1", "early stopping patience must be >= 0; received -1"},
            {"\"minDelta\": 0", "\"minDelta\": -0.5", "monitor minDelta must be a finite number >= 0; received -0.5"},
            {"{\"res5\": 0.1}", "{\"res5\": -2}",
             "phase 'fine': learning-rate multiplier of group 'res5' must be finite and > 0; received -2.0"},
        };
        for (String[] b : bad) {
            assertTrue(ok.contains(b[0]), b[0]);
            e = assertThrows(IllegalArgumentException.class, () -> FineTunePlan.fromJson(ok.replace(b[0], b[1])));
            assertTrue(e.getMessage().contains(b[2]), e.getMessage());
        }
        assertEquals("phase 'head': maxEpochs must be >= 1; received 0", assertThrows(IllegalArgumentException.class,
                () -> Phase.builder("head").maxEpochs(0).build()).getMessage());
        assertEquals("phase 'head': maxEpochs must be >= 1; received 0", assertThrows(IllegalArgumentException.class,
                () -> new Phase("head", 0, LayerSelection.headOnly(), Optimizer.adam(), LrSchedule.constant(1e-3),
                        null, null)).getMessage());
    }

    @Test
    void theReadmePlanExampleIsAValidPlan() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("README.md"));
        int start = readme.indexOf("```json\n") + "```json\n".length();
        FineTunePlan p = FineTunePlan.fromJson(readme.substring(start, readme.indexOf("```", start)));
        assertEquals(List.of("head", "fine-tune"), p.phases().stream().map(Phase::name).toList());
        assertEquals(LrSchedule.warmup(1, LrSchedule.cosine(1e-4, 0)), p.phase(1).schedule());
        assertEquals(FineTunePlan.kerasRecipe("res5", 10, 10).phase(0), p.phase(0));
    }

    @Test
    void customSchedulesCannotBeWrittenToAPlanFile() {
        FineTunePlan p = FineTunePlan.of(Phase.builder("x").schedule(LrSchedule.custom("mine", q -> 0.01)).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::toJson);
        assertTrue(e.getMessage().contains("custom (lambda) learning-rate schedule"), e.getMessage());
    }

    @Test
    void optimizersCheckTheirNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizer.sgd(0.9, false));
        assertTrue(e.getMessage().contains("Nesterov"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Optimizer.Adam(1.0, 0.999, 1e-7));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.adamW(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new Optimizer.RmsProp(0.9, 0));
    }
}
