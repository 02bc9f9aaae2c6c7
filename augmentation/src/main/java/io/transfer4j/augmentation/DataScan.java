package io.transfer4j.augmentation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.transfer4j.augmentation.internal.FolderLister;

/**
 * A pre-flight look at an image folder with Keras' semantics: the classes and their indices, how many usable
 * files each class has in the chosen subset, the files in the order a non-shuffled flow yields them, and every bad
 * file with its reason (what {@code transfer4j data scan} and {@code data check} print).
 */
public final class DataScan {
    private DataScan() {
    }

    /**
     * The scan's findings.
     *
     * @param root         the scanned directory
     * @param classIndices class name -> index
     * @param counts       usable files per class (in the subset)
     * @param files        usable files, relative, in the order a non-shuffled flow yields them
     * @param labels       class index of each file
     * @param badFiles     files that cannot be used, with reasons
     * @param warnings     e.g. empty class directories
     * @param extensions   the extensions looked for
     */
    public record Result(Path root, Map<String, Integer> classIndices, Map<String, Integer> counts,
                         List<String> files, List<Integer> labels, List<BadFile> badFiles, List<String> warnings,
                         List<String> extensions) {
        public Result {
            classIndices = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(classIndices));
            counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
            files = List.copyOf(files);
            labels = List.copyOf(labels);
            badFiles = List.copyOf(badFiles);
            warnings = List.copyOf(warnings);
            extensions = List.copyOf(extensions);
        }

        /** True when no bad file was found. */
        public boolean clean() {
            return badFiles.isEmpty();
        }
    }

    /**
     * Scans {@code dir}. A missing directory, no class directories or no image files at all are errors
     * (IllegalArgumentException naming the directory and the extensions looked for); bad files are results.
     */
    public static Result scan(Path dir, ScanOptions options) {
        FolderLister.Listing listing = FolderLister.listImages(dir, options.classes(), options.followLinks(),
                "expected one sub-directory per class holding *." + String.join(", *.", FolderLister.EXTENSIONS));
        List<FolderLister.Entry> entries = listing.subset(options.subset() == Subset.VALIDATION,
                options.validationSplit(), options.subset() == Subset.ALL);
        ImageDecoder decoder = ImageDecoder.withMaxPixels(options.maxPixels());
        BadFile[] bad = new BadFile[entries.size()];
        IntStream.range(0, entries.size()).parallel().forEach(i -> {
            FolderLister.Entry e = entries.get(i);
            try {
                if (options.decode()) {
                    decoder.read(e.path());
                } else {
                    decoder.probe(e.path());
                }
            } catch (ImageDecodeException ex) {
                bad[i] = new BadFile(e.path(), e.relative(), ex.kind(), ex.detail());
            } catch (RuntimeException | OutOfMemoryError ex) {
                bad[i] = new BadFile(e.path(), e.relative(), BadFileKind.CORRUPT, "decoder failed: " + ex);
            }
        });
        Map<String, Integer> indices = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int c = 0; c < listing.classes().size(); c++) {
            indices.put(listing.classes().get(c), c);
            counts.put(listing.classes().get(c), 0);
        }
        List<String> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<BadFile> badFiles = new ArrayList<>(listing.problems());
        for (int i = 0; i < entries.size(); i++) {
            if (bad[i] != null) {
                badFiles.add(bad[i]);
                continue;
            }
            FolderLister.Entry e = entries.get(i);
            files.add(e.relative());
            labels.add(e.label());
            counts.merge(listing.classes().get(e.label()), 1, Integer::sum);
        }
        return new Result(dir, indices, counts, files, labels, badFiles, listing.warnings(), FolderLister.EXTENSIONS);
    }
}
