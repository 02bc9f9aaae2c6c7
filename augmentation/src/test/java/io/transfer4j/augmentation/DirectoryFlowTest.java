package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.Normalization;

class DirectoryFlowTest {
    @TempDir
    static Path tmp;
    static Path dir;

    @BeforeAll
    static void generate() throws IOException {
        dir = tmp.resolve("data");
        ImageFolders.generate(dir, new ImageFolders.Spec(3, 10, 32, List.of("png", "jpg"), 5));
    }

    private static FlowOptions.Builder small() {
        return FlowOptions.builder().targetSize(24, 24).batchSize(4);
    }

    private static List<INDArray> epoch(ImageFlow f) {
        List<INDArray> out = new ArrayList<>();
        while (f.hasNext()) {
            DataSet d = f.next();
            out.add(d.getFeatures());
            out.add(d.getLabels());
        }
        return out;
    }

    @Test
    void classesAreSortedSubdirectoriesAndLabelsFollowTheFiles() {
        try (DirectoryFlow f = ImagePipeline.of(Normalization.none()).flowFromDirectory(dir,
                small().shuffle(true).seed(3).build())) {
            assertEquals(Map.of("circles", 0, "squares", 1, "stripes", 2), f.classIndices());
            assertEquals(List.of("circles", "squares", "stripes"), f.getLabels());
            assertEquals(30, f.samples());
            assertEquals(8, f.batchesPerEpoch());
            int seen = 0;
            while (f.hasNext()) {
                DataSet d = f.next();
                List<String> names = f.lastBatchFilenames();
                assertArrayEquals(new long[] {names.size(), 3, 24, 24}, d.getFeatures().shape());
                for (int i = 0; i < names.size(); i++) {
                    int cls = f.classIndices().get(names.get(i).substring(0, names.get(i).indexOf('/')));
                    assertEquals(1.0, d.getLabels().getDouble(i, cls), 0, names.get(i));
                    assertEquals(1.0, d.getLabels().getRow(i).sumNumber().doubleValue(), 0);
                }
                seen += names.size();
            }
            assertEquals(30, seen);
        }
    }

