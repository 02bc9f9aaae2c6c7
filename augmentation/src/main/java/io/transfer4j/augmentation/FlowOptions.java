package io.transfer4j.augmentation;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Keras {@code flow_from_directory} arguments, with Keras' defaults unless stated.
 *
 * @param targetHeight    rows of every yielded image (Keras {@code target_size[0]}, default 256)
 * @param targetWidth     columns (Keras {@code target_size[1]}, default 256)
 * @param colorMode       channels yielded (default {@link ColorMode#RGB})
 * @param classes         explicit class sub-directories in index order; empty = sorted sub-directories
 * @param classMode       label format (default {@link ClassMode#CATEGORICAL})
 * @param batchSize       images per batch (default 32)
 * @param shuffle         reshuffle every epoch (default true)
 * @param seed            shuffling and augmentation seed (default 42; Keras' default is a fresh random seed. Here
 *                        the same seed gives the same batches, whatever the number of worker threads)
 * @param saveToDir       if set, every augmented image is also written there (as Keras' {@code save_to_dir})
 * @param savePrefix      file name prefix for saved images (default empty)
 * @param saveFormat      {@code png} or {@code jpeg} (default png)
 * @param subset          {@link Subset#ALL}, or the training / validation share of the generator's
 *                        {@link AugmentOptions#validationSplit()} (as Keras: {@code validation_split} belongs to
 *                        {@code ImageDataGenerator}, {@code subset} to {@code flow_from_directory})
 * @param interpolation   resampling for the resize to the target size (Keras default: nearest)
 * @param keepAspectRatio centre-crop to the target aspect ratio before resizing (default false)
 * @param followLinks     descend into symbolic links to directories inside class folders (default false);
 *                        loops are detected and reported
 * @param badFiles        what to do with undecodable files (default {@link BadFilePolicy#SKIP})
 * @param maxPixels       decompression-bomb guard: images with more pixels are refused from their header
 * @param workers         decoding threads (default: min(4, processors)); never changes the batches' content
 * @param prefetch        batches prepared ahead in the background (default 2; 0 = decode on the caller's thread)
 * @param dicom           DICOM window and frame choice (default: the file's own window, first frame)
 */
public record FlowOptions(int targetHeight, int targetWidth, ColorMode colorMode, List<String> classes,
                          ClassMode classMode, int batchSize, boolean shuffle, long seed, Path saveToDir,
                          String savePrefix, String saveFormat, Subset subset,
                          Interpolation interpolation, boolean keepAspectRatio, boolean followLinks,
                          BadFilePolicy badFiles, long maxPixels, int workers, int prefetch, DicomOptions dicom) {

    /**
     * Every invariant is checked here, so builders, Jackson and {@code new} all get the same checks. A null
     * {@code classes} or {@code dicom} given to {@code new} means the default (empty list, file's own window); the
     * builder refuses them.
     */
    public FlowOptions {
        Objects.requireNonNull(colorMode, "colorMode");
        Objects.requireNonNull(classMode, "classMode");
        Objects.requireNonNull(subset, "subset");
        Objects.requireNonNull(interpolation, "interpolation");
        Objects.requireNonNull(badFiles, "badFiles");
        dicom = dicom == null ? DicomOptions.defaults() : dicom;
        classes = classes == null ? List.of() : classes;
        savePrefix = savePrefix == null ? "" : savePrefix;
        if (targetHeight < 1 || targetWidth < 1) {
            throw new IllegalArgumentException("targetSize must be at least 1x1 (height x width); received "
                    + targetHeight + "x" + targetWidth);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1; received " + batchSize);
        }
        if (new HashSet<>(classes).size() != classes.size()) {
            throw new IllegalArgumentException("classes must not repeat a name; received " + classes);
        }
        for (String c : classes) {
            if (c == null || c.isBlank() || c.contains("/") || c.contains("\\") || c.equals("..")
                    || c.equals(".")) {
                throw new IllegalArgumentException("class names must be plain sub-directory names; received '"
                        + c + "'");
            }
        }
        String fmt = saveFormat == null ? "png" : saveFormat.toLowerCase(Locale.ROOT);
        if (!fmt.equals("png") && !fmt.equals("jpeg") && !fmt.equals("jpg")) {
            throw new IllegalArgumentException("saveFormat must be png or jpeg; received '" + saveFormat + "'");
        }
        saveFormat = fmt.equals("jpg") ? "jpeg" : fmt;
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1; received " + maxPixels);
        }
        if (workers < 1 || workers > 256) {
            throw new IllegalArgumentException("workers must be in 1..256; received " + workers);
        }
        if (prefetch < 0 || prefetch > 64) {
            throw new IllegalArgumentException("prefetch must be in 0..64 batches; received " + prefetch);
        }
        classes = List.copyOf(classes);
    }

    public static FlowOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.targetHeight = targetHeight;
        b.targetWidth = targetWidth;
        b.colorMode = colorMode;
        b.classes = classes;
        b.classMode = classMode;
        b.batchSize = batchSize;
        b.shuffle = shuffle;
        b.seed = seed;
        b.saveToDir = saveToDir;
        b.savePrefix = savePrefix;
        b.saveFormat = saveFormat;
        b.subset = subset;
        b.interpolation = interpolation;
        b.keepAspectRatio = keepAspectRatio;
        b.followLinks = followLinks;
        b.badFiles = badFiles;
        b.maxPixels = maxPixels;
        b.workers = workers;
        b.prefetch = prefetch;
        b.dicom = dicom;
        return b;
    }

    /** Collects flow options; {@link #build()} checks every field (in the record's constructor). */
    public static final class Builder {
        private int targetHeight = 256;
        private int targetWidth = 256;
        private ColorMode colorMode = ColorMode.RGB;
        private List<String> classes = List.of();
        private ClassMode classMode = ClassMode.CATEGORICAL;
        private int batchSize = 32;
        private boolean shuffle = true;
        private long seed = 42;
        private Path saveToDir;
        private String savePrefix = "";
        private String saveFormat = "png";
        private Subset subset = Subset.ALL;
        private Interpolation interpolation = Interpolation.NEAREST;
        private boolean keepAspectRatio;
        private boolean followLinks;
        private BadFilePolicy badFiles = BadFilePolicy.SKIP;
        private long maxPixels = ImageDecoder.DEFAULT_MAX_PIXELS;
        private int workers = Math.min(4, Runtime.getRuntime().availableProcessors());
        private int prefetch = 2;
        private DicomOptions dicom = DicomOptions.defaults();

        private Builder() {
        }

        /** Keras {@code target_size=(height, width)}. */
        public Builder targetSize(int height, int width) {
            this.targetHeight = height;
            this.targetWidth = width;
            return this;
        }

        public Builder colorMode(ColorMode v) {
            this.colorMode = v;
            return this;
        }

        public Builder classes(List<String> v) {
            this.classes = v;
            return this;
        }

        public Builder classMode(ClassMode v) {
            this.classMode = v;
            return this;
        }

        public Builder batchSize(int v) {
            this.batchSize = v;
            return this;
        }

        public Builder shuffle(boolean v) {
            this.shuffle = v;
            return this;
        }

        public Builder seed(long v) {
            this.seed = v;
            return this;
        }

        public Builder saveToDir(Path dir, String prefix, String format) {
            this.saveToDir = dir;
            this.savePrefix = prefix;
            this.saveFormat = format;
            return this;
        }

        public Builder subset(Subset v) {
            this.subset = v;
            return this;
        }

        public Builder interpolation(Interpolation v) {
            this.interpolation = v;
            return this;
        }

        public Builder keepAspectRatio(boolean v) {
            this.keepAspectRatio = v;
            return this;
        }

        public Builder followLinks(boolean v) {
            this.followLinks = v;
            return this;
        }

        public Builder badFiles(BadFilePolicy v) {
            this.badFiles = v;
            return this;
        }

        public Builder maxPixels(long v) {
            this.maxPixels = v;
            return this;
        }

        public Builder workers(int v) {
            this.workers = v;
            return this;
        }

        public Builder prefetch(int v) {
            this.prefetch = v;
            return this;
        }

        /** DICOM window and frame choice. */
        public Builder dicom(DicomOptions v) {
            this.dicom = v;
            return this;
        }

        /** Shorthand for {@code dicom(new DicomOptions(window, current frames))}. */
        public Builder dicomWindow(DicomWindow window) {
            this.dicom = new DicomOptions(window, dicom == null ? DicomFrames.FIRST : dicom.frames());
            return this;
        }

        public FlowOptions build() {
            if (classes == null) {
                throw new IllegalArgumentException("classes must be a list (empty = infer from sub-directories)");
            }
            if (dicom == null) {
                throw new IllegalArgumentException("dicom options must be set (DicomOptions.defaults() for the file's "
                        + "own window and the first frame)");
            }
            return new FlowOptions(targetHeight, targetWidth, colorMode, classes, classMode, batchSize, shuffle, seed,
                    saveToDir, savePrefix, saveFormat, subset, interpolation,
                    keepAspectRatio, followLinks, badFiles, maxPixels, workers, prefetch, dicom);
        }
    }
}
