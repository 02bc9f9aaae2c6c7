package io.transfer4j.augmentation;

import java.util.List;

/**
 * What {@link DataScan} looks at.
 *
 * @param classes         explicit classes in index order (empty = sorted sub-directories)
 * @param subset          which files to list
 * @param validationSplit needed for {@link Subset#TRAINING} / {@link Subset#VALIDATION}; the same share and check
 *                        as {@link AugmentOptions#validationSplit()}, which a flow of the same folder would use
 * @param followLinks     descend into directory links (loops are reported)
 * @param maxPixels       decompression-bomb limit
 * @param decode          true: decode every file completely (finds truncated data; what {@code data check} does);
 *                        false: header only (fast)
 */
public record ScanOptions(List<String> classes, Subset subset, double validationSplit, boolean followLinks,
                          long maxPixels, boolean decode) {
    public ScanOptions {
        classes = List.copyOf(classes == null ? List.of() : classes);
        if (subset == null) {
            throw new IllegalArgumentException("subset must be ALL, TRAINING or VALIDATION");
        }
        AugmentOptions.checkValidationSplit(validationSplit);
        if (subset != Subset.ALL && validationSplit == 0) {
            throw new IllegalArgumentException("subset " + subset.name().toLowerCase()
                    + " needs a validation split in (0, 1), e.g. 0.2; received 0");
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1; received " + maxPixels);
        }
    }

    /** Every file, header checks only. */
    public static ScanOptions quick() {
        return new ScanOptions(List.of(), Subset.ALL, 0, false, ImageDecoder.DEFAULT_MAX_PIXELS, false);
    }

    /** Every file, fully decoded. */
    public static ScanOptions thorough() {
        return new ScanOptions(List.of(), Subset.ALL, 0, false, ImageDecoder.DEFAULT_MAX_PIXELS, true);
    }

    public ScanOptions withSubset(Subset s, double split) {
        return new ScanOptions(classes, s, split, followLinks, maxPixels, decode);
    }

    public ScanOptions withClasses(List<String> c) {
        return new ScanOptions(c, subset, validationSplit, followLinks, maxPixels, decode);
    }

    public ScanOptions withFollowLinks(boolean f) {
        return new ScanOptions(classes, subset, validationSplit, f, maxPixels, decode);
    }

    public ScanOptions withMaxPixels(long m) {
        return new ScanOptions(classes, subset, validationSplit, followLinks, m, decode);
    }
}
