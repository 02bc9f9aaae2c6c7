package io.transfer4j.augmentation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;

/**
 * An MNIST-style data set in memory: grayscale images of one size with class labels 0..9, as read from the IDX
 * files (gzipped or plain) or the Kaggle CSV layout. Immutable; {@link #subset} and {@link #split} are views
 * that share the pixel storage.
 *
 * <pre>{@code
 * MnistData train = MnistData.read(Path.of("../shared/datasets/mnist"), MnistData.Part.TRAIN);
 * MnistData.Split s = train.split(0.3, 42);          // stratified, seeded
 * MnistFlow flow = MnistFlow.builder(s.train()).batchSize(512).seed(42).build();
 * }</pre>
 */
public final class MnistData {

    /** MNIST and Fashion-MNIST both have ten classes, labelled 0..9. */
    public static final int NUM_CLASSES = 10;

    /** Which half of the data set a directory lookup returns. */
    public enum Part {
        TRAIN("train", "train"), TEST("t10k", "test");

        private final String idxPrefix;
        private final String csvSuffix;

        Part(String idxPrefix, String csvSuffix) {
            this.idxPrefix = idxPrefix;
            this.csvSuffix = csvSuffix;
        }
    }

    /** A file that is not valid MNIST IDX / Kaggle CSV content; the message says what and how to fix it. */
    public static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        public FormatException(String message) {
            super(message);
        }

        public FormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A training/validation split of one data set. */
    public record Split(MnistData train, MnistData validation) {
    }

    private final String source;
    private final int rows;
    private final int cols;
    private final byte[] pixels;
    private final byte[] labels;
    /** Positions into {@link #labels} (and blocks of {@link #pixels}) that make up this view. */
    private final int[] index;

    private MnistData(String source, int rows, int cols, byte[] pixels, byte[] labels, int[] index) {
        this.source = source;
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
        this.labels = labels;
        this.index = index;
    }

    /**
     * Reads an images file and a labels file in IDX format (gzip detected from the content). Checks magic
     * numbers, dimensions, truncation, that both files hold the same number of items and that labels are 0..9.
     */
    public static MnistData readIdx(Path images, Path labels) throws IOException {
        IdxReader.Images img = IdxReader.readImages(images);
        byte[] lab = IdxReader.readLabels(labels);
        if (img.count() != lab.length) {
            throw new FormatException("Image and label counts differ: " + images + " holds " + img.count() + " images, "
                    + labels + " holds " + lab.length + " labels. Use the images and labels file of the same part "
                    + "(train-* with train-*, t10k-* with t10k-*).");
        }
        checkLabels(labels, lab);
        return new MnistData(images.getFileName() + " + " + labels.getFileName(), img.rows(), img.cols(), img.pixels(),
                lab, identity(lab.length));
    }

    /** Reads the Kaggle CSV layout: one image per line, label first, then the pixels 0..255; optional header. */
    public static MnistData readKaggleCsv(Path csv) throws IOException {
        KaggleCsv.Parsed p = KaggleCsv.read(csv);
        checkLabels(csv, p.labels());
        return new MnistData(csv.getFileName().toString(), p.rows(), p.cols(), p.pixels(), p.labels(), identity(p.count()));
    }

    /**
     * Reads one part of a data set from {@code location}: a Kaggle {@code .csv} file (the part is then ignored), or
     * a directory holding either the IDX files ({@code train-images-idx3-ubyte[.gz]},
     * {@code train-labels-idx1-ubyte[.gz]}, {@code t10k-...}; also with a '.' before {@code idx}) or the Kaggle
     * CSV files ({@code mnist_train.csv}, {@code fashion-mnist_train.csv}, {@code ..._test.csv}).
     */
    public static MnistData read(Path location, Part part) throws IOException {
        if (Files.isRegularFile(location)) {
            if (location.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
                return readKaggleCsv(location);
            }
            throw new IllegalArgumentException("Cannot read MNIST data from the file " + location
                    + ": pass a directory holding the IDX files, or a Kaggle .csv file.");
        }
        if (!Files.isDirectory(location)) {
            throw new java.io.FileNotFoundException(location + ": no such directory or file (expected a directory with MNIST/Fashion-MNIST IDX files or a Kaggle .csv)");
        }
        List<String> looked = new ArrayList<>();
        Path images = findFirst(location, looked, idxNames(part.idxPrefix, "images", 3));
        Path labels = findFirst(location, looked, idxNames(part.idxPrefix, "labels", 1));
        if (images != null && labels != null) {
            return readIdx(images, labels);
        }
        Path csv = findFirst(location, looked, List.of("mnist_" + part.csvSuffix + ".csv",
                "fashion-mnist_" + part.csvSuffix + ".csv", part.csvSuffix + ".csv"));
        if (csv != null) {
            return readKaggleCsv(csv);
        }
        if (images != null || labels != null) {
            throw new java.io.FileNotFoundException(location + ": found "
                    + (images != null ? images.getFileName() : labels.getFileName()) + " but not its "
                    + (images != null ? "labels" : "images") + " file; looked for " + String.join(", ", looked));
        }
        throw new java.io.FileNotFoundException(location + ": no " + part.name().toLowerCase(Locale.ROOT)
                + " data found; looked for " + String.join(", ", looked)
                + ". Download the IDX files (e.g. from https://github.com/zalandoresearch/fashion-mnist) into it.");
    }

