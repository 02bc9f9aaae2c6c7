package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;

import io.transfer4j.core.internal.GraphSurgery;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;

class TransferModelTest {
    static final InputShape IN = new InputShape(3, 16, 16);
    static final List<String> LABELS = List.of("a", "b", "c");

    static TransferModel.Builder tiny() {
        return TransferModel.builder().backbone(TestBackbones.tiny(IN, 7)).labels(LABELS);
    }

    /** Every parameter of every layer, copied. */
    static Map<String, INDArray> snapshot(ComputationGraph g) {
        Map<String, INDArray> out = new HashMap<>();
        for (String layer : GraphSurgery.layerNames(g)) {
            GraphSurgery.inner(g.getLayer(layer)).paramTable().forEach((k, v) -> out.put(layer + "/" + k, v.dup()));
        }
        return out;
    }

    @Test
    void buildsCutHeadAndCopiesBackboneWeights() {
        Backbone b = TestBackbones.tiny(IN, 7);
        TransferModel m = TransferModel.builder().backbone(b).cut("block2_out")
                .head(HeadSpec.builder().pooling(Pooling.MAX).dense(16, Activation.RELU, 0.25, true).build())
                .labels(LABELS).build();
        ComputationGraph g = m.graph();
        assertEquals(List.of("predictions"), g.getConfiguration().getNetworkOutputs());
        assertTrue(g.getConfiguration().getVertices().containsKey("head_pool"));
        assertFalse(g.getConfiguration().getVertices().containsKey("avg_pool"), "vertices after the cut are dropped");
        assertEquals(Pooling.MAX, m.head().pooling());
        for (String layer : List.of("block1_conv", "block2_bn", "block2_short")) {
            assertEquals(b.graph().getLayer(layer).params(), GraphSurgery.inner(g.getLayer(layer)).params(), layer);
        }
        INDArray out = g.outputSingle(false, TestData.batch(4, 3, 16, 3, 1, 1).getFeatures());
        assertArrayEquals(new long[] {4, 3}, out.shape());
        assertEquals(4.0, out.sumNumber().doubleValue(), 1e-4, "softmax rows sum to 1");
        assertArrayEquals(new long[] {12, 8, 8}, m.featureShape());
        assertEquals("block2_out", m.bodyOutputName());
        assertEquals(Set.copyOf(m.bodyVertices()), m.frozenVertices(), "headOnly freezes the whole body");
    }

