package io.transfer4j.training.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.transfer4j.core.LayerSelection;
import io.transfer4j.training.FineTunePlan;

/** Search spaces: typed and file forms, checks of every bad input, grid order, seeded sampling, plans. */
class SearchSpaceTest {

    static final String YAML = """
            params:
              headLearningRate: {type: logUniform, min: 1.0e-4, max: 1.0e-2}
              dropout: {type: uniform, min: 0.0, max: 0.5, gridPoints: 2}
              headEpochs: {type: int, min: 2, max: 4}
              dense: {type: choice, values: [[128], [256, 64]]}
              unfreeze: {type: choice, values: [none, res5]}
              batchSize: 16
            """;

    @Test
    void readsYamlAndWritesItBackTheSame() {
        SearchSpace s = SearchSpace.fromText(YAML, "space.yaml");
        assertEquals(List.of("headLearningRate", "dropout", "headEpochs", "dense", "unfreeze", "batchSize"),
                List.copyOf(s.params().keySet()));
        assertEquals(new Param.LogUniform(1e-4, 1e-2, 3), s.params().get("headLearningRate"));
        assertEquals(new Param.IntRange(2, 4, 1), s.params().get("headEpochs"));
        assertEquals(new Param.Choice(List.of(16)), s.params().get("batchSize"));
        assertEquals(s, SearchSpace.fromText(s.toYaml(), "round trip yaml"));
        assertEquals(s, SearchSpace.fromText(s.toJson(), "round trip json"));
        assertEquals(s.fingerprint(), SearchSpace.fromText(s.toJson(), "again").fingerprint());
    }

    @Test
    void typedBuilderEqualsTheFileForm() {
        SearchSpace typed = SearchSpace.builder().logUniform("headLearningRate", 1e-4, 1e-2)
                .param("dropout", new Param.Uniform(0, 0.5, 2)).intRange("headEpochs", 2, 4)
                .choice("dense", List.of(128), List.of(256, 64)).choice("unfreeze", "none", "res5")
                .choice("batchSize", 16).build();
        assertEquals(SearchSpace.fromText(YAML, "space.yaml"), typed);
    }

    @Test
    void gridEnumeratesEveryCombinationLastParameterFastest() {
        SearchSpace s = SearchSpace.fromText(YAML, "space.yaml");
        assertEquals(3L * 2 * 3 * 2 * 2 * 1, s.gridSize());
        Set<List<Object>> seen = new HashSet<>();
        for (long i = 0; i < s.gridSize(); i++) {
            seen.add(List.copyOf(s.gridPoint(i).values().values()));
        }
        assertEquals(s.gridSize(), seen.size(), "every grid point is distinct");
        assertEquals("none", s.gridPoint(0).unfreeze());
        assertEquals("res5", s.gridPoint(1).unfreeze());
        assertEquals(1e-4, s.gridPoint(0).headLearningRate(), 1e-15);
        assertEquals(1e-3, s.gridPoint(s.gridSize() / 3).headLearningRate(), 1e-15, "log grid: 1e-4, 1e-3, 1e-2");
        assertEquals(List.of(256, 64), s.gridPoint(1 * 2 + 1).dense());
        assertThrows(IndexOutOfBoundsException.class, () -> s.gridPoint(s.gridSize()));
    }

    @Test
    void samplingIsSeededAndStaysInRange() {
        SearchSpace s = SearchSpace.fromText(YAML, "space.yaml");
        for (int i = 0; i < 50; i++) {
            TrialParams a = s.sample(new Random(i));
            assertEquals(a, s.sample(new Random(i)));
            assertTrue(a.headLearningRate() >= 1e-4 && a.headLearningRate() <= 1e-2, a.toString());
            assertTrue(a.dropout() >= 0 && a.dropout() <= 0.5);
            assertTrue(a.headEpochs() >= 2 && a.headEpochs() <= 4);
        }
        assertNotEquals(s.sample(new Random(1)), s.sample(new Random(2)));
    }

