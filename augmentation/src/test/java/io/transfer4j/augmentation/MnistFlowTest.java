package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class MnistFlowTest {

    @TempDir
    Path dir;
    MnistData data;

    @BeforeEach
    void writeData() throws IOException {
        MnistFiles.writeTrainPair(dir, "train", 70);
        data = MnistData.read(dir, MnistData.Part.TRAIN);
    }

    @Test
    void batchesAreNchwFloatScaledWithOneHotLabels() {
        MnistFlow flow = MnistFlow.builder(data).batchSize(32).shuffle(false).build();
        DataSet first = flow.next();
        INDArray f = first.getFeatures();
        assertArrayEquals(new long[] {32, 1, 28, 28}, f.shape());
        assertEquals(DataType.FLOAT, f.dataType());
        assertArrayEquals(new long[] {32, 10}, first.getLabels().shape());
        assertEquals(MnistFiles.pixel(5, 10, 20) / 255f, f.getFloat(5, 0, 10, 20), 0f);
        assertEquals(1f, first.getLabels().getFloat(13, 3));
        assertEquals(1.0, first.getLabels().getRow(13).sumNumber().doubleValue(), 0.0);
        assertEquals(32, first.getLabels().sumNumber().intValue());
        assertEquals(32, flow.next().numExamples());
        DataSet last = flow.next();
        assertEquals(6, last.numExamples());
        assertEquals(69 % 10, last.getLabels().getRow(5).argMax().getInt(0));
        assertFalse(flow.hasNext());
        assertThrows(NoSuchElementException.class, flow::next);
        assertEquals(784, flow.inputColumns());
        assertEquals(10, flow.totalOutcomes());
        assertEquals(MnistFlow.DIGIT_LABELS, flow.getLabels());
    }

    @Test
    void shuffleIsSeededDiffersPerEpochAndCoversEveryImageOnce() {
        List<Integer> epoch0 = ids(MnistFlow.builder(data).batchSize(16).seed(7).build());
        assertEquals(epoch0, ids(MnistFlow.builder(data).batchSize(16).seed(7).build()));
        assertNotEquals(epoch0, ids(MnistFlow.builder(data).batchSize(16).seed(8).build()));
        assertEquals(70, new HashSet<>(epoch0).size());

        MnistFlow flow = MnistFlow.builder(data).batchSize(16).seed(7).build();
        assertEquals(epoch0, drain(flow));
        flow.reset();
        List<Integer> epoch1 = drain(flow);
        assertNotEquals(epoch0, epoch1);
        assertEquals(new HashSet<>(epoch0), new HashSet<>(epoch1));
        assertEquals(1, flow.epoch());

        List<Integer> inOrder = ids(MnistFlow.builder(data).batchSize(16).shuffle(false).build());
        for (int i = 0; i < 70; i++) {
            assertEquals(i, inOrder.get(i));
        }
    }

    @Test
    void augmenterGetsAPerImageSeededSourceSoRunsRepeat() {
        MnistFlow.Augmenter addNoise = (image, rows, cols, rng) -> {
            assertEquals(28, rows);
            assertEquals(28, cols);
            image[100] = (float) rng.nextDouble();
        };
        MnistFlow a = MnistFlow.builder(data).batchSize(10).seed(3).augmenter(addNoise).build();
        MnistFlow b = MnistFlow.builder(data).batchSize(25).seed(3).augmenter(addNoise).build();
        assertTrue(a.isAugmented());
        INDArray fa = a.next(70).getFeatures();
        INDArray fb = b.next(70).getFeatures();
        assertEquals(fa, fb, "same seed, different batch sizes: same augmented images");
        Set<Float> values = new HashSet<>();
        for (int i = 0; i < 70; i++) {
            values.add(fa.getFloat(i, 0, 3, 16));
        }
        assertTrue(values.size() > 60, "every image draws its own value: " + values.size());
        a.reset();
        assertNotEquals(fa.getFloat(0, 0, 3, 16), a.next().getFeatures().getFloat(0, 0, 3, 16));

        MnistFlow plain = MnistFlow.builder(data).batchSize(70).seed(3).build();
        assertFalse(plain.isAugmented());
        INDArray fp = plain.next().getFeatures();
        for (int i = 0; i < 70; i++) {
            int id = Math.round(fp.getFloat(i, 0, 0, 0) * 255f) + 256 * Math.round(fp.getFloat(i, 0, 0, 1) * 255f);
            assertEquals(MnistFiles.pixel(id, 3, 16) / 255f, fp.getFloat(i, 0, 3, 16), 0f, "unaugmented image " + id);
        }
    }

    @Test
    void kerasAugmentOptionsTransformTrainingImagesReproducibly() {
        AugmentOptions opts = AugmentOptions.builder().rotationRange(15).widthShiftRange(0.1).heightShiftRange(0.1)
                .zoomRange(0.1).build();
        INDArray a = MnistFlow.builder(data).batchSize(70).seed(9).augment(opts).build().next().getFeatures();
        INDArray b = MnistFlow.builder(data).batchSize(70).seed(9).augment(opts).build().next().getFeatures();
        INDArray plain = MnistFlow.builder(data).batchSize(70).seed(9).build().next().getFeatures();
        assertEquals(a, b);
        assertNotEquals(plain, a);
        assertTrue(a.minNumber().doubleValue() >= 0 && a.maxNumber().doubleValue() <= 1.0 + 1e-6,
                "still on the 0-1 scale: " + a.minNumber() + ".." + a.maxNumber());
        // a pure horizontal flip is exact: every image mirrored or not, row sums unchanged
        AugmentOptions flip = AugmentOptions.builder().horizontalFlip(true).build();
        INDArray f = MnistFlow.builder(data).batchSize(70).seed(9).augment(flip).build().next().getFeatures();
        assertEquals(plain.sum(3), f.sum(3));
        assertNotEquals(plain, f);
        assertFalse(MnistFlow.builder(data).augment(AugmentOptions.none()).build().isAugmented());
    }

    @Test
    void standardisationOptionsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MnistFlow.builder(data)
                .augment(AugmentOptions.builder().rescale(1 / 255.0).rotationRange(5).build()));
        assertTrue(e.getMessage().contains("rescale=") && e.getMessage().contains("pixel / 255"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MnistFlow.builder(data)
                .augment(AugmentOptions.builder().validationSplit(0.2).build()));
        assertTrue(e.getMessage().contains("MnistData.split"), e.getMessage());
    }

    @Test
    void plugsIntoDl4jFitForSeveralEpochs() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1)
                        .updater(new org.nd4j.linalg.learning.config.Sgd(0.1)).list()
                        .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(10)
                                .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                        .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(28, 28, 1)).build());
        net.init();
        MnistFlow flow = MnistFlow.builder(data).batchSize(32).seed(5).build();   // 70 images: 3 batches per epoch
        net.fit(flow, 2);
        assertEquals(6, net.getIterationCount(), "2 epochs x 3 batches");
        assertEquals(2, net.getEpochCount());
    }

    @Test
    void builderRejectsBadSettingsWithTheReceivedValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MnistFlow.builder(data).batchSize(0).build());
        assertTrue(e.getMessage().contains("received 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MnistFlow.builder(data).labels(List.of("a", "b")).build());
        assertTrue(e.getMessage().contains("[a, b]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MnistFlow.builder(null).build());
        assertThrows(IllegalArgumentException.class, () -> MnistFlow.builder(data.first(0)).build());
        assertEquals(MnistFlow.FASHION_LABELS,
                MnistFlow.builder(data).labels(MnistFlow.FASHION_LABELS).build().getLabels());
    }

    private static List<Integer> ids(MnistFlow flow) {
        return drain(flow);
    }

    private static List<Integer> drain(MnistFlow flow) {
        List<Integer> out = new ArrayList<>();
        while (flow.hasNext()) {
            INDArray f = flow.next().getFeatures();
            for (int i = 0; i < f.size(0); i++) {
                out.add(Math.round(f.getFloat(i, 0, 0, 0) * 255f) + 256 * Math.round(f.getFloat(i, 0, 0, 1) * 255f));
            }
        }
        return out;
    }
}
