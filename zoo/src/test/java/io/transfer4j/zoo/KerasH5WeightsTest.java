package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.zoo.internal.KerasH5File;
import io.transfer4j.zoo.internal.KerasH5Weights;

/**
 * Keras {@code save_weights} files written by the test in Keras' layout (from our own random graphs), then loaded
 * back through the zoo and compared bit for bit.
 */
class KerasH5WeightsTest {
    @TempDir
    Path tmp;

    private final Zoo plain = Zoo.builder().build();

    private static String md5(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(file)));
    }

    private Zoo zooWithKerasTiny(Path h5, boolean includesTop) throws Exception {
        Path catalogue = tmp.resolve("catalogue.json");
        Files.writeString(catalogue, """
            {"formatVersion": 1, "backbones": [{
              "id": "tiny", "architecture": "TINY", "description": "tiny test backbone",
              "weights": [{"format": "keras-h5", "uri": "%s", "fileName": "tiny_weights.h5", "size": %d,
                           "checksumAlgorithm": "md5", "checksum": "%s", "includesTop": %s, "licence": "test"}],
              "defaultInput": {"channels": 3, "height": 32, "width": 32}, "minInputSize": 8,
              "normalization": {"mode": "caffe", "order": "BGR", "scale": 1.0,
                                "mean": [103.939, 116.779, 123.68], "std": [1.0, 1.0, 1.0]},
              "cutPoints": [{"name": "flatten_1", "kind": "VECTOR", "features": 32}],
              "groupNames": ["block1", "block2", "block3", "fc"]}]}
            """.formatted(h5.toUri(), Files.size(h5), md5(h5), includesTop));
        return Zoo.builder().home(tmp.resolve("cache")).dl4jHome(tmp.resolve("d")).kerasHome(tmp.resolve("k"))
                .catalogue(catalogue).build();
    }

    @Test
    void tinyWithKeras1WeightNamesRoundTripsBitForBitThroughTheZoo() throws Exception {
        ComputationGraph original = plain.random("tiny", InputShape.rgb(32, 32), 21).graph();
        // non-trivial BN statistics, so a swapped mean/variance would show
        original.getLayer("block2_bn").getParam("mean").assign(Nd4j.rand(1, 16));
        original.getLayer("block2_bn").getParam("var").assign(Nd4j.rand(1, 16).addi(0.5));
        Path h5 = tmp.resolve("tiny_weights.h5");
        KerasH5Weights.export(original, h5, n -> n, true);

        Map<String, KerasH5File.LayerWeights> read = KerasH5File.read(h5);
        assertEquals(List.of("block1_conv1_W_1:0", "block1_conv1_b_1:0"), read.get("block1_conv1").weightNames());
        assertEquals(List.of(3L, 3L, 3L, 8L), List.of(read.get("block1_conv1").values().get(0).shape()[0],
                read.get("block1_conv1").values().get(0).shape()[1], read.get("block1_conv1").values().get(0).shape()[2],
                read.get("block1_conv1").values().get(0).shape()[3]), "TensorFlow kernel layout [kh, kw, in, out]");
        assertFalse(read.containsKey("block1_relu"), "layers without weights are listed but carry none");

        Zoo zoo = zooWithKerasTiny(h5, true);
        Backbone loaded = zoo.load("tiny", InputShape.rgb(32, 32));
        assertTrue(loaded.weights().pretrained());
        assertEquals(original.params(), loaded.graph().params(), "bit for bit");
        INDArray x = Nd4j.rand(2, 3, 32, 32);
        assertEquals(original.outputSingle(x), loaded.graph().outputSingle(x));

        Backbone small = zoo.load("tiny", InputShape.rgb(24, 24));
        assertFalse(small.hasTop());
        assertEquals(original.getLayer("block3_bn").getParam("var"), small.graph().getLayer("block3_bn").getParam("var"));
    }

    @Test
    void resnet50WithKerasNewLayerNamesLoadsByNameWithItsBatchNormEpsilon() throws Exception {
        ComputationGraph original = plain.random("resnet50", InputShape.rgb(32, 32), 5).graph();
        Path h5 = tmp.resolve("resnet50_new_names.h5");
        KerasH5Weights.export(original, h5, KerasH5Weights::toNewResNetName, false);
        Map<String, KerasH5File.LayerWeights> read = KerasH5File.read(h5);
        assertTrue(read.containsKey("conv2_block1_0_conv") && read.containsKey("conv5_block3_3_bn"), read.keySet()
                .toString());
        assertEquals(List.of("conv1_conv/kernel:0", "conv1_conv/bias:0"), read.get("conv1_conv").weightNames());

        BackboneSpec spec = plain.spec("resnet50");
        Backbone b = io.transfer4j.zoo.internal.WeightLoader.load(spec, InputShape.rgb(32, 32),
                new io.transfer4j.zoo.internal.WeightStore.LocalWeights(spec.weights().get(1), h5, "test"));
        assertEquals(original.params(), b.graph().params(), "every parameter lands where it came from");
        BatchNormalization bn = (BatchNormalization) b.graph().getLayer("bn_conv1").conf().getLayer();
        assertEquals(1.001e-5, bn.getEps(), 0.0, "Keras' current ResNet50 uses epsilon 1.001e-5");
        assertEquals(List.of("stem", "res2", "res3", "res4", "res5"),
                b.groups().stream().map(LayerGroup::name).toList());
    }

    @Test
    void newResNetNamesMapToTheOriginalOnes() {
        assertEquals("res2a_branch1", KerasH5Weights.fromNewResNetName("conv2_block1_0_conv"));
        assertEquals("bn5c_branch2b", KerasH5Weights.fromNewResNetName("conv5_block3_2_bn"));
        assertEquals("fc1000", KerasH5Weights.fromNewResNetName("predictions"));
        assertEquals("avg_pool", KerasH5Weights.fromNewResNetName("avg_pool"), "layers without a rule keep their name");
        for (String old : List.of("conv1", "bn_conv1", "res2a_branch2a", "bn3d_branch2c", "res5c_branch2b",
                "bn4a_branch1", "fc1000")) {
            String renamed = KerasH5Weights.toNewResNetName(old);
            assertFalse(renamed.equals(old), old);
            assertEquals(old, KerasH5Weights.fromNewResNetName(renamed), "round trip of " + old);
        }
        assertEquals("conv4_block6_3_bn", KerasH5Weights.toNewResNetName("bn4f_branch2c"));
        assertEquals("conv3_block1_0_conv", KerasH5Weights.toNewResNetName("res3a_branch1"));
    }

    @Test
    void flattenedDenseRowsAreReorderedFromKerasHwcToDl4jChw() {
        int h = 2;
        int w = 3;
        int c = 4;
        INDArray featureMap = Nd4j.rand(1, c, h, w);                   // NCHW, as DL4J sees it
        INDArray kerasFlat = featureMap.permute(0, 2, 3, 1).dup('c').reshape(1, h * w * c);   // Keras: NHWC flatten
        INDArray dl4jFlat = featureMap.dup('c').reshape(1, c * h * w); // CnnToFeedForwardPreProcessor
        INDArray kerasKernel = Nd4j.rand(h * w * c, 5);
        INDArray ours = KerasH5Weights.hwcRowsToChw(kerasKernel, h, w, c);
        INDArray expected = kerasFlat.mmul(kerasKernel);
        INDArray actual = dl4jFlat.mmul(ours);
        assertTrue(expected.equalsWithEps(actual, 1e-5), expected + " vs " + actual);
        assertEquals(kerasKernel, KerasH5Weights.chwRowsToHwc(ours, h, w, c));
    }

    @Test
    void aDenseLayerAfterAFlattenIsWrittenInKerasRowOrderAndReadBack() throws Exception {
        // block5_pool -> flatten -> fc1 in miniature: a 2x3x4 feature map flattened into a dense layer
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1)
                .dataType(org.nd4j.linalg.api.buffer.DataType.FLOAT).graphBuilder().addInputs("input_1")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(3, 4, 1))
                .addLayer("block1_conv1", new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(1, 1)
                        .nIn(1).nOut(2).build(), "input_1")
                .addVertex("flatten", new org.deeplearning4j.nn.conf.graph.PreprocessorVertex(
                        new org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor(3, 4, 2)), "block1_conv1")
                .addLayer("fc1", new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(24).nOut(5).build(),
                        "flatten")
                .setOutputs("fc1").build();
        ComputationGraph original = new ComputationGraph(conf);
        original.init();
        Path h5 = tmp.resolve("flatten.h5");
        KerasH5Weights.export(original, h5, n -> n, false);
        Map<String, KerasH5File.LayerWeights> layers = KerasH5File.read(h5);
        INDArray fileKernel = layers.get("fc1").values().get(0);
        assertEquals(KerasH5Weights.chwRowsToHwc(original.getLayer("fc1").getParam("W"), 3, 4, 2), fileKernel);
        assertFalse(fileKernel.equals(original.getLayer("fc1").getParam("W")), "rows are in Keras' (h,w,c) order");

        ComputationGraph loaded = new ComputationGraph(conf.clone());
        loaded.init();
        KerasH5Weights.loadInto(loaded, layers, h5, "test");
        assertEquals(original.params(), loaded.params());
    }

    @Test
    void aFileForAnotherNetworkIsRejectedNamingWhatIsMissing() throws Exception {
        Path h5 = tmp.resolve("tiny_weights.h5");
        KerasH5Weights.export(plain.random("tiny", InputShape.rgb(16, 16), 1).graph(), h5,
                n -> n.replace("block2", "stage2"), false);
        Zoo zoo = zooWithKerasTiny(h5, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> zoo.load("tiny", InputShape.rgb(16, 16)));
        assertTrue(e.getMessage().contains("block2_conv1") && e.getMessage().contains("Is it a tiny weights file?"),
                e.getMessage());
    }

    @Test
    void longLayerListsAreSplitIntoNumberedAttributesAndJoinedOnReading() throws Exception {
        List<KerasH5File.LayerWeights> layers = new java.util.ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            layers.add(new KerasH5File.LayerWeights(String.format("a_rather_long_layer_name_%05d", i), List.of(),
                    List.of()));   // 30 bytes x 3000 = 90 KB of names: over Keras' 64 KB attribute limit
        }
        INDArray kernel = Nd4j.rand(3, 2);
        layers.add(new KerasH5File.LayerWeights("dense_last", List.of("dense_last/kernel:0"), List.of(kernel)));
        Path h5 = tmp.resolve("many.h5");
        KerasH5File.write(h5, layers);
        Map<String, KerasH5File.LayerWeights> read = KerasH5File.read(h5);
        assertEquals(List.of("dense_last"), List.copyOf(read.keySet()), "all 3001 names read, one has weights");
        assertEquals(kernel, read.get("dense_last").values().get(0));
    }

    @Test
    void aNonHdf5FileIsReportedAsSuch() throws IOException {
        Path bogus = tmp.resolve("bogus.h5");
        Files.writeString(bogus, "not hdf5");
        IOException e = assertThrows(IOException.class, () -> KerasH5File.read(bogus));
        assertTrue(e.getMessage().contains("not a Keras weights HDF5 file"), e.getMessage());
    }

    @Test
    void aKeras3WeightsFileIsRecognisedAndRefusedSayingWhatToUseInstead() throws Exception {
        Path keras3 = tmp.resolve("model.weights.h5");
        try (org.bytedeco.hdf5.H5File h5 = new org.bytedeco.hdf5.H5File(keras3.toString(),
                org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC())) {
            // Keras 3's layout: layers/<name>/vars/<n> datasets, top-level 'vars', no layer_names attribute
            try (org.bytedeco.hdf5.Group layers = h5.createGroup("layers");
                 org.bytedeco.hdf5.Group conv = layers.createGroup("conv2d");
                 org.bytedeco.hdf5.Group vars = conv.createGroup("vars");
                 org.bytedeco.hdf5.Group top = h5.createGroup("vars")) {
                vars.getId();
                top.getId();
            }
        }
        IOException e = assertThrows(IOException.class, () -> KerasH5File.read(keras3));
        assertTrue(e.getMessage().contains("is a Keras 3 weights file") && e.getMessage().contains("Keras 2"
                + " save_weights layout") && e.getMessage().contains("transfer4j models info ID"), e.getMessage());
    }
}