    @Test
    void badSpacesAreRefusedWithWhatWasReceived() {
        assertMessage(() -> SearchSpace.builder().build(), "search space is empty");
        assertMessage(() -> SearchSpace.fromText("params: {}", "empty.yaml"), "search space is empty");
        assertMessage(() -> SearchSpace.builder().uniform("dropout", 0.5, 0.1).build(),
                "parameter 'dropout': uniform has min 0.5 > max 0.1");
        assertMessage(() -> SearchSpace.fromText("params: {headLearningRate: {type: logUniform, min: 0, max: 1}}",
                "s.yaml"), "logUniform needs bounds > 0", "received min 0.0", "'headLearningRate'");
        assertMessage(() -> SearchSpace.builder().logUniform("headLearningRate", -1, 1).build(),
                "logUniform needs bounds > 0");
        assertMessage(() -> SearchSpace.fromText("params: {headEpochs: {type: int, min: 5, max: 2}}", "s.yaml"),
                "min 5 > max 2");
        assertMessage(() -> SearchSpace.builder().choice("optimizer").build(), "choice needs at least one value");
        assertMessage(() -> SearchSpace.builder().logUniform("headLearnigRate", 1e-4, 1e-2).build(),
                "unknown parameter 'headLearnigRate'", "Did you mean 'headLearningRate'?");
        assertMessage(() -> SearchSpace.builder().choice("optimizer", "adma").build(),
                "must be one of adam, adamW, sgd, rmsProp; received adma", "adam");
        assertMessage(() -> SearchSpace.builder().uniform("dropout", 0, 1).build(), "[0, 1); received 1.0");
        assertMessage(() -> SearchSpace.builder().uniform("headEpochs", 1, 3).build(), "takes whole numbers", "type: int");
        assertMessage(() -> SearchSpace.builder().choice("headEpochs", 2.5).build(), "integer >= 1; received 2.5");
        assertMessage(() -> SearchSpace.fromText("params: {dropout: {type: normal, min: 0, max: 1}}", "s.yaml"),
                "unknown type 'normal'");
        assertMessage(() -> SearchSpace.fromText("params: {dropout: {type: uniform, min: 0, maks: 1}}", "s.yaml"),
                "unknown key 'maks'");
        assertMessage(() -> SearchSpace.fromText("parameters: {}", "s.yaml"), "needs a 'params' map");
        assertMessage(() -> SearchSpace.fromText("params: [", "s.yaml"), "could not read the search space s.yaml");
    }

    @Test
    void unknownGroupNamesTheValidOnesAndTheNearest() {
        SearchSpace s = SearchSpace.builder().choice("unfreeze", "none", "res55").build();
        assertMessage(() -> s.checkGroups("resnet50", List.of("stem", "res2", "res3", "res4", "res5")),
                "'res55'", "resnet50", "allowed: stem, res2, res3, res4, res5, none, last", "Did you mean 'res5'?");
        assertEquals(s, s.checkGroups("x", List.of("res55")));
    }

    @Test
    void defaultsAreValidForEveryCatalogueShapeOfGroups() {
        SearchSpace d = SearchSpace.defaults(List.of("stem", "res2", "res3", "res4", "res5", "fc"));
        assertEquals(List.of("none", "res5"), d.params().get("unfreeze").grid());
        assertEquals(d, SearchSpace.fromText(d.toYaml(), "defaults"));
        assertEquals(List.of("none"), SearchSpace.defaults(List.of()).params().get("unfreeze").grid());
    }

    @Test
    void paramsBecomeTheFitPlan() {
        List<String> groups = List.of("block1", "block2", "block3");
        TrialParams head = new TrialParams(java.util.Map.of("headLearningRate", 0.01, "unfreeze", "none"));
        FineTunePlan p = head.plan(groups);
        assertEquals(1, p.phases().size());
        assertEquals(0.01, p.phase(0).schedule().lr(io.transfer4j.training.Progress.start(1, 5)), 1e-15);
        TrialParams ft = new TrialParams(java.util.Map.of("unfreeze", "last", "bodyLrMultiplier", 0.1,
                "fineTuneEpochs", 2, "optimizer", "sgd"));
        FineTunePlan q = ft.plan(groups);
        assertEquals("fine-tune-block3", q.phase(1).name());
        assertEquals(LayerSelection.fromGroup("block3"), q.phase(1).trainable());
        assertEquals(java.util.Map.of("block3", 0.1), q.phase(1).groupLrMultipliers());
        assertEquals(7, ft.maxEpochs(groups));
        assertEquals(List.of(128), new TrialParams(java.util.Map.of("dense", 128)).asConfig().get("dense"));
        assertEquals(List.of(), new TrialParams(java.util.Map.of("dense", 0)).dense());
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable e, String... parts) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        for (String part : parts) {
            assertTrue(x.getMessage().contains(part), "message lacks '" + part + "': " + x.getMessage());
        }
    }
}
