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
 * @param groupedBy  for a {@link #grouped group-aware split}, what the groups came from ({@link GroupKey#describe()});
 *                   null for a per-file split
 * @param excluded   files left out of a group-aware split because they have no group, with the reason
 */
public record DataSplit(Path root, long seed, double[] ratios, List<String> classes, List<Item> train,
                        List<Item> validation, List<Item> test, String groupedBy, List<Excluded> excluded) {

    /** Manifest format version written by this code. */
    public static final int FORMAT_VERSION = 1;

    /**
     * One file: its path relative to the root ({@code /}-separated), its class name and, in a group-aware split,
     * the {@link GroupKey#hash hash} of its group (never the value itself).
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record Item(String file, String label, String group) {
        public Item(String file, String label) {
            this(file, label, null);
        }
    }

    /**
     * A file left out of the split, and why: a group-aware split's file without a group (e.g. "DICOM attribute
     * 0010,0020 is missing or empty"), or a file that cannot be decoded ({@link #without}).
     */
    public record Excluded(String file, String reason) {
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
        excluded = excluded == null ? List.of() : List.copyOf(excluded);
    }

    /** A per-file split (no groups). */
    public DataSplit(Path root, long seed, double[] ratios, List<String> classes, List<Item> train,
                     List<Item> validation, List<Item> test) {
        this(root, seed, ratios, classes, train, validation, test, null, List.of());
    }

    @Override
    public double[] ratios() {
        return ratios.clone();
    }

    /**
     * This split without {@code unusable} files (e.g. the bad files of a {@link DataScan}, keyed by their path
     * relative to the root, with the reason), which join {@link #excluded()}; the parts keep their other files.
     * Counts then say how many images will really be used.
     */
    public DataSplit without(java.util.Map<String, String> unusable) {
        if (unusable.isEmpty()) {
            return this;
        }
        List<Excluded> left = new ArrayList<>(excluded);
        java.util.Set<String> listed = new java.util.HashSet<>();
        for (Part part : Part.values()) {
            for (Item i : items(part)) {
                if (unusable.containsKey(i.file()) && listed.add(i.file())) {
                    left.add(new Excluded(i.file(), unusable.get(i.file())));
                }
            }
        }
        java.util.function.Function<List<Item>, List<Item>> keep = items -> items.stream()
                .filter(i -> !unusable.containsKey(i.file())).toList();
        return new DataSplit(root, seed, ratios, classes, keep.apply(train), keep.apply(validation),
                keep.apply(test), groupedBy, left);
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
        double[] r = checkRatios(train, val, test);
        FolderLister.Listing listing = list(dir);
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
        sortByName(tr, va, te);
        return new DataSplit(dir.toAbsolutePath().normalize(), seed, r, listing.classes(), tr, va, te);
    }

    /**
     * A group-aware split: every file of a group (e.g. every image of a patient) lands in the same part, so test
     * images never share a patient with training images. Groups come from {@code key} (a DICOM attribute such as
     * PatientID, a regular expression on the path, or a CSV column); they are used in memory and stored hashed.
     * Each group counts for its majority class; per class, the groups are shuffled with the seed and each goes to
     * the part furthest below its share of that class's files, so parts are stratified as far as whole groups
     * allow. Files without a group are left out and listed in {@link #excluded()} (an error when no file has one).
     */
    public static DataSplit grouped(Path dir, double train, double val, double test, long seed, GroupKey key) {
        double[] r = checkRatios(train, val, test);
        java.util.Objects.requireNonNull(key, "key");
        FolderLister.Listing listing = list(dir);
        Path root = dir.toAbsolutePath().normalize();
        GroupKey.Resolver resolver = new GroupKey.Resolver(key, root);
        List<FolderLister.Entry> all = new ArrayList<>();
        listing.perClass().forEach(all::addAll);
        String[] groups = new String[all.size()];
        String[] reasons = new String[all.size()];
        java.util.stream.IntStream.range(0, all.size()).parallel().forEach(i -> {
            String[] why = new String[1];
            String g = resolver.group(all.get(i).relative(), why);
            groups[i] = g == null ? null : GroupKey.hash(g);
            reasons[i] = why[0];
        });
        List<Excluded> excluded = new ArrayList<>();
        java.util.Map<String, List<FolderLister.Entry>> byGroup = new java.util.TreeMap<>();
        for (int i = 0; i < all.size(); i++) {
            if (groups[i] == null) {
                excluded.add(new Excluded(all.get(i).relative(), reasons[i]));
            } else {
                byGroup.computeIfAbsent(groups[i], g -> new ArrayList<>()).add(all.get(i));
            }
        }
        if (byGroup.isEmpty()) {
            throw new IllegalArgumentException("no file in '" + dir + "' has a group by " + key.describe() + " ("
                    + all.size() + " files; e.g. " + excluded.get(0).file() + ": " + excluded.get(0).reason()
                    + "); choose another group key (dicom:gggg,eeee, path:REGEX or csv:FILE#FILECOLUMN#GROUPCOLUMN)");
        }
        int nClasses = listing.classes().size();
        List<List<String>> groupsOfClass = new ArrayList<>();
        int[] filesOfClass = new int[nClasses];
        for (int c = 0; c < nClasses; c++) {
            groupsOfClass.add(new ArrayList<>());
        }
        for (java.util.Map.Entry<String, List<FolderLister.Entry>> e : byGroup.entrySet()) {
            int[] votes = new int[nClasses];
            e.getValue().forEach(f -> votes[f.label()]++);
            int major = 0;
            for (int c = 1; c < nClasses; c++) {
                if (votes[c] > votes[major]) {
                    major = c;
                }
            }
            groupsOfClass.get(major).add(e.getKey());
            filesOfClass[major] += e.getValue().size();
        }
        List<Item> tr = new ArrayList<>();
        List<Item> va = new ArrayList<>();
        List<Item> te = new ArrayList<>();
        for (int c = 0; c < nClasses; c++) {
            List<String> gs = groupsOfClass.get(c);
            Collections.shuffle(gs, new Random(Seeds.derive(seed, c, -11)));
            int[] target = counts(filesOfClass[c], r);
            int[] have = new int[3];
            for (String g : gs) {
                int best = -1;
                for (int p = 0; p < 3; p++) {
                    if (r[p] > 0 && (best < 0 || target[p] - have[p] > target[best] - have[best])) {
                        best = p;
                    }
                }
                List<Item> part = best == 0 ? tr : best == 1 ? va : te;
                for (FolderLister.Entry f : byGroup.get(g)) {
                    part.add(new Item(f.relative(), listing.classes().get(f.label()), g));
                    have[best]++;
                }
            }
        }
        sortByName(tr, va, te);
        excluded.sort((a, b) -> FolderLister.CODE_POINT_ORDER.compare(a.file(), b.file()));
        return new DataSplit(root, seed, r, listing.classes(), tr, va, te, key.describe(), excluded);
    }

    private static void sortByName(List<Item> tr, List<Item> va, List<Item> te) {
        java.util.Comparator<Item> byName = (a, b) -> FolderLister.CODE_POINT_ORDER.compare(a.file(), b.file());
        tr.sort(byName);
        va.sort(byName);
        te.sort(byName);
    }

    private static double[] checkRatios(double train, double val, double test) {
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
        return r;
    }

    private static FolderLister.Listing list(Path dir) {
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
        return listing;
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

    /**
     * What {@code data check} warns about in an existing split: a group (a patient) with files in two parts, and
     * near-identical images in two parts (a 64-bit difference hash of the decoded, windowed image, Hamming
     * distance <= {@code maxHashDistance}). Groups are the split's own; a per-file split of DICOM files is checked
     * by PatientID (read in memory, reported hashed). Messages name files and group hashes, never group values.
     */
    public List<String> leaks(ImageDecoder decoder, int maxHashDistance) {
        List<String> out = new ArrayList<>();
        Part[] parts = Part.values();
        java.util.Map<String, java.util.EnumMap<Part, List<String>>> byGroup = new java.util.TreeMap<>();
        GroupKey.Resolver patients = groupedBy == null ? new GroupKey.Resolver(GroupKey.patientId(), root) : null;
        for (Part p : parts) {
            for (Item it : items(p)) {
                String g = it.group();
                if (g == null && patients != null) {
                    String v = patients.group(it.file(), new String[1]);
                    g = v == null ? null : GroupKey.hash(v);
                }
                if (g != null) {
                    byGroup.computeIfAbsent(g, k -> new java.util.EnumMap<>(Part.class))
                            .computeIfAbsent(p, k -> new ArrayList<>()).add(it.file());
                }
            }
        }
        byGroup.forEach((g, where) -> {
            if (where.size() > 1) {
                StringBuilder sb = new StringBuilder("group " + g + " (" + (groupedBy == null ? "dicom:0010,0020"
                        : groupedBy) + ", hashed) is in " + where.size() + " parts:");
                where.forEach((p, files) -> sb.append(' ').append(p.name().toLowerCase(java.util.Locale.ROOT))
                        .append(' ').append(files.size() > 3 ? files.subList(0, 3) + "..." : files));
                out.add(sb.append("; split by group (data split --group patient) so no patient is on two sides")
                        .toString());
            }
        });
        long[][] hashes = new long[3][];
        for (Part p : parts) {
            List<Item> items = items(p);
            long[] h = new long[items.size()];
            java.util.stream.IntStream.range(0, items.size()).parallel().forEach(i -> {
                try {
                    h[i] = io.transfer4j.augmentation.internal.Images.differenceHash(
                            decoder.read(root.resolve(items.get(i).file())));
                } catch (ImageDecodeException e) {
                    h[i] = 0; // unreadable: data check reports it as a bad file
                }
            });
            hashes[p.ordinal()] = h;
        }
        for (int a = 0; a < 3; a++) {
            for (int b = a + 1; b < 3; b++) {
                for (int i = 0; i < hashes[a].length; i++) {
                    for (int j = 0; j < hashes[b].length; j++) {
                        long x = hashes[a][i];
                        long y = hashes[b][j];
                        if (x != 0 && y != 0 && Long.bitCount(x ^ y) <= maxHashDistance) {
                            out.add("near-identical images in " + parts[a].name().toLowerCase(java.util.Locale.ROOT)
                                    + " and " + parts[b].name().toLowerCase(java.util.Locale.ROOT) + ": "
                                    + items(parts[a]).get(i).file() + " and " + items(parts[b]).get(j).file()
                                    + " (hash distance " + Long.bitCount(x ^ y) + " of 64); keep copies of one "
                                    + "image on one side");
                        }
                    }
                }
            }
        }
        return out;
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** The manifest's JSON shape. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
    record Manifest(int formatVersion, String root, long seed, double[] ratios, List<String> classes,
                    List<Item> train, List<Item> validation, List<Item> test, String groupedBy,
                    List<Excluded> excluded) {
    }

    /** Writes the manifest (temp file beside the target, then an atomic move). */
    public void write(Path manifest) throws IOException {
        Path dir = manifest.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + manifest.getFileName(), ".part");
        try {
            mapper().writeValue(tmp.toFile(), new Manifest(FORMAT_VERSION, root.toString(), seed, ratios, classes,
                    train, validation, test, groupedBy, excluded));
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
        // the manifest omits empty lists (NON_EMPTY): a split without a test part has no "test" key
        return new DataSplit(Path.of(m.root()), m.seed(), m.ratios(), m.classes(), orEmpty(m.train()),
                orEmpty(m.validation()), orEmpty(m.test()), m.groupedBy(), m.excluded());
    }

    private static <T> List<T> orEmpty(List<T> items) {
        return items == null ? List.of() : items;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataSplit d && d.root.equals(root) && d.seed == seed && Arrays.equals(d.ratios, ratios)
                && d.classes.equals(classes) && d.train.equals(train) && d.validation.equals(validation)
                && d.test.equals(test) && java.util.Objects.equals(d.groupedBy, groupedBy)
                && d.excluded.equals(excluded);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(root, seed, Arrays.hashCode(ratios), classes, train, validation, test,
                groupedBy, excluded);
    }

    @Override
    public String toString() {
        return "DataSplit[" + root + ", seed=" + seed + ", train=" + train.size() + ", validation=" + validation.size()
                + ", test=" + test.size() + "]";
    }
}
