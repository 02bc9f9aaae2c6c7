package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistDataTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- IDX

    @Test
    void readsGzippedAndPlainIdxToTheSameContent() throws IOException {
        Path gzImg = MnistFiles.write(dir, "a-images.gz", MnistFiles.gzip(MnistFiles.imagesIdx(2051, 25, 28, 28)));
        Path gzLab = MnistFiles.write(dir, "a-labels.gz", MnistFiles.gzip(MnistFiles.labelsIdx(2049, 25)));
        Path img = MnistFiles.write(dir, "b-images", MnistFiles.imagesIdx(2051, 25, 28, 28));
        Path lab = MnistFiles.write(dir, "b-labels", MnistFiles.labelsIdx(2049, 25));
        MnistData gz = MnistData.readIdx(gzImg, gzLab);
        MnistData plain = MnistData.readIdx(img, lab);
        for (MnistData d : new MnistData[] {gz, plain}) {
            assertEquals(25, d.size());
            assertEquals(28, d.rows());
            assertEquals(28, d.cols());
            for (int i = 0; i < 25; i++) {
                assertEquals(i % 10, d.label(i));
                assertEquals(MnistFiles.pixel(i, 27, 5), d.pixel(i, 27, 5));
                assertEquals(MnistFiles.pixel(i, 0, 27), d.pixel(i, 0, 27));
            }
        }
        float[] scaled = new float[28 * 28];
        gz.copyScaled(3, scaled, 0);
        assertEquals(MnistFiles.pixel(3, 1, 2) / 255f, scaled[28 + 2]);
    }

    @Test
    void nonSquareImagesAreKept() throws IOException {
        MnistData d = MnistData.readIdx(MnistFiles.write(dir, "i", MnistFiles.imagesIdx(2051, 3, 4, 6)),
                MnistFiles.write(dir, "l", MnistFiles.labelsIdx(2049, 3)));
        assertEquals(4, d.rows());
        assertEquals(6, d.cols());
        assertEquals(MnistFiles.pixel(2, 3, 5), d.pixel(2, 3, 5));
    }

    @Test
    void swappedImagesAndLabelsAreNamedAsSuch() throws IOException {
        Path img = MnistFiles.write(dir, "i.gz", MnistFiles.gzip(MnistFiles.imagesIdx(2051, 5, 28, 28)));
        Path lab = MnistFiles.write(dir, "l.gz", MnistFiles.gzip(MnistFiles.labelsIdx(2049, 5)));
        MnistData.FormatException e = assertThrows(MnistData.FormatException.class, () -> MnistData.readIdx(lab, img));
        assertTrue(e.getMessage().contains("0x00000801 (2049)"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 0x00000803"), e.getMessage());
        assertTrue(e.getMessage().contains("swapped"), e.getMessage());
    }

    @Test
    void wrongMagicIsReportedWithWhatWasFoundAndExpected() throws IOException {
        Path img = MnistFiles.write(dir, "i", MnistFiles.imagesIdx(0x00000C03, 5, 28, 28));   // type 0x0C = int
        Path lab = MnistFiles.write(dir, "l", MnistFiles.labelsIdx(2049, 5));
        MnistData.FormatException e = assertThrows(MnistData.FormatException.class, () -> MnistData.readIdx(img, lab));
        assertTrue(e.getMessage().contains("0x00000C03"), e.getMessage());
        assertTrue(e.getMessage().contains(img.toString()), e.getMessage());

        Path png = MnistFiles.write(dir, "x.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0});
        assertThrows(MnistData.FormatException.class, () -> MnistData.readIdx(png, lab));
    }

    @Test
    void truncatedPlainFileSaysHowMuchIsMissing() throws IOException {
        byte[] full = MnistFiles.imagesIdx(2051, 10, 28, 28);
        Path img = MnistFiles.write(dir, "i", Arrays.copyOf(full, full.length - 100));
        Path lab = MnistFiles.write(dir, "l", MnistFiles.labelsIdx(2049, 10));
        MnistData.FormatException e = assertThrows(MnistData.FormatException.class, () -> MnistData.readIdx(img, lab));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("7840 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("only 7740 bytes"), e.getMessage());
    }

    @Test
    void truncatedGzipIsAnError() throws IOException {
        byte[] gz = MnistFiles.gzip(MnistFiles.imagesIdx(2051, 50, 28, 28));
        Path img = MnistFiles.write(dir, "i.gz", Arrays.copyOf(gz, gz.length / 2));
        Path lab = MnistFiles.write(dir, "l", MnistFiles.labelsIdx(2049, 50));
        MnistData.FormatException e = assertThrows(MnistData.FormatException.class, () -> MnistData.readIdx(img, lab));
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("damaged"), e.getMessage());
        assertTrue(e.getMessage().contains("Download it again"), e.getMessage());
    }

    @Test
    void headerCutShortAndEmptyFilesAreErrors() throws IOException {
        Path lab = MnistFiles.write(dir, "l", MnistFiles.labelsIdx(2049, 5));
        Path empty = MnistFiles.write(dir, "empty", new byte[0]);
        MnistData.FormatException e = assertThrows(MnistData.FormatException.class, () -> MnistData.readIdx(empty, lab));
        assertTrue(e.getMessage().contains("ends inside its IDX header"), e.getMessage());
        Path shortHeader = MnistFiles.write(dir, "short", Arrays.copyOf(MnistFiles.imagesIdx(2051, 5, 28, 28), 9));
        e = assertThrows(MnistData.FormatException.class, () -> MnistData.readIdx(shortHeader, lab));
        assertTrue(e.getMessage().contains("row count"), e.getMessage());
    }

    @Test
    void trailingBytesAndZeroDimensionsAreErrors() throws IOException {
        Path lab = MnistFiles.write(dir, "l", MnistFiles.labelsIdx(2049, 5));
        byte[] full = MnistFiles.imagesIdx(2051, 5, 28, 28);
        Path longer = MnistFiles.write(dir, "long", Arrays.copyOf(full, full.length + 3));
        MnistData.FormatException e = assertThrows(MnistData.FormatException.class, () -> MnistData.readIdx(longer, lab));
        assertTrue(e.getMessage().contains("3 bytes after"), e.getMessage());
        Path zero = MnistFiles.write(dir, "zero", MnistFiles.imagesIdx(2051, 5, 0, 28));
        e = assertThrows(MnistData.FormatException.class, () -> MnistData.readIdx(zero, lab));
        assertTrue(e.getMessage().contains("must be positive"), e.getMessage());
    }

    @Test
    void imageAndLabelCountMismatchNamesBothCounts() throws IOException {
        Path img = MnistFiles.write(dir, "i", MnistFiles.imagesIdx(2051, 12, 28, 28));
        Path lab = MnistFiles.write(dir, "l", MnistFiles.labelsIdx(2049, 11));
        MnistData.FormatException e = assertThrows(MnistData.FormatException.class, () -> MnistData.readIdx(img, lab));
        assertTrue(e.getMessage().contains("12 images"), e.getMessage());
        assertTrue(e.getMessage().contains("11 labels"), e.getMessage());
    }

    @Test
    void labelOutOfRangeIsAnError() throws IOException {
        byte[] labels = MnistFiles.labelsIdx(2049, 5);
        labels[8 + 3] = 10;
        Path img = MnistFiles.write(dir, "i", MnistFiles.imagesIdx(2051, 5, 28, 28));
        Path lab = MnistFiles.write(dir, "l", labels);
        MnistData.FormatException e = assertThrows(MnistData.FormatException.class, () -> MnistData.readIdx(img, lab));
        assertTrue(e.getMessage().contains("label 10 at position 3"), e.getMessage());
    }

    // ---------------------------------------------------------------- Kaggle CSV

    @Test
    void readsKaggleCsvWithAndWithoutHeader() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 13; i++) {
            body.append(MnistFiles.csvLine(i, 28, 28)).append(i % 2 == 0 ? "\n" : "\r\n");
        }
        StringBuilder header = new StringBuilder("label");
        for (int p = 1; p <= 784; p++) {
            header.append(",pixel").append(p);
        }
        Path plain = Files.writeString(dir.resolve("mnist_train.csv"), body);
        Path withHeader = Files.writeString(dir.resolve("fashion-mnist_train.csv"), header + "\n" + body);
        for (Path p : new Path[] {plain, withHeader}) {
            MnistData d = MnistData.readKaggleCsv(p);
            assertEquals(13, d.size());
            assertEquals(28, d.rows());
            for (int i = 0; i < 13; i++) {
                assertEquals(i % 10, d.label(i));
                assertEquals(MnistFiles.pixel(i, 13, 17), d.pixel(i, 13, 17));
            }
        }
    }

    @Test
    void kaggleCsvBadContentIsReportedWithLineAndColumn() throws IOException {
        String good = MnistFiles.csvLine(0, 28, 28);
        Path bigPixel = Files.writeString(dir.resolve("a.csv"), good + "\n" + good.replaceFirst(",0,0,", ",0,256,") + "\n");
        MnistData.FormatException e = assertThrows(MnistData.FormatException.class, () -> MnistData.readKaggleCsv(bigPixel));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("256"), e.getMessage());

        Path shortLine = Files.writeString(dir.resolve("b.csv"), good + "\n" + good.substring(0, good.lastIndexOf(',')) + "\n");
        e = assertThrows(MnistData.FormatException.class, () -> MnistData.readKaggleCsv(shortLine));
        assertTrue(e.getMessage().contains("line 2 has 784 columns"), e.getMessage());

        Path letters = Files.writeString(dir.resolve("c.csv"), good.replaceFirst(",0,0,", ",0,x,") + "\n");
        e = assertThrows(MnistData.FormatException.class, () -> MnistData.readKaggleCsv(letters));
        assertTrue(e.getMessage().contains("unexpected character 'x'"), e.getMessage());

        Path noLabel = Files.writeString(dir.resolve("d.csv"), good.substring(good.indexOf(',') + 1) + "\n");
        e = assertThrows(MnistData.FormatException.class, () -> MnistData.readKaggleCsv(noLabel));
        assertTrue(e.getMessage().contains("784 columns means no label column"), e.getMessage());

        Path badLabel = Files.writeString(dir.resolve("e.csv"), "12" + good.substring(1) + "\n");
        e = assertThrows(MnistData.FormatException.class, () -> MnistData.readKaggleCsv(badLabel));
        assertTrue(e.getMessage().contains("label 12"), e.getMessage());

        Path unlabelledHeader = Files.writeString(dir.resolve("f.csv"), "pixel0,pixel1\n1,2\n");
        e = assertThrows(MnistData.FormatException.class, () -> MnistData.readKaggleCsv(unlabelledHeader));
        assertTrue(e.getMessage().contains("label first"), e.getMessage());

        Path empty = Files.writeString(dir.resolve("g.csv"), "\n\n");
        e = assertThrows(MnistData.FormatException.class, () -> MnistData.readKaggleCsv(empty));
        assertTrue(e.getMessage().contains("is empty"), e.getMessage());
    }

    // ---------------------------------------------------------------- directory lookup

    @Test
    void readFindsTheIdxPartsOfADirectory() throws IOException {
        MnistFiles.writeTrainPair(dir, "train", 30);
        MnistFiles.writeTrainPair(dir, "t10k", 20);
        assertEquals(30, MnistData.read(dir, MnistData.Part.TRAIN).size());
        assertEquals(20, MnistData.read(dir, MnistData.Part.TEST).size());
    }

    @Test
    void readFallsBackToKaggleCsvAndAcceptsACsvFile() throws IOException {
        Path csv = Files.writeString(dir.resolve("fashion-mnist_test.csv"),
                MnistFiles.csvLine(0, 28, 28) + "\n" + MnistFiles.csvLine(1, 28, 28) + "\n");
        assertEquals(2, MnistData.read(dir, MnistData.Part.TEST).size());
        assertEquals(2, MnistData.read(csv, MnistData.Part.TRAIN).size());
    }

    @Test
    void readOnAnEmptyOrMissingDirectoryListsWhatItLookedFor() throws IOException {
        java.io.FileNotFoundException e = assertThrows(java.io.FileNotFoundException.class, () -> MnistData.read(dir, MnistData.Part.TRAIN));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("mnist_train.csv"), e.getMessage());
        MnistFiles.write(dir, "train-images-idx3-ubyte.gz", MnistFiles.gzip(MnistFiles.imagesIdx(2051, 2, 28, 28)));
        e = assertThrows(java.io.FileNotFoundException.class, () -> MnistData.read(dir, MnistData.Part.TRAIN));
        assertTrue(e.getMessage().contains("but not its labels file"), e.getMessage());
        assertThrows(java.io.FileNotFoundException.class, () -> MnistData.read(dir.resolve("nope"), MnistData.Part.TRAIN));
    }

    // ---------------------------------------------------------------- split

    @Test
    void splitIsStratifiedSeededDisjointAndComplete() throws IOException {
        MnistFiles.writeTrainPair(dir, "train", 1000);
        MnistData d = MnistData.read(dir, MnistData.Part.TRAIN);
        MnistData.Split s = d.split(0.3, 42);
        assertEquals(700, s.train().size());
        assertEquals(300, s.validation().size());
        int[] valCounts = s.validation().classCounts();
        for (int c = 0; c < 10; c++) {
            assertEquals(30, valCounts[c], "class " + c);
        }
        Set<Integer> seen = new HashSet<>();
        for (MnistData part : new MnistData[] {s.train(), s.validation()}) {
            for (int i = 0; i < part.size(); i++) {
                int id = MnistFiles.id(part, i);
                assertTrue(seen.add(id), "image " + id + " appears twice");
            }
        }
        assertEquals(1000, seen.size());
        assertEquals(ids(s.validation()), ids(d.split(0.3, 42).validation()));
        assertNotEquals(ids(s.validation()), ids(d.split(0.3, 43).validation()));
        assertThrows(IllegalArgumentException.class, () -> d.split(1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> d.split(0, 1));
        assertThrows(IllegalArgumentException.class, () -> d.first(20).split(0.01, 1));
    }

    private static java.util.List<Integer> ids(MnistData d) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            out.add(MnistFiles.id(d, i));
        }
        return out;
    }

    // ---------------------------------------------------------------- the real files

    @Test
    void realMnistFilesReadCompletelyAndMatchThePublishedChecksum() throws Exception {
        Path mnist = MnistFiles.sharedDatasets().resolve("mnist");
        assumeTrue(Files.isRegularFile(mnist.resolve("train-images-idx3-ubyte.gz")),
                "real MNIST not present at " + mnist + " (see ../shared/datasets/mnist.SOURCE.md); skipping");
        MnistData train = MnistData.read(mnist, MnistData.Part.TRAIN);
        MnistData test = MnistData.read(mnist, MnistData.Part.TEST);
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertEquals(28, train.rows());
        assertEquals(5, train.label(0));
        assertEquals(7, test.label(0));
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, train.classCounts());
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, test.classCounts());
        // rebuild the uncompressed IDX bytes from what was read: sha256 published for the original file
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(new byte[] {0, 0, 8, 3, 0, 0, (byte) 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28});
        byte[] row = new byte[28 * 28];
        for (int i = 0; i < train.size(); i++) {
            for (int k = 0; k < row.length; k++) {
                row[k] = (byte) train.pixel(i, k / 28, k % 28);
            }
            sha.update(row);
        }
        assertEquals("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                HexFormat.of().formatHex(sha.digest()));
    }
}
