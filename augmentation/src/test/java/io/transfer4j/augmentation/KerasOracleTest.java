package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.transfer4j.zoo.Normalization;

/**
 * Compares flowFromDirectory with what keras-preprocessing 1.1.2 itself yields on the shared dl4j-animals photos
 * (recorded in dl4j-animals.keras-oracle.json): class indices, file order, split membership, batch counts, label
 * formats and pixel values after Pillow-style resizing.
 */
class KerasOracleTest {
    private static Path dir;
    private static JsonNode oracle;

    @BeforeAll
    static void load() throws IOException {
        Path datasets = TestPaths.datasets();
        dir = datasets.resolve("dl4j-animals");
        Path json = datasets.resolve("dl4j-animals.keras-oracle.json");
        absent = Files.isDirectory(dir) && Files.isRegularFile(json) ? null
                : "shared data set absent: needs " + dir + " and " + json + " (set -Dtransfer4j.datasets=DIR)";
        oracle = absent == null ? new ObjectMapper().readTree(json.toFile()) : null;
    }

    private static String absent;

    /** Each test skips (reported per test, with the reason) when the shared data set is not there. */
    @org.junit.jupiter.api.BeforeEach
    void requireData() {
        assumeTrue(absent == null, () -> absent);
    }

    private static ImagePipeline rescaled() {
        return ImagePipeline.of(Normalization.rescale());
    }

    private static List<String> strings(JsonNode n) {
        List<String> l = new ArrayList<>();
        n.forEach(e -> l.add(e.asText()));
        return l;
    }

