package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.testdata.GoldenBundles;
import io.transfer4j.zoo.Normalization;

/** Bundles of every released format version, written by an independent generator, still load and predict. */
class GoldenBundleTest {
    @TempDir
    Path dir;

    @Test
    void formatVersion1LoadsAndPredictsWhatPlainDl4jComputed() throws Exception {
        GoldenBundles.Golden g = GoldenBundles.writeV1(dir);
        Manifest m = ModelBundle.readManifest(g.bundle());
        assertEquals(1, m.formatVersion());
        assertEquals(GoldenBundles.LABELS, m.labels());
        assertEquals(Normalization.rescale(), m.normalization());
        assertEquals(LayerSelection.headOnly(), m.trainable().selection());
        assertEquals(TrainingProvenance.none().with(new TrainingProvenance(null, null, null,
                new TrainingProvenance.Results(null))), m.training(),
                "the golden's metrics (a free-form note then) read as no test metrics; no plan, seeds or data");

        TransferModel model = ModelBundle.load(g.bundle());
        assertEquals(Set.of("block1_conv1", "block1_bn", "block1_relu"), model.frozenVertices(),
                "trainable state re-applied from the manifest although the graph has no frozen wrappers");
        try (Predictor p = Predictor.open(g.bundle())) {
            List<Prediction> all = p.predict(ImageInput.of(g.pixels()), 3);
            assertEquals(3, all.size());
            for (Prediction pr : all) {
                assertEquals(g.probabilities()[pr.index()], pr.probability(), 1e-6, pr.toString());
                assertEquals(GoldenBundles.LABELS.get(pr.index()), pr.label());
            }
            assertTrue(all.get(0).probability() >= all.get(1).probability());
            assertEquals(4, p.embed(ImageInput.of(g.pixels())).length, "embedding = pooled 4-channel cut");
        }
    }
}
