package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.Normalization;

/** flow(arrays), the CSV flow, save_to_dir, class modes, featurewise fit from a directory, keep_aspect_ratio. */
class FlowVariantsTest {
    @TempDir
    static Path tmp;
    static Path dir;

    @BeforeAll
    static void generate() throws IOException {
        dir = tmp.resolve("data");
        ImageFolders.generate(dir, new ImageFolders.Spec(2, 4, 20, List.of("png"), 8));
    }

    @Test
    void arrayFlowBatchesAndAugmentsInMemoryImages() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 10, 3, 8, 8).muli(255);
        INDArray y = Nd4j.create(new float[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, new long[] {10});
        FlowOptions o = FlowOptions.builder().batchSize(4).shuffle(false).build();
        try (ArrayFlow f = ImagePipeline.of(Normalization.none()).flow(x, y, List.of("a", "b", "c"), o)) {
            DataSet d = f.next();
            assertArrayEquals(new long[] {4, 3, 8, 8}, d.getFeatures().shape());
            assertEquals(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)), d.getFeatures());
            assertEquals(1.0, d.getLabels().getDouble(2, 2), 0);
            assertEquals(3, f.batchesPerEpoch());
        }
        try (ArrayFlow f = ImagePipeline.of(Normalization.none())
                .augment(AugmentOptions.builder().horizontalFlip(true).build()).flow(x, null, List.of(),
                        o.toBuilder().classMode(ClassMode.INPUT).build())) {
            DataSet d = f.next();
            assertEquals(d.getFeatures(), d.getLabels(), "class mode INPUT: labels are the images");
        }
        ImagePipeline flipping = ImagePipeline.of(Normalization.none())
                .augment(AugmentOptions.builder().horizontalFlip(true).validationSplit(0.3).build());
        try (ArrayFlow val = flipping.flow(x, y, List.of(), o.toBuilder().subset(Subset.VALIDATION).build());
             ArrayFlow train = flipping.flow(x, y, List.of(), o.toBuilder().subset(Subset.TRAINING).build())) {
            assertEquals(3, val.samples(), "the first int(10 * 0.3) samples");
            assertEquals(7, train.samples());
            assertTrue(!val.isAugmented() && train.isAugmented());
            assertEquals(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)), val.next().getFeatures());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImagePipeline
                .of(Normalization.none()).flow(Nd4j.zeros(2, 8, 8, 3), null, List.of(), o));
        assertTrue(e.getMessage().contains("permute(0, 3, 1, 2)"), e.getMessage());
    }

    @Test
    void csvFlowReadsPathsAndLabels() throws IOException {
        Path csv = tmp.resolve("labels.csv");
        Files.writeString(csv, "file,label\ncircles/circles_0000.png,round\nsquares/squares_0001.png,\"square, big\"\n"
                + "circles/circles_0002.png,round\n");
        FlowOptions o = FlowOptions.builder().targetSize(10, 10).shuffle(false).classMode(ClassMode.SPARSE).build();
        try (DirectoryFlow f = ImagePipeline.of(Normalization.none()).flowFromCsv(csv, "file", "label", dir, o)) {
            assertEquals(List.of("round", "square, big"), f.getLabels());
            assertEquals(3, f.samples());
            DataSet d = f.next();
            assertEquals(1.0, d.getLabels().getDouble(1, 0), 0);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImagePipeline
                .of(Normalization.none()).flowFromCsv(csv, "path", "label", dir, o));
        assertTrue(e.getMessage().contains("[file, label]"), e.getMessage());
    }

    @Test
    void saveToDirWritesViewableAugmentedImages() throws IOException {
        Path out = tmp.resolve("saved");
        FlowOptions o = FlowOptions.builder().targetSize(12, 12).batchSize(3).saveToDir(out, "aug", "png").build();
        try (DirectoryFlow f = ImagePipeline.of(Normalization.caffe())
                .augment(AugmentOptions.builder().rotationRange(20).build()).flowFromDirectory(dir, o)) {
            f.next();
        }
        try (var files = Files.list(out)) {
            List<Path> l = files.toList();
            assertEquals(3, l.size());
            for (Path p : l) {
                assertTrue(p.getFileName().toString().matches("aug_\\d+_\\d+\\.png"), p.toString());
                assertEquals(12, javax.imageio.ImageIO.read(p.toFile()).getWidth());
            }
        }
    }

    @Test
    void featurewiseFitFromADirectoryAndMissingFitIsAClearError() {
        ImagePipeline p = ImagePipeline.of(Normalization.none())
                .augment(AugmentOptions.builder().featurewiseCenter(true).build());
        FlowOptions o = FlowOptions.builder().targetSize(10, 10).batchSize(8).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.flowFromDirectory(dir, o));
        assertTrue(e.getMessage().contains("fit"), e.getMessage());
        ImagePipeline fitted = p.fit(dir, o, 8);
        try (DirectoryFlow f = fitted.flowFromDirectory(dir, o)) {
            INDArray x = f.next().getFeatures();
            for (int c = 0; c < 3; c++) {
                assertEquals(0, x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(c)).meanNumber().doubleValue(), 1e-2);
            }
        }
    }

    @Test
    void rgbaAndGrayscaleModesGiveTheirChannelCounts() {
        FlowOptions o = FlowOptions.builder().targetSize(6, 6).shuffle(false).batchSize(2).build();
        try (DirectoryFlow f = ImagePipeline.of(Normalization.rescale()).flowFromDirectory(dir,
                o.toBuilder().colorMode(ColorMode.RGBA).build())) {
            INDArray x = f.next().getFeatures();
            assertArrayEquals(new long[] {2, 4, 6, 6}, x.shape());
            assertEquals(1.0, x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(3)).minNumber().doubleValue(), 1e-6,
                    "opaque alpha, scaled like the colours");
        }
        try (DirectoryFlow f = ImagePipeline.of(Normalization.caffe()).flowFromDirectory(dir,
                o.toBuilder().colorMode(ColorMode.GRAYSCALE).build())) {
            assertArrayEquals(new long[] {2, 1, 6, 6}, f.next().getFeatures().shape());
        }
    }

    @Test
    void keepAspectRatioCropsTheCentre() {
        int[] box = io.transfer4j.augmentation.internal.Resize.aspectCrop(200, 100, 50, 50);
        assertArrayEquals(new int[] {50, 0, 100, 100}, box);
        FlowOptions o = FlowOptions.builder().targetSize(5, 10).keepAspectRatio(true).shuffle(false).build();
        try (DirectoryFlow f = ImagePipeline.of(Normalization.none()).flowFromDirectory(dir, o)) {
            assertArrayEquals(new long[] {8, 3, 5, 10}, f.next().getFeatures().shape());
        }
    }
}
