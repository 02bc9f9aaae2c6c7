package io.transfer4j.augmentation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.transfer4j.augmentation.internal.FolderLister;
import io.transfer4j.augmentation.internal.Seeds;

/**
 * A seeded, stratified train/validation/test split of a class-folder directory, written to and read from a JSON
 * manifest so it is reproducible and reviewable. Each class is shuffled with its own generator (derived from the
 * seed and the class name's position) and cut by the ratios with largest-remainder rounding, so every class keeps
 * the ratios as closely as whole files allow, and a part with a ratio above 0 gets at least one file of each class
 * that has enough files. Keras has no equivalent (its {@code validation_split} takes the first files of each class,
 * in name order).
 *
 * @param root       the directory the file paths are relative to
 * @param seed       the seed
 * @param ratios     train, validation, test shares (sum 1)
 * @param classes    class names in index order
 * @param train      training files
 * @param validation validation files
 * @param test       test files
 */
public record DataSplit(Path root, long seed, double[] ratios, List<String> classes, List<Item> train,
                        List<Item> validation, List<Item> test) {

    /** Manifest format version written by this code. */
    public static final int FORMAT_VERSION = 1;

    /** One file: its path relative to the root ({@code /}-separated) and its class name. */
    public record Item(String file, String label) {
    }

    /** The three parts. */
    public enum Part {
        TRAIN, VALIDATION, TEST
    }

    public DataSplit {
        ratios = ratios.clone();
        classes = List.copyOf(classes);
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }

    @Override
    public double[] ratios() {
        return ratios.clone();
    }

    public List<Item> items(Part part) {
        return switch (part) {
            case TRAIN -> train;
            case VALIDATION -> validation;
            case TEST -> test;
        };
    }

    /**
     * Splits {@code dir} (Keras class folders) by the ratios (each >= 0, sum 1 within 1e-6), stratified per class.
     * Listing follows Keras (sorted classes, recursive, image extensions); bad files are not checked here (run
     * {@link DataScan} for that).
     */
    public static DataSplit stratified(Path dir, double train, double val, double test, long seed) {
        double[] r = {train, val, test};
        for (double v : r) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("split ratios must each be in [0, 1]; received "
                        + Arrays.toString(r));
            }
        }
        if (Math.abs(train + val + test - 1) > 1e-6) {
            throw new IllegalArgumentException("split ratios must add up to 1 (e.g. 0.7/0.15/0.15); received "
                    + Arrays.toString(r) + " = " + (train + val + test));
        }
        FolderLister.Listing listing;
        try {
            listing = FolderLister.list(dir, List.of(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list '" + dir + "': " + e.getMessage(), e);
        }
        if (listing.total() == 0) {
            throw new IllegalArgumentException("no images in '" + dir + "': looked for *." + String.join(", *.",
                    FolderLister.EXTENSIONS) + " in the class directories " + listing.classes());
        }
        List<Item> tr = new ArrayList<>();
        List<Item> va = new ArrayList<>();
        List<Item> te = new ArrayList<>();
        for (int c = 0; c < listing.classes().size(); c++) {
            String cls = listing.classes().get(c);
            List<FolderLister.Entry> files = new ArrayList<>(listing.perClass().get(c));
            Collections.shuffle(files, new Random(Seeds.derive(seed, c, -7)));
            int[] counts = counts(files.size(), r);
            int i = 0;
            for (int part = 0; part < 3; part++) {
                List<Item> target = part == 0 ? tr : part == 1 ? va : te;
                for (int k = 0; k < counts[part]; k++, i++) {
                    target.add(new Item(files.get(i).relative(), cls));
                }
            }
        }
        java.util.Comparator<Item> byName = (a, b) -> FolderLister.CODE_POINT_ORDER.compare(a.file(), b.file());
        tr.sort(byName);
        va.sort(byName);
        te.sort(byName);
        return new DataSplit(dir.toAbsolutePath().normalize(), seed, r, listing.classes(), tr, va, te);
    }

    /** Largest-remainder counts; every part with a ratio > 0 gets >= 1 when n allows. */
    static int[] counts(int n, double[] r) {
        int[] c = new int[3];
        double[] rem = new double[3];
        int sum = 0;
        for (int i = 0; i < 3; i++) {
            double exact = r[i] * n;
            c[i] = (int) Math.floor(exact + 1e-9);
            rem[i] = exact - c[i];
            sum += c[i];
        }
        while (sum < n) {
            int best = 0;
            for (int i = 1; i < 3; i++) {
                if (rem[i] > rem[best] + 1e-12) {
                    best = i;
                }
            }
            c[best]++;
            rem[best] = -1;
            sum++;
        }
        // a part asked for but empty takes one file from the largest part, if that leaves it >= 1
        for (int i = 0; i < 3; i++) {
            if (r[i] > 0 && c[i] == 0) {
                int largest = c[0] >= c[1] && c[0] >= c[2] ? 0 : c[1] >= c[2] ? 1 : 2;
                if (c[largest] > 1) {
                    c[largest]--;
                    c[i]++;
                }
            }
        }
        return c;
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** The manifest's JSON shape. */
    record Manifest(int formatVersion, String root, long seed, double[] ratios, List<String> classes,
                    List<Item> train, List<Item> validation, List<Item> test) {
    }

    /** Writes the manifest (temp file beside the target, then an atomic move). */
    public void write(Path manifest) throws IOException {
        Path dir = manifest.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + manifest.getFileName(), ".part");
        try {
            mapper().writeValue(tmp.toFile(), new Manifest(FORMAT_VERSION, root.toString(), seed, ratios, classes,
                    train, validation, test));
            io.transfer4j.augmentation.internal.Images.moveIntoPlace(tmp, manifest);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a manifest written by {@link #write}; refuses newer format versions. */
    public static DataSplit read(Path manifest) throws IOException {
        Manifest m = mapper().readValue(manifest.toFile(), Manifest.class);
        if (m.formatVersion() > FORMAT_VERSION) {
            throw new IOException("split manifest '" + manifest + "' has format version " + m.formatVersion()
                    + "; this transfer4j reads up to " + FORMAT_VERSION + ". Upgrade transfer4j");
        }
        return new DataSplit(Path.of(m.root()), m.seed(), m.ratios(), m.classes(), m.train(), m.validation(),
                m.test());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataSplit d && d.root.equals(root) && d.seed == seed && Arrays.equals(d.ratios, ratios)
                && d.classes.equals(classes) && d.train.equals(train) && d.validation.equals(validation)
                && d.test.equals(test);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(root, seed, Arrays.hashCode(ratios), classes, train, validation, test);
    }

    @Override
    public String toString() {
        return "DataSplit[" + root + ", seed=" + seed + ", train=" + train.size() + ", validation=" + validation.size()
                + ", test=" + test.size() + "]";
    }
}