    private static List<String> idxNames(String prefix, String kind, int dims) {
        String base1 = prefix + "-" + kind + "-idx" + dims + "-ubyte";
        String base2 = prefix + "-" + kind + ".idx" + dims + "-ubyte";
        return List.of(base1 + ".gz", base1, base2 + ".gz", base2);
    }

    private static Path findFirst(Path dir, List<String> looked, List<String> names) {
        for (String n : names) {
            looked.add(n);
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static void checkLabels(Path file, byte[] labels) throws FormatException {
        for (int i = 0; i < labels.length; i++) {
            int v = labels[i] & 0xff;
            if (v >= NUM_CLASSES) {
                throw new FormatException(file + ": label " + v + " at position " + i + " is out of range; MNIST and "
                        + "Fashion-MNIST labels are 0.." + (NUM_CLASSES - 1) + ".");
            }
        }
    }

    private static int[] identity(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /** Number of images. */
    public int size() {
        return index.length;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Where the data came from (file names), for logs and metrics. */
    public String source() {
        return source;
    }

    /** Label 0..9 of image {@code i}. */
    public int label(int i) {
        return labels[index[Objects.checkIndex(i, index.length)]];
    }

    /** Pixel {@code (r, c)} of image {@code i} as an unsigned value 0..255. */
    public int pixel(int i, int r, int c) {
        Objects.checkIndex(r, rows);
        Objects.checkIndex(c, cols);
        return pixels[index[Objects.checkIndex(i, index.length)] * rows * cols + r * cols + c] & 0xff;
    }

    /** Writes image {@code i}, scaled to [0, 1] (pixel / 255), row-major into {@code dst} from {@code offset}. */
    public void copyScaled(int i, float[] dst, int offset) {
        int n = rows * cols;
        int base = index[Objects.checkIndex(i, index.length)] * n;
        for (int k = 0; k < n; k++) {
            dst[offset + k] = (pixels[base + k] & 0xff) / 255f;
        }
    }

    /** Number of images of each class 0..9. */
    public int[] classCounts() {
        int[] counts = new int[NUM_CLASSES];
        for (int i : index) {
            counts[labels[i]]++;
        }
        return counts;
    }

    /** The images at the given positions of this data set, in that order (a view, no pixels are copied). */
    public MnistData subset(int[] positions) {
        int[] idx = new int[positions.length];
        for (int k = 0; k < positions.length; k++) {
            idx[k] = index[Objects.checkIndex(positions[k], index.length)];
        }
        return new MnistData(source, rows, cols, pixels, labels, idx);
    }

    /** The first {@code n} images (or all when there are fewer). */
    public MnistData first(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0; received " + n);
        }
        return new MnistData(source, rows, cols, pixels, labels, Arrays.copyOf(index, Math.min(n, index.length)));
    }

    /**
     * A seeded, stratified split: from each class, {@code round(count * validationFraction)} images, chosen by a
     * shuffle seeded with {@code seed}, go to validation, the rest to training; both keep the original order.
     * Keras tutorials use scikit-learn's {@code train_test_split(test_size=0.3, random_state=42)}, which is not
     * stratified; stratifying keeps the class balance of small subsets (same seed, same split).
     */
    public Split split(double validationFraction, long seed) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validationFraction must be in (0, 1); received " + validationFraction);
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < NUM_CLASSES; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int k = 0; k < index.length; k++) {
            byClass.get(labels[index[k]]).add(k);
        }
        boolean[] toValidation = new boolean[index.length];
        Random rng = new Random(seed);
        for (List<Integer> members : byClass) {
            List<Integer> shuffled = new ArrayList<>(members);
            java.util.Collections.shuffle(shuffled, rng);
            long take = Math.round(members.size() * validationFraction);
            for (int k = 0; k < take; k++) {
                toValidation[shuffled.get(k)] = true;
            }
        }
        int nVal = 0;
        for (boolean b : toValidation) {
            nVal += b ? 1 : 0;
        }
        if (nVal == 0 || nVal == index.length) {
            throw new IllegalArgumentException("A validation fraction of " + validationFraction + " of " + index.length
                    + " images leaves " + (nVal == 0 ? "no validation" : "no training") + " images; use more data or another fraction.");
        }
        int[] train = new int[index.length - nVal];
        int[] val = new int[nVal];
        int t = 0;
        int v = 0;
        for (int k = 0; k < index.length; k++) {
            if (toValidation[k]) {
                val[v++] = k;
            } else {
                train[t++] = k;
            }
        }
        return new Split(subset(train), subset(val));
    }

    @Override
    public String toString() {
        return "MnistData[" + size() + " images " + rows + "x" + cols + " from " + source + "]";
    }
}