    @Test
    void defaultCutIsTheSpecsFirstAndVectorCutsTakeNoPooling() {
        TransferModel m = tiny().build();
        assertEquals("avg_pool", m.cut().name());
        assertArrayEquals(new long[] {12}, m.featureShape());
        assertEquals("avg_pool", m.embeddingVertex());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tiny().head(HeadSpec.builder().pooling(Pooling.AVG).build()).build());
        assertTrue(e.getMessage().contains("VECTOR") && e.getMessage().contains("block2_out"), e.getMessage());
    }

    @Test
    void tasksPickOutputActivationAndSize() {
        TransferModel bin = tiny().task(Task.BINARY).labels(List.of("neg", "pos")).build();
        INDArray x = TestData.batch(2, 3, 16, 2, 1, 2).getFeatures();
        assertArrayEquals(new long[] {2, 1}, bin.graph().outputSingle(false, x).shape());
        TransferModel multi = tiny().task(Task.MULTILABEL).labels(List.of("x", "y", "z", "w")).build();
        INDArray out = multi.graph().outputSingle(false, x);
        assertArrayEquals(new long[] {2, 4}, out.shape());
        assertTrue(out.sumNumber().doubleValue() > 0 && out.maxNumber().doubleValue() < 1);
        assertThrows(IllegalArgumentException.class, () -> tiny().task(Task.BINARY).build(), "3 labels for binary");
        assertThrows(IllegalArgumentException.class, () -> tiny().labels(List.of("a", "a")).build());
        assertThrows(IllegalArgumentException.class, () -> tiny().labels(List.of("only")).build());
    }

    @Test
    void unknownNamesListValidOnesAndTheNearest() {
        IllegalArgumentException cut = assertThrows(IllegalArgumentException.class, () -> tiny().cut("avgpool").build());
        assertTrue(cut.getMessage().contains("valid: avg_pool, block2_out") && cut.getMessage().contains(
                "Did you mean 'avg_pool'?"), cut.getMessage());
        IllegalArgumentException group = assertThrows(IllegalArgumentException.class,
                () -> tiny().trainable(LayerSelection.fromGroup("blok2")).build());
        assertTrue(group.getMessage().contains("groups: block1, block2") && group.getMessage().contains(
                "Did you mean 'block2'?"), group.getMessage());
        IllegalArgumentException layer = assertThrows(IllegalArgumentException.class,
                () -> tiny().trainable(LayerSelection.fromLayer("block2_cnv")).build());
        assertTrue(layer.getMessage().contains("Did you mean 'block2_conv'?"), layer.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TransferModel.builder().labels(LABELS).build());
    }

    @Test
    void frozenLayersKeepParamsAndBatchNormStatsBitIdenticalWhileTrainableOnesChange() {
        TransferModel m = tiny().cut("block2_out").trainable(LayerSelection.fromGroup("block2"))
                .updater(new Sgd(0.05)).build();
        assertEquals(Set.copyOf(TestBackbones.BLOCK1), m.frozenVertices());
        Map<String, INDArray> before = snapshot(m.graph());
        DataSet ds = TestData.batch(16, 3, 16, 3, 1, 3);
        for (int i = 0; i < 5; i++) {
            m.graph().fit(ds);
        }
        Map<String, INDArray> after = snapshot(m.graph());
        for (String key : before.keySet()) {
            String layer = key.substring(0, key.indexOf('/'));
            if (TestBackbones.BLOCK1.contains(layer)) {
                assertEquals(before.get(key), after.get(key), "frozen " + key + " changed");
            } else if (!key.equals("block2_conv/b")) { // a conv bias right before BN gets no gradient
                assertNotEquals(before.get(key), after.get(key), "trainable " + key + " did not change");
            }
        }
        // BN running statistics specifically: frozen block1_bn unchanged, trainable block2_bn updated
        assertEquals(before.get("block1_bn/mean"), after.get("block1_bn/mean"));
        assertEquals(before.get("block1_bn/log10stdev"), after.get("block1_bn/log10stdev"));
        assertNotEquals(before.get("block2_bn/var"), after.get("block2_bn/var"));
    }

    @Test
    void setTrainableKeepsEveryWeightIncludingTheHead() {
        TransferModel m = tiny().cut("block2_out").updater(new Adam(1e-2)).build();
        DataSet ds = TestData.batch(16, 3, 16, 3, 1, 4);
        for (int i = 0; i < 3; i++) {
            m.graph().fit(ds);
        }
        Map<String, INDArray> before = snapshot(m.graph());
        INDArray out = m.graph().outputSingle(false, ds.getFeatures());
        m.setTrainable(LayerSelection.all(), new Adam(1e-4));
        assertEquals(Set.of(), m.frozenVertices());
        assertEquals(before, snapshot(m.graph()));
        assertEquals(out, m.graph().outputSingle(false, ds.getFeatures()));
        m.graph().fit(ds);
        assertNotEquals(before.get("block1_conv/W"), snapshot(m.graph()).get("block1_conv/W"));
        m.setTrainable(LayerSelection.headOnly(), new Adam(1e-3));
        assertEquals(Set.copyOf(m.bodyVertices()), m.frozenVertices());
        assertEquals(LayerSelection.headOnly(), m.trainable());
    }

    @Test
    void headGraphSharesTheHeadParameters() {
        TransferModel m = tiny().cut("block2_out")
                .head(HeadSpec.builder().dense(8, Activation.RELU, 0, true).build()).build();
        DataSet ds = TestData.batch(8, 3, 16, 3, 1, 5);
        INDArray features = m.graph().feedForward(ds.getFeatures(), false).get(m.bodyOutputName());
        assertArrayEquals(new long[] {8, 12, 8, 8}, features.shape());
        ComputationGraph head = m.headGraph();
        assertEquals(m.graph().outputSingle(false, ds.getFeatures()), head.outputSingle(false, features));
        for (int i = 0; i < 3; i++) {
            head.fit(new DataSet(features, ds.getLabels()));
        }
        assertEquals(head.outputSingle(false, features), m.graph().outputSingle(false, ds.getFeatures()),
                "training the head graph trains the model's head");
    }

    @Test
    void suffixGraphStartsAtTheFreezeBoundaryAndTrainsTheModel() {
        TransferModel m = tiny().cut("block2_out")
                .head(HeadSpec.builder().dense(8, Activation.RELU, 0, true).build()).build();
        assertEquals(java.util.Optional.of("block2_out"), m.freezeBoundary(), "head only: the cut");
        m.setTrainable(LayerSelection.fromGroup("block2"), new Sgd(0.05));
        // block2_conv and the shortcut both read block1_pool: one boundary for the two branches
        assertEquals(java.util.Optional.of("block1_pool"), m.freezeBoundary());
        assertArrayEquals(new long[] {8, 8, 8}, m.activationShape("block1_pool"));
        DataSet ds = TestData.batch(8, 3, 16, 3, 1, 5);
        INDArray atBoundary = m.graph().feedForward(ds.getFeatures(), false).get("block1_pool");
        ComputationGraph suffix = m.suffixGraph();
        assertEquals(m.graph().outputSingle(false, ds.getFeatures()), suffix.outputSingle(false, atBoundary));
        Map<String, INDArray> before = snapshot(m.graph());
        for (int i = 0; i < 2; i++) {
            suffix.fit(new DataSet(atBoundary, ds.getLabels()));
        }
        Map<String, INDArray> after = snapshot(m.graph());
        assertEquals(before.get("block1_conv/W"), after.get("block1_conv/W"), "the prefix stays frozen");
        assertNotEquals(before.get("block2_conv/W"), after.get("block2_conv/W"), "training the suffix trains the model");
        assertNotEquals(before.get("block2_bn/mean"), after.get("block2_bn/mean"),
                "trainable BatchNorm updates its statistics in the model");
        assertEquals(suffix.outputSingle(false, atBoundary), m.graph().outputSingle(false, ds.getFeatures()));

        m.setTrainable(LayerSelection.all(), new Sgd(0.05));
        assertEquals(java.util.Optional.empty(), m.freezeBoundary(), "nothing frozen: no boundary");
        IllegalStateException e = assertThrows(IllegalStateException.class, m::suffixGraph);
        assertTrue(e.getMessage().contains("no single freeze boundary"), e.getMessage());
        m.setTrainable(LayerSelection.fromLayer("block2_short"), new Sgd(0.05));
        assertEquals(java.util.Optional.empty(), m.freezeBoundary(),
                "the shortcut trains but reads block1_pool and the frozen block2_bn: two boundaries");
    }

    @Test
    void calibrateBatchNormSetsRunningStatsFromData() {
        // raw 0-255 input through random BN layers: inference mode (mean 0 / var 1 stats) is far from train mode
        TransferModel m = tiny().cut("block2_out").build();
        DataSet ds = TestData.batch(32, 3, 16, 3, 255, 6);
        Map<String, INDArray> before = snapshot(m.graph());
        org.nd4j.linalg.dataset.api.iterator.DataSetIterator it = TestData.iterator(ds, 8);
        long n = m.calibrateBatchNorm(it, 4);
        assertEquals(32, n);
        assertTrue(it.hasNext(), "iterator reset for the training that follows");
        assertThrows(IllegalArgumentException.class, () -> m.calibrateBatchNorm(it, 0));
        Map<String, INDArray> after = snapshot(m.graph());
        INDArray conv = m.graph().feedForward(ds.getFeatures(), false).get("block1_conv");
        INDArray expectedMean = conv.mean(0, 2, 3);
        assertTrue(expectedMean.equalsWithEps(after.get("block1_bn/mean").reshape(expectedMean.shape()), 1e-2),
                "block1_bn mean = data mean of its input");
        assertEquals(before.get("block1_conv/W"), after.get("block1_conv/W"), "weights untouched");
        assertEquals(before.get("block2_bn/gamma"), after.get("block2_bn/gamma"), "gamma untouched");
        // after calibration, frozen (inference-mode) BN output is normalised: mean ~0, var ~1 per channel
        INDArray bn = m.graph().feedForward(ds.getFeatures(), false).get("block2_bn");
        assertEquals(0, bn.meanNumber().doubleValue(), 0.05);
        assertEquals(1, bn.varNumber().doubleValue(), 0.1);
    }

    /**
     * Transfer from a model trained here (what bench/kviews.sh does with a bundle pretrained on MNIST digits 0-4):
     * the saved and reloaded model's body, BatchNorm statistics included, becomes the new model's backbone, as an
     * independent copy.
     */
    @Test
    void asBackboneStartsANewTransferFromATrainedBundlesBody(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        TransferModel trained = tiny().cut("block2_out").trainable(LayerSelection.all()).build();
        DataSet d = TestData.batch(8, 3, 16, 3, 1, 3);
        for (int i = 0; i < 3; i++) {
            trained.graph().fit(d);   // training mode: weights and BatchNorm running statistics move
        }
        java.nio.file.Path file = ModelBundle.save(trained, dir.resolve("pre.t4j"), BundleExtras.none());
        TransferModel loaded = ModelBundle.load(file);
        Backbone body = loaded.asBackbone(TestBackbones.tiny(IN, 7).spec(), file.toString());

        assertEquals(List.of("block2_out"), body.cutPoints().stream().map(io.transfer4j.zoo.CutPoint::name).toList(),
                "only cut points inside the trained body (avg_pool came after the cut)");
        assertEquals("block2_out", body.defaultCut().name());
        assertTrue(body.weights().pretrained() && body.weights().sha256().matches("[0-9a-f]{64}"), body.weights()
                .toString());
        assertEquals(file.toString(), body.weights().source());
        assertEquals(List.of("block1", "block2"), body.groups().stream().map(io.transfer4j.zoo.LayerGroup::name)
                .toList());

        TransferModel next = TransferModel.builder().backbone(body).labels(List.of("x", "y"))
                .trainable(LayerSelection.fromGroup("block2")).build();
        INDArray x = d.getFeatures();
        INDArray want = trained.graph().feedForward(x, false).get("block2_out");
        INDArray bodyOut = body.graph().outputSingle(false, x);
        INDArray nextOut = next.graph().feedForward(x, false).get("block2_out");
        assertTrue(want.equalsWithEps(bodyOut, 1e-6), "the body computes the trained model's features");
        assertTrue(want.equalsWithEps(nextOut, 1e-6), "the new model starts from the trained body");
        TransferModel fresh = TransferModel.builder().backbone(TestBackbones.tiny(IN, 7)).cut("block2_out")
                .labels(List.of("x", "y")).build();
        assertFalse(want.equalsWithEps(fresh.graph().feedForward(x, false).get("block2_out"), 1e-3),
                "training moved the body away from its initialisation (else this test proves nothing)");

        Map<String, INDArray> before = snapshot(loaded.graph());
        DataSet two = TestData.batch(8, 3, 16, 2, 1, 4);
        next.graph().fit(two);
        assertEquals(before, snapshot(loaded.graph()), "training the new model leaves the source model alone");
        assertTrue(want.equalsWithEps(body.graph().outputSingle(false, x), 1e-6), "nor the backbone copy");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loaded.asBackbone(new io.transfer4j.zoo.BackboneSpec("other", io.transfer4j.zoo.Architecture.VGG16,
                        "", List.of(), IN, 8, io.transfer4j.zoo.Normalization.rescale(), body.spec().cutPoints(),
                        List.of()), "x"));
        assertTrue(e.getMessage().contains("test-tiny") && e.getMessage().contains("other"), e.getMessage());
    }
}
