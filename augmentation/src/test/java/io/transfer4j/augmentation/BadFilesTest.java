package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import io.transfer4j.testdata.HostileFiles;
import io.transfer4j.zoo.Normalization;

/** Every kind of bad file in the generated hostile corpus is found, named and handled by the policy. */
class BadFilesTest {
    @TempDir
    static Path tmp;
    static HostileFiles.Corpus corpus;
    static boolean root;

    @BeforeAll
    static void generate() throws IOException {
        corpus = HostileFiles.generate(tmp.resolve("hostile"), 3);
        // root reads files whatever their permissions: the permission case cannot bite then
        root = Files.isReadable(corpus.root().resolve("cats/locked.png"));
    }

    /** The good files, plus the locked one when root can read it anyway. */
    private static Set<String> readable() {
        Set<String> s = new HashSet<>(corpus.goodFiles());
        if (root) {
            s.add("cats/locked.png");
        }
        return s;
    }

    private static Map<String, BadFileKind> reported(DataScan.Result r) {
        return r.badFiles().stream().collect(Collectors.toMap(BadFile::relative, BadFile::kind));
    }

    private static List<HostileFiles.Case> applicable(boolean followLinks) {
        return corpus.hostile().stream()
                .filter(c -> !(c.needsNonRoot() && root))
                .filter(c -> followLinks || !c.expectedKind().equals("LINK_LOOP"))
                .toList();
    }