    @Test
    void explicitClassListFixesTheOrderAndSubset() {
        try (DirectoryFlow f = ImagePipeline.of(Normalization.none()).flowFromDirectory(dir,
                small().classes(List.of("stripes", "circles")).shuffle(false).build())) {
            assertEquals(List.of("stripes", "circles"), f.getLabels());
            assertEquals(20, f.samples());
            assertTrue(f.filenames().get(0).startsWith("stripes/"));
            assertEquals(0, f.classes()[0]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                ImagePipeline.of(Normalization.none()).flowFromDirectory(dir, small().classes(List.of("dogs")).build()));
        assertTrue(e.getMessage().contains("dogs") && e.getMessage().contains("circles, squares, stripes"),
                e.getMessage());
    }

    @Test
    void sameSeedSameBatchesDifferentSeedDifferentOrder() {
        ImagePipeline p = ImagePipeline.of(Normalization.none());
        List<String> a;
        List<String> b;
        List<String> c;
        try (DirectoryFlow f = p.flowFromDirectory(dir, small().seed(11).build())) {
            a = f.filenamesInYieldOrder();
        }
        try (DirectoryFlow f = p.flowFromDirectory(dir, small().seed(11).build())) {
            b = f.filenamesInYieldOrder();
        }
        try (DirectoryFlow f = p.flowFromDirectory(dir, small().seed(12).build())) {
            c = f.filenamesInYieldOrder();
        }
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertEquals(new HashSet<>(a), new HashSet<>(c));
    }

    @Test
    void eachEpochReshufflesAndResetOnAFreshFlowDoesNotSkipAnEpoch() {
        try (DirectoryFlow f = ImagePipeline.of(Normalization.none()).flowFromDirectory(dir, small().seed(1).build())) {
            f.reset(); // nothing taken yet: still epoch 0
            assertEquals(0, f.epoch());
            List<String> e0 = f.filenamesInYieldOrder();
            epoch(f);
            assertEquals(f.batchesPerEpoch(), f.batchesTaken());
            assertTrue(f.waitTime().toNanos() > 0, "the first batch is always waited for");
            f.reset();
            assertEquals(1, f.epoch());
            assertNotEquals(e0, f.filenamesInYieldOrder());
        }
    }

    @Test
    void batchesAreIdenticalWhateverTheWorkerCountAndPrefetch() {
        ImagePipeline p = ImagePipeline.of(Normalization.caffe()).augment(AugmentOptions.builder().rotationRange(30)
                .widthShiftRange(0.2).zoomRange(0.2).horizontalFlip(true).brightnessRange(0.7, 1.3).build());
        List<INDArray> reference = null;
        for (int[] wp : new int[][] {{1, 0}, {1, 2}, {3, 1}, {4, 4}}) {
            try (DirectoryFlow f = p.flowFromDirectory(dir, small().seed(9).workers(wp[0]).prefetch(wp[1]).build())) {
                assertTrue(f.isAugmented());
                List<INDArray> two = epoch(f);
                f.reset();
                two.addAll(epoch(f));
                if (reference == null) {
                    reference = two;
                } else {
                    assertEquals(reference, two, "workers=" + wp[0] + " prefetch=" + wp[1]);
                }
            }
        }
    }

    @Test
    void singleSampleApiGivesExactlyWhatTheFlowYields() throws Exception {
        ImagePipeline p = ImagePipeline.of(Normalization.torch()).augment(AugmentOptions.builder().rotationRange(25)
                .shearRange(10).horizontalFlip(true).build());
        try (DirectoryFlow f = p.flowFromDirectory(dir, small().shuffle(false).seed(4).build())) {
            f.setEpoch(2);
            INDArray batch = f.next().getFeatures();
            for (int i = 0; i < 4; i++) {
                INDArray one = p.toTrainingInput(ImageDecoder.decode(f.files().get(i)),
                        io.transfer4j.zoo.InputShape.rgb(24, 24), Interpolation.NEAREST, 4, 2, i);
                assertEquals(batch.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)), one, "sample " + i);
            }
        }
    }

    @Test
    void backboneNormalisationIsApplied() throws Exception {
        ImagePipeline raw = ImagePipeline.of(Normalization.none());
        ImagePipeline caffe = ImagePipeline.of(Normalization.caffe());
        FlowOptions o = small().shuffle(false).build();
        INDArray x;
        INDArray y;
        try (DirectoryFlow f = raw.flowFromDirectory(dir, o)) {
            x = f.next().getFeatures();
        }
        try (DirectoryFlow f = caffe.flowFromDirectory(dir, o)) {
            y = f.next().getFeatures();
        }
        // caffe: BGR order, minus the ImageNet means
        assertEquals(x.getDouble(0, 2, 5, 5) - 103.939, y.getDouble(0, 0, 5, 5), 1e-3);
        assertEquals(x.getDouble(0, 0, 5, 5) - 123.68, y.getDouble(0, 2, 5, 5), 1e-3);
        assertEquals(org.nd4j.linalg.api.buffer.DataType.FLOAT, y.dataType());
    }

    @Test
    void validationSubsetIsNeverAugmented() {
        ImagePipeline p = ImagePipeline.of(Normalization.none()).augment(AugmentOptions.builder().rotationRange(40)
                .horizontalFlip(true).validationSplit(0.3).build());
        try (DirectoryFlow val = p.flowFromDirectory(dir, small().subset(Subset.VALIDATION).shuffle(false).build());
             DirectoryFlow plain = ImagePipeline.of(Normalization.none())
                     .augment(AugmentOptions.builder().validationSplit(0.3).build()).flowFromDirectory(dir,
                     small().subset(Subset.VALIDATION).shuffle(false).build());
             DirectoryFlow train = p.flowFromDirectory(dir, small().subset(Subset.TRAINING).build())) {
            assertFalse(val.isAugmented());
            assertTrue(train.isAugmented());
            assertEquals(9, val.samples());
            assertEquals(21, train.samples());
            assertEquals(epoch(plain), epoch(val));
        }
    }

    @Test
    void subsetWithoutSplitAndEmptyFoldersAreClearErrors() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImagePipeline
                .of(Normalization.none()).flowFromDirectory(dir, small().subset(Subset.VALIDATION).build()));
        assertTrue(e.getMessage().contains("validationSplit"), e.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty/cats"));
        Files.writeString(empty.resolve("notes.txt"), "no images here");
        e = assertThrows(IllegalArgumentException.class, () -> ImagePipeline.of(Normalization.none())
                .flowFromDirectory(tmp.resolve("empty"), small().build()));
        assertTrue(e.getMessage().contains(tmp.resolve("empty").toString()) && e.getMessage().contains("*.png")
                && e.getMessage().contains("*.tiff"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImagePipeline.of(Normalization.none())
                .flowFromDirectory(tmp.resolve("missing"), small().build()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
