package io.transfer4j.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.cli.FitConfig;
import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

class BundleSummaryTest {

    @TempDir
    Path tmp;

    @Test
    void describesTheManifestAndCountsEveryParameter() throws Exception {
        Zoo zoo = Zoo.builder().home(tmp.resolve("zoo")).offline(true).build();
        FitConfig cfg = new FitConfig(Path.of("d"), "tiny", Path.of("r"), 1L, 32, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null).withDefaults();
        TransferModel m = FitRun.model(zoo.random("tiny", InputShape.rgb(32, 32), 1), cfg, List.of("cat", "dog"));
        Path bundle = ModelBundle.save(m, tmp.resolve("m.t4j"), BundleExtras.none());
        String s = BundleSummary.describe(bundle);
        assertTrue(s.contains("Backbone:      tiny, weights random init, cut at block3_pool"), s);
        assertTrue(s.contains("2 labels [cat, dog]"), s);
        assertTrue(s.contains("Trainable:     headOnly()"), s);
        assertTrue(s.contains(String.format("Total params: %,d", m.graph().numParams())), s);
        // the head's output layer: 32 features x 2 labels + 2 biases, trainable
        assertEquals(m.trainableParameters(), BundleSummary.table(ModelBundle.load(bundle)).trainable());
    }
}