    @Test
    void checkReportsEachBadFileWithItsReason() {
        DataScan.Result r = DataScan.scan(corpus.root(), ScanOptions.thorough().withFollowLinks(true));
        Map<String, BadFileKind> got = reported(r);
        for (HostileFiles.Case c : applicable(true)) {
            assertEquals(BadFileKind.valueOf(c.expectedKind()), got.get(c.relative()), c.relative() + " in " + got);
        }
        assertEquals(applicable(true).size(), got.size(), "no good file is reported as bad: " + got);
        assertEquals(readable(), new HashSet<>(r.files()));
        assertEquals(0, r.counts().get("empty_class"));
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("empty_class")), r.warnings().toString());
        assertFalse(r.files().stream().anyMatch(f -> f.endsWith(".txt")));
        for (BadFile b : r.badFiles()) {
            assertFalse(b.detail().isBlank(), b.toString());
        }
    }

    @Test
    void linkLoopIsOnlyAProblemWhenFollowingLinks() {
        DataScan.Result r = DataScan.scan(corpus.root(), ScanOptions.quick());
        assertFalse(reported(r).containsValue(BadFileKind.LINK_LOOP), reported(r).toString());
        DataScan.Result follow = DataScan.scan(corpus.root(), ScanOptions.quick().withFollowLinks(true));
        assumeTrue(corpus.hostile().stream().anyMatch(c -> c.expectedKind().equals("LINK_LOOP")),
                "this file system has no symbolic links");
        assertTrue(reported(follow).containsValue(BadFileKind.LINK_LOOP), reported(follow).toString());
    }

    @Test
    void bombIsRefusedFromItsHeaderAndTheLimitIsConfigurable() throws Exception {
        Path bomb = corpus.root().resolve("cats/bomb.png");
        long t0 = System.nanoTime();
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(bomb));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(BadFileKind.TOO_MANY_PIXELS, e.kind());
        assertTrue(e.getMessage().contains("12000x12000") && e.getMessage().contains("maxPixels"), e.getMessage());
        assertTrue(ms < 2_000, "refusal must not decode the pixels; took " + ms + " ms");
        ImageDecodeException small = assertThrows(ImageDecodeException.class,
                () -> ImageDecoder.withMaxPixels(100).read(corpus.root().resolve("cats/good_0.png")));
        assertEquals(BadFileKind.TOO_MANY_PIXELS, small.kind());
        assertTrue(small.getMessage().contains("32x32 = 1024 pixels"), small.getMessage());
        assertTrue(e.getMessage().contains("--max-pixels 144000000 (transfer4j fit, predict, data check; config "
                + "key maxPixels)"), "the options that raise it, with the value this file needs: " + e.getMessage());
        assertFalse(small.getMessage().contains("default limit"), small.getMessage());
    }

    @Test
    void permissionProblemIsReportedWhenNotRoot() {
        assumeTrue(!root, "tests run as root, which can read a file with permissions 000; the UNREADABLE case "
                + "cannot be produced here");
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImageDecoder.decode(corpus.root().resolve("cats/locked.png")));
        assertEquals(BadFileKind.UNREADABLE, e.kind());
    }

    @Test
    void skipPolicyYieldsOnlyGoodFilesAndReportsEachBadOnce() throws Exception {
        FlowOptions o = FlowOptions.builder().targetSize(16, 16).batchSize(4).shuffle(false).build();
        try (DirectoryFlow f = ImagePipeline.of(Normalization.none()).flowFromDirectory(corpus.root(), o)) {
            assertEquals(List.of("cats", "dogs", "empty_class"), f.getLabels());
            Set<String> yielded = new HashSet<>();
            for (int epoch = 0; epoch < 2; epoch++) {
                while (f.hasNext()) {
                    DataSet d = f.next();
                    assertEquals(f.lastBatchFilenames().size(), d.getFeatures().size(0));
                    // each row is its own file's pixels, also in a batch a bad file was dropped from
                    for (int j = 0; j < f.lastBatchFilenames().size(); j++) {
                        String name = f.lastBatchFilenames().get(j);
                        INDArray alone = ImagePipeline.toInput(
                                ImageDecoder.decode(corpus.root().resolve(name)), io.transfer4j.zoo.InputShape.rgb(16, 16),
                                Normalization.none(), Interpolation.NEAREST);
                        assertEquals(alone.get(NDArrayIndex.point(0)), d.getFeatures().get(NDArrayIndex.point(j)), name);
                    }
                    yielded.addAll(f.lastBatchFilenames());
                }
                f.reset();
            }
            assertEquals(readable(), yielded);
            Set<String> left = new HashSet<>();
            f.excludedFiles().forEach(b -> left.add(b.relative()));
            f.skippedFiles().forEach(b -> left.add(b.relative()));
            for (HostileFiles.Case c : applicable(false)) {
                assertTrue(left.contains(c.relative()), c.relative() + " not reported: " + left);
            }
            // the truncated JPEG decodes its header fine and is found while decoding: reported once, not per epoch
            assertEquals(f.skippedFiles().size(), new HashSet<>(f.skippedFiles()).size());
        }
    }

    @Test
    void failPolicyStopsAtTheFirstBadFileNamingIt() {
        FlowOptions o = FlowOptions.builder().targetSize(16, 16).badFiles(BadFilePolicy.FAIL).build();
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> ImagePipeline.of(Normalization.none()).flowFromDirectory(corpus.root(), o));
        assertTrue(e.getMessage().contains("bomb.png") || e.getMessage().contains("cmyk.jpg")
                || e.getMessage().contains("empty.jpg"), e.getMessage());
        assertTrue(e.getMessage().contains("SKIP"), e.getMessage());
    }

    @Test
    void notAnImageMessageSaysWhatWasFound() {
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImageDecoder.decode(corpus.root().resolve("cats/notes.PNG")));
        assertEquals(BadFileKind.NOT_AN_IMAGE, e.kind());
        assertTrue(e.getMessage().contains("'These ar'"), e.getMessage());
    }

    @Test
    void aFifoNamedLikeAnImageIsRefusedWithoutBlocking() throws Exception {
        Path fifo = tmp.resolve("pipe.jpg");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mk.waitFor() == 0 && Files.exists(fifo), "mkfifo is not available here");
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(fifo));
        assertEquals(BadFileKind.NOT_AN_IMAGE, e.kind());
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void cmykJpegIsAClearError() {
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImageDecoder.decode(corpus.root().resolve("cats/cmyk.jpg")));
        assertEquals(BadFileKind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("convert it to RGB"), e.getMessage());
    }
}