    @Test
    void classIndicesFileOrderAndSampleCountMatchKeras() {
        try (DirectoryFlow f = rescaled().flowFromDirectory(dir, FlowOptions.builder().shuffle(false).build())) {
            Map<String, Integer> expected = new LinkedHashMap<>();
            oracle.get("class_indices").fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asInt()));
            assertEquals(expected, f.classIndices());
            assertEquals(oracle.get("samples").asInt(), f.samples());
            assertEquals(strings(oracle.get("filenames_shuffle_false")), f.filenames());
            List<Integer> classes = new ArrayList<>();
            oracle.get("classes_shuffle_false").forEach(e -> classes.add(e.asInt()));
            assertArrayEquals(classes.stream().mapToInt(Integer::intValue).toArray(), f.classes());
            assertEquals(oracle.get("num_batches_bs32").asInt(), f.batchesPerEpoch());
        }
    }

    @Test
    void batchShapesAndLastBatchMatchKeras() {
        FlowOptions o = FlowOptions.builder().shuffle(false).workers(2).build();
        try (DirectoryFlow f = rescaled().flowFromDirectory(dir, o)) {
            DataSet first = f.next();
            JsonNode xs = oracle.get("batch0_x_shape"); // NHWC in Keras
            assertArrayEquals(new long[] {xs.get(0).asLong(), xs.get(3).asLong(), xs.get(1).asLong(), xs.get(2).asLong()},
                    first.getFeatures().shape());
            JsonNode ys = oracle.get("batch0_y_shape");
            assertArrayEquals(new long[] {ys.get(0).asLong(), ys.get(1).asLong()}, first.getLabels().shape());
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 4; k++) {
                    assertEquals(oracle.get("batch0_y_first3").get(i).get(k).asDouble(),
                            first.getLabels().getDouble(i, k), 0);
                }
            }
            DataSet last = null;
            while (f.hasNext()) {
                last = f.next();
            }
            assertEquals(oracle.get("last_batch_size_bs32").asInt(), last.getFeatures().size(0));
        }
        for (ClassMode mode : List.of(ClassMode.SPARSE, ClassMode.BINARY)) {
            String key = mode == ClassMode.SPARSE ? "last_batch_y_sparse_bs8" : "last_batch_y_binary_bs8";
            try (DirectoryFlow f = rescaled().flowFromDirectory(dir,
                    FlowOptions.builder().shuffle(false).batchSize(8).classMode(mode).targetSize(32, 32).build())) {
                DataSet last = null;
                while (f.hasNext()) {
                    last = f.next();
                }
                JsonNode y = oracle.get(key);
                assertEquals(y.size(), last.getLabels().size(0), mode + " last batch size");
                for (int i = 0; i < y.size(); i++) {
                    assertEquals(y.get(i).asDouble(), last.getLabels().getDouble(i, 0), 0, mode + " label " + i);
                }
            }
        }
    }

    @Test
    void validationSplitMembershipMatchesKerasAtThreeRatios() {
        for (String ratio : List.of("0.2", "0.3", "0.5")) {
            JsonNode s = oracle.get("split_" + ratio);
            double split = Double.parseDouble(ratio);
            FlowOptions base = FlowOptions.builder().shuffle(false).targetSize(8, 8).build();
            ImagePipeline gen = rescaled().augment(AugmentOptions.builder().validationSplit(split).build());
            try (DirectoryFlow val = gen.flowFromDirectory(dir, base.toBuilder().subset(Subset.VALIDATION).build());
                 DirectoryFlow train = gen.flowFromDirectory(dir, base.toBuilder().subset(Subset.TRAINING).build())) {
                assertEquals(strings(s.get("validation_filenames")), val.filenames(), "validation files at " + ratio);
                assertEquals(s.get("validation_samples").asInt(), val.samples());
                assertEquals(s.get("training_samples").asInt(), train.samples());
                List<String> both = new ArrayList<>(val.filenames());
                both.retainAll(train.filenames());
                assertEquals(List.of(), both, "training and validation must not share files");
            }
        }
    }

    @Test
    void pixelValuesMatchKerasAfterPillowResize() throws Exception {
        for (JsonNode a : oracle.get("pixel_anchors")) {
            Interpolation interp = Interpolation.parse(a.get("interpolation").asText());
            DecodedImage img = ImageDecoder.decode(dir.resolve(a.get("file").asText()));
            INDArray x = ImagePipeline.toInput(img, io.transfer4j.zoo.InputShape.rgb(224, 224), Normalization.rescale(),
                    interp);
            String what = a.get("file").asText() + " " + interp;
            // measured here: pixels identical, means within 0.04 levels; JPEG decoders (libjpeg-turbo in Pillow, IJG in
            // the JDK) may differ by a level elsewhere
            assertEquals(a.get("mean").asDouble(), x.meanNumber().doubleValue(), 1.0 / 255, what + " mean");
            for (int c = 0; c < 3; c++) {
                assertEquals(a.get("channel_means").get(c).asDouble(),
                        x.get(NDArrayIndex.point(0), NDArrayIndex.point(c)).meanNumber().doubleValue(), 1.0 / 255,
                        what + " channel mean " + c);
                assertEquals(a.get("pixel_0_0").get(c).asDouble(), x.getDouble(0, c, 0, 0), 2.0 / 255,
                        what + " pixel (0,0) channel " + c);
                assertEquals(a.get("pixel_111_111").get(c).asDouble(), x.getDouble(0, c, 111, 111), 2.0 / 255,
                        what + " pixel (111,111) channel " + c);
            }
        }
    }

    @Test
    void grayscaleMeanMatchesKeras() {
        FlowOptions o = FlowOptions.builder().shuffle(false).colorMode(ColorMode.GRAYSCALE).targetSize(28, 28)
                .batchSize(2).classMode(ClassMode.NONE).build();
        try (DirectoryFlow f = ImagePipeline.of(Normalization.none()).flowFromDirectory(dir, o)) {
            INDArray x = f.next().getFeatures();
            JsonNode shape = oracle.get("grayscale_batch_shape");
            assertArrayEquals(new long[] {shape.get(0).asLong(), 1, shape.get(1).asLong(), shape.get(2).asLong()},
                    x.shape());
            assertEquals(oracle.get("grayscale_28_first_mean").asDouble(),
                    x.get(NDArrayIndex.point(0)).meanNumber().doubleValue(), 1.0);
        }
    }
}
