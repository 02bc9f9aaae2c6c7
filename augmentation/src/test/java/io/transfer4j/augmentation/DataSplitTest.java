package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.Normalization;

class DataSplitTest {
    @TempDir
    static Path tmp;
    static Path dir;

    @BeforeAll
    static void generate() throws IOException {
        dir = tmp.resolve("data");
        ImageFolders.generate(dir, new ImageFolders.Spec(3, 20, 16, List.of("png"), 4));
    }

    @Test
    void stratifiedPartsKeepTheRatiosPerClassAndCoverEveryFileOnce() {
        DataSplit s = DataSplit.stratified(dir, 0.7, 0.15, 0.15, 5);
        for (String cls : s.classes()) {
            assertEquals(14, s.train().stream().filter(i -> i.label().equals(cls)).count(), cls);
            assertEquals(3, s.validation().stream().filter(i -> i.label().equals(cls)).count(), cls);
            assertEquals(3, s.test().stream().filter(i -> i.label().equals(cls)).count(), cls);
        }
        Set<String> all = new HashSet<>();
        for (DataSplit.Part p : DataSplit.Part.values()) {
            for (DataSplit.Item i : s.items(p)) {
                assertTrue(all.add(i.file()), "file in two parts: " + i.file());
                assertTrue(i.file().startsWith(i.label() + "/"));
            }
        }
        assertEquals(60, all.size());
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        assertEquals(DataSplit.stratified(dir, 0.7, 0.15, 0.15, 5), DataSplit.stratified(dir, 0.7, 0.15, 0.15, 5));
        assertNotEquals(DataSplit.stratified(dir, 0.7, 0.15, 0.15, 5).test(),
                DataSplit.stratified(dir, 0.7, 0.15, 0.15, 6).test());
    }

    @Test
    void smallClassesStillGetAFileInEveryRequestedPart() {
        assertEquals(List.of(1, 1, 1), toList(DataSplit.counts(3, new double[] {0.7, 0.15, 0.15})));
        assertEquals(List.of(7, 2, 1), toList(DataSplit.counts(10, new double[] {0.7, 0.15, 0.15})));
        assertEquals(List.of(8, 2, 0), toList(DataSplit.counts(10, new double[] {0.8, 0.2, 0})));
    }

    private static List<Integer> toList(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    @Test
    void manifestRoundTripsAndNewerVersionsAreRefused() throws IOException {
        DataSplit s = DataSplit.stratified(dir, 0.6, 0.2, 0.2, 1);
        Path m = tmp.resolve("out/split.json");
        s.write(m);
        assertEquals(s, DataSplit.read(m));
        // no test part: the manifest omits the empty list, and reading it back must not fail
        DataSplit noTest = DataSplit.stratified(dir, 0.8, 0.2, 0.0, 1);
        Path m2 = tmp.resolve("out2/split.json");
        noTest.write(m2);
        assertEquals(noTest, DataSplit.read(m2));
        assertTrue(DataSplit.read(m2).test().isEmpty());
        try (var files = Files.list(m.getParent())) {
            assertEquals(List.of(m), files.toList(), "no temporary file is left behind");
        }
        Files.writeString(m, Files.readString(m).replace("\"formatVersion\" : 1", "\"formatVersion\" : 9"));
        IOException e = assertThrows(IOException.class, () -> DataSplit.read(m));
        assertTrue(e.getMessage().contains("format version 9"), e.getMessage());
    }

    @Test
    void badRatiosAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataSplit.stratified(dir, 0.7, 0.2, 0.2, 1));
        assertTrue(e.getMessage().contains("add up to 1"), e.getMessage());
    }

    @Test
    void onlyTheTrainingPartIsAugmented() {
        DataSplit s = DataSplit.stratified(dir, 0.7, 0.15, 0.15, 5);
        ImagePipeline p = ImagePipeline.of(Normalization.none())
                .augment(AugmentOptions.builder().horizontalFlip(true).build());
        FlowOptions o = FlowOptions.builder().targetSize(16, 16).batchSize(8).build();
        try (DirectoryFlow train = p.flowFromSplit(s, DataSplit.Part.TRAIN, o);
             DirectoryFlow val = p.flowFromSplit(s, DataSplit.Part.VALIDATION, o);
             DirectoryFlow test = p.flowFromSplit(s, DataSplit.Part.TEST, o)) {
            assertTrue(train.isAugmented());
            assertFalse(val.isAugmented());
            assertFalse(test.isAugmented());
            assertEquals(42, train.samples());
            assertEquals(9, test.samples());
            assertEquals(List.of("circles", "squares", "stripes"), test.getLabels());
        }
    }
}
