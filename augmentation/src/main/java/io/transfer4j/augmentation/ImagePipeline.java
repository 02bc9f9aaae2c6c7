package io.transfer4j.augmentation;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.transfer4j.augmentation.internal.Augmenter;
import io.transfer4j.augmentation.internal.FolderLister;
import io.transfer4j.augmentation.internal.SampleProcessor;
import io.transfer4j.augmentation.internal.Standardizer;
import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Normalization;

/**
 * The augmentation module's entry point: Keras' {@code ImageDataGenerator} plus the backbone's normalisation.
 * Immutable; every {@code with}-style method returns a new pipeline.
 *
 * <pre>{@code
 * ImagePipeline pipe = ImagePipeline.forBackbone(spec)
 *         .augment(AugmentOptions.builder().rotationRange(20).horizontalFlip(true).validationSplit(0.2).build());
 * FlowOptions opts = FlowOptions.builder().targetSize(224, 224).batchSize(32).seed(7).build();
 * try (DirectoryFlow train = pipe.flowFromDirectory(dir, opts.toBuilder().subset(Subset.TRAINING).build());
 *      DirectoryFlow val = pipe.flowFromDirectory(dir, opts.toBuilder().subset(Subset.VALIDATION).build())) {
 *     model.fit(train, 5);   // val is never augmented
 * }
 * }</pre>
 *
 * <p>Per image: decode at full precision -> colour mode -> resize -> 0-255 scale -> random transform (training
 * flows only) -> standardise (Keras options) -> per batch: the backbone normalisation -> NCHW float32.
 */
public final class ImagePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(ImagePipeline.class);

    private final Normalization normalization;
    private final AugmentOptions augment;
    private final Standardizer.FitStats stats;

    private ImagePipeline(Normalization normalization, AugmentOptions augment, Standardizer.FitStats stats) {
        this.normalization = Objects.requireNonNull(normalization, "normalization");
        this.augment = Objects.requireNonNull(augment, "augment");
        this.stats = stats;
    }

    /** A pipeline that feeds {@code spec}'s backbone: its normalisation, no augmentation yet. */
    public static ImagePipeline forBackbone(BackboneSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return new ImagePipeline(spec.normalization(), AugmentOptions.none(), null);
    }

    /** A pipeline with an explicit normalisation (e.g. one recorded in a model bundle, or {@code none()}). */
    public static ImagePipeline of(Normalization normalization) {
        return new ImagePipeline(normalization, AugmentOptions.none(), null);
    }

    /** This pipeline with another normalisation. */
    public ImagePipeline normalization(Normalization n) {
        return new ImagePipeline(n, augment, stats);
    }

    public Normalization normalization() {
        return normalization;
    }

    /** This pipeline with Keras {@code ImageDataGenerator} options (fit statistics are dropped). */
    public ImagePipeline augment(AugmentOptions options) {
        return new ImagePipeline(normalization, options, null);
    }

    public AugmentOptions augmentOptions() {
        return augment;
    }

    /**
     * The same standardisation without the random transforms: what validation and test flows use (flows with
     * {@link Subset#VALIDATION} do this themselves).
     */
    public ImagePipeline withoutAugmentation() {
        AugmentOptions a = augment.toBuilder().rotationRange(0).widthShiftRange(ShiftRange.NONE)
                .heightShiftRange(ShiftRange.NONE).shearRange(0).zoomRange(1, 1).channelShiftRange(0)
                .brightnessRange(0, 0).horizontalFlip(false).verticalFlip(false).build();
        return new ImagePipeline(normalization, a, stats);
    }

    /** True once {@link #fit} has computed featurewise statistics. */
    public boolean isFitted() {
        return stats != null;
    }

    /**
     * Keras' {@code fit}: featurewise mean/std (per channel) and the ZCA matrix from a sample {@code [n, c, h, w]} on
     * the 0-255 scale (e.g. a few un-augmented batches of a flow built on {@code ImagePipeline.of(none())}).
     */
    public ImagePipeline fit(INDArray sample) {
        if (sample == null || sample.rank() != 4 || sample.size(0) < 1) {
            throw new IllegalArgumentException("fit needs an NCHW array [n, channels, height, width] with n >= 1; "
                    + "received " + (sample == null ? "null" : Arrays.toString(sample.shape())));
        }
        int n = (int) sample.size(0);
        int c = (int) sample.size(1);
        int h = (int) sample.size(2);
        int w = (int) sample.size(3);
        float[] all = sample.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[][] images = new float[n][];
        int per = c * h * w;
        for (int i = 0; i < n; i++) {
            images[i] = Arrays.copyOfRange(all, i * per, (i + 1) * per);
        }
        return new ImagePipeline(normalization, augment, Standardizer.fit(images, c, h, w, augment));
    }

    /** {@link #fit(INDArray)} on up to {@code maxImages} un-augmented images of a directory (training subset). */
    public ImagePipeline fit(Path dir, FlowOptions options, int maxImages) {
        if (maxImages < 1) {
            throw new IllegalArgumentException("maxImages must be >= 1; received " + maxImages);
        }
        FlowOptions o = options.toBuilder().classMode(ClassMode.NONE).batchSize(Math.min(maxImages, 64)).build();
        ImagePipeline raw = new ImagePipeline(Normalization.none(), AugmentOptions.none(), null);
        List<INDArray> parts = new ArrayList<>();
        int taken = 0;
        try (DirectoryFlow f = raw.flowFromDirectory(dir, o)) {
            while (f.hasNext() && taken < maxImages) {
                INDArray x = f.next().getFeatures();
                int k = (int) Math.min(x.size(0), maxImages - taken);
                parts.add(k == x.size(0) ? x : x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, k)));
                taken += k;
            }
        }
        return fit(Nd4j.concat(0, parts.toArray(new INDArray[0])));
    }

    // ---- flows ----

    /** Keras' {@code flow_from_directory}. Listing, split and bad-file handling: see the module README. */
    public DirectoryFlow flowFromDirectory(Path dir, FlowOptions options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        double split = effectiveSplit(options);
        FolderLister.Listing listing = FolderLister.listImages(dir, options.classes(), options.followLinks(),
                "flowFromDirectory needs one sub-directory per class, e.g. " + dir.resolve("cats") + "/*.jpg");
        listing.warnings().forEach(w -> LOG.warn("{}", w));
        boolean validation = options.subset() == Subset.VALIDATION;
        List<FolderLister.Entry> entries = listing.subset(validation, split, options.subset() == Subset.ALL);
        ImageDecoder decoder = ImageDecoder.withMaxPixels(options.maxPixels()).withDicom(options.dicom());
        List<BadFile> excluded = new ArrayList<>(listing.problems());
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (FolderLister.Entry e : entries) {
            try {
                decoder.probe(e.path());
            } catch (ImageDecodeException ex) {
                BadFile bad = new BadFile(e.path(), e.relative(), ex.kind(), ex.detail());
                if (options.badFiles() == BadFilePolicy.FAIL) {
                    throw new UncheckedIOException(ex.getMessage() + " (bad-file policy FAIL; use BadFilePolicy.SKIP "
                            + "to leave such files out, or run 'transfer4j data check " + dir + "')", ex);
                }
                excluded.add(bad);
                continue;
            }
            files.add(e.path());
            names.add(e.relative());
            labels.add(e.label());
        }
        for (BadFile b : excluded) {
            LOG.warn("Skipping {}", b);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no usable images in '" + dir + "'"
                    + (options.subset() == Subset.ALL ? "" : " for subset " + options.subset() + " (validationSplit "
                    + split + ")") + ": " + entries.size() + " files listed, " + excluded.size()
                    + " bad. Run 'transfer4j data check " + dir + "' for the reasons");
        }
        LOG.info("Found {} images belonging to {} classes{}{}.", files.size(), listing.classes().size(),
                options.subset() == Subset.ALL ? "" : " (" + options.subset().name().toLowerCase() + " subset)",
                excluded.isEmpty() ? "" : "; " + excluded.size() + " bad files left out");
        return directoryFlow(listing.classes(), files, names, labels.stream().mapToInt(Integer::intValue).toArray(),
                options, !validation, excluded, listing.warnings());
    }

    /** The generator's split ({@link AugmentOptions#validationSplit()}, its one owner) checked against the subset. */
    private double effectiveSplit(FlowOptions options) {
        double split = augment.validationSplit();
        if (options.subset() != Subset.ALL && split == 0) {
            throw new IllegalArgumentException("subset " + options.subset() + " needs a validationSplit in (0, 1), "
                    + "e.g. pipeline.augment(AugmentOptions.builder().validationSplit(0.2).build()); received 0");
        }
        return split;
    }

    DirectoryFlow directoryFlow(List<String> classes, List<Path> files, List<String> names, int[] labels,
                                FlowOptions options, boolean augmentThis, List<BadFile> excluded, List<String> warnings) {
        SampleProcessor p = processor(options.targetHeight(), options.targetWidth(), options.colorMode(),
                options.interpolation(), options.keepAspectRatio(), augmentThis);
        ImageDecoder decoder = ImageDecoder.withMaxPixels(options.maxPixels()).withDicom(options.dicom());
        int[] frames = null;
        if (options.dicom().frames() == DicomFrames.ALL) {
            // one sample per frame: multi-frame DICOM files are repeated, each entry with its frame
            List<Path> f = new ArrayList<>();
            List<String> n = new ArrayList<>();
            List<Integer> l = new ArrayList<>();
            List<Integer> fr = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                int count = 1;
                if (ImageDecoder.isDicom(files.get(i))) {
                    try {
                        count = Math.max(1, decoder.probe(files.get(i)).pages());
                    } catch (ImageDecodeException e) {
                        count = 1; // reported when the sample is loaded, under the flow's bad-file policy
                    }
                }
                for (int k = 0; k < count; k++) {
                    f.add(files.get(i));
                    n.add(names.get(i));
                    l.add(labels[i]);
                    fr.add(k);
                }
            }
            if (f.size() > files.size()) {
                LOG.info("{} frames from {} files (one sample per DICOM frame).", f.size(), files.size());
            }
            files = f;
            names = n;
            labels = l.stream().mapToInt(Integer::intValue).toArray();
            frames = fr.stream().mapToInt(Integer::intValue).toArray();
        }
        return new DirectoryFlow(options, p, normalization, classes, files, names, labels, decoder, excluded, warnings,
                frames);
    }

    /**
     * A flow over one part of a stratified split (see {@link DataSplit}). Only the training part is augmented;
     * validation and test parts never are.
     */
    public DirectoryFlow flowFromSplit(DataSplit split, DataSplit.Part part, FlowOptions options) {
        List<DataSplit.Item> items = split.items(part);
        if (items.isEmpty()) {
            throw new IllegalArgumentException("the " + part + " part of the split of '" + split.root()
                    + "' is empty; choose ratios that give it at least one file per class");
        }
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int[] labels = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            DataSplit.Item it = items.get(i);
            files.add(split.root().resolve(it.file()));
            names.add(it.file());
            labels[i] = split.classes().indexOf(it.label());
        }
        return directoryFlow(split.classes(), files, names, labels, options, part == DataSplit.Part.TRAIN, List.of(),
                List.of());
    }

    /**
     * Keras' {@code flow_from_dataframe} for a CSV file with a header: one column with image paths (relative to
     * {@code baseDir} unless absolute), one with class labels. Classes are the sorted distinct labels unless
     * {@link FlowOptions#classes()} lists them.
     */
    public DirectoryFlow flowFromCsv(Path csv, String pathColumn, String labelColumn, Path baseDir,
                                     FlowOptions options) {
        List<String[]> rows = io.transfer4j.augmentation.internal.Csv.read(csv);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("CSV '" + csv + "' is empty; it needs a header row naming the columns");
        }
        List<String> header = Arrays.asList(rows.get(0));
        int pc = header.indexOf(pathColumn);
        int lc = header.indexOf(labelColumn);
        if (pc < 0 || lc < 0) {
            throw new IllegalArgumentException("CSV '" + csv + "' has columns " + header + "; received path column '"
                    + pathColumn + "' and label column '" + labelColumn + "'");
        }
        List<String> classes = options.classes().isEmpty()
                ? rows.subList(1, rows.size()).stream().map(r -> r[lc]).distinct()
                .sorted(FolderLister.CODE_POINT_ORDER).collect(Collectors.toList())
                : options.classes();
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<BadFile> excluded = new ArrayList<>();
        ImageDecoder decoder = ImageDecoder.withMaxPixels(options.maxPixels()).withDicom(options.dicom());
        for (int r = 1; r < rows.size(); r++) {
            String[] row = rows.get(r);
            if (row.length <= Math.max(pc, lc)) {
                throw new IllegalArgumentException("CSV '" + csv + "' line " + (r + 1) + " has " + row.length
                        + " columns; the header has " + header.size());
            }
            int label = classes.indexOf(row[lc]);
            if (label < 0) {
                continue; // Keras drops rows whose label is not among the requested classes
            }
            Path p = baseDir == null ? Path.of(row[pc]) : baseDir.resolve(row[pc]);
            try {
                decoder.probe(p);
            } catch (ImageDecodeException ex) {
                if (options.badFiles() == BadFilePolicy.FAIL) {
                    throw new UncheckedIOException(ex.getMessage(), ex);
                }
                BadFile b = new BadFile(p, row[pc], ex.kind(), ex.detail());
                LOG.warn("Skipping {}", b);
                excluded.add(b);
                continue;
            }
            files.add(p);
            names.add(row[pc]);
            labels.add(label);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no usable images listed in '" + csv + "' (" + (rows.size() - 1)
                    + " rows, " + excluded.size() + " bad)");
        }
        return directoryFlow(classes, files, names, labels.stream().mapToInt(Integer::intValue).toArray(), options,
                true, excluded, List.of());
    }

    /**
     * Keras' {@code flow(x, y)}: batches from an NCHW array on the 0-255 scale (no resize), with labels as class
     * indices ({@code [n]} or {@code [n, 1]}) or one-hot rows ({@code [n, k]}); {@code y} may be null with
     * {@link ClassMode#NONE} or {@link ClassMode#INPUT}. {@code classNames} may be empty (then "0", "1", ...).
     * With a subset, the validation part is the first {@code int(n * validationSplit)} samples (as Keras) and is
     * not augmented.
     */
    public ArrayFlow flow(INDArray x, INDArray y, List<String> classNames, FlowOptions options) {
        if (x == null || x.rank() != 4) {
            throw new IllegalArgumentException("flow needs x as [n, channels, height, width]; received "
                    + (x == null ? "null" : Arrays.toString(x.shape())));
        }
        int c = (int) x.size(1);
        if (c != 1 && c != 3 && c != 4) {
            throw new IllegalArgumentException("x must have 1, 3 or 4 channels (NCHW); received " + c
                    + " in shape " + Arrays.toString(x.shape()) + ". NHWC arrays need x.permute(0, 3, 1, 2)");
        }
        double split = effectiveSplit(options);
        boolean validation = options.subset() == Subset.VALIDATION;
        if (options.subset() != Subset.ALL) {
            // Keras' NumpyArrayIterator: the validation subset is the first int(n * split) samples
            int cut = (int) (x.size(0) * split);
            long from = validation ? 0 : cut;
            long to = validation ? cut : x.size(0);
            if (to <= from) {
                throw new IllegalArgumentException("subset " + options.subset() + " of " + x.size(0)
                        + " samples with validationSplit " + split + " is empty");
            }
            x = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
            if (y != null) {
                y = y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
            }
        }
        int n = (int) x.size(0);
        int[] labels = null;
        int k = 0;
        if (y != null) {
            if (y.size(0) != n) {
                throw new IllegalArgumentException("x has " + n + " samples but y has " + y.size(0));
            }
            labels = new int[n];
            boolean oneHot = y.rank() == 2 && y.size(1) > 1;
            for (int i = 0; i < n; i++) {
                labels[i] = oneHot ? y.getRow(i).argMax().getInt(0) : (int) Math.round(y.getDouble((long) i));
                k = Math.max(k, labels[i] + 1);
            }
            if (oneHot) {
                k = (int) y.size(1);
            }
        }
        List<String> names = new ArrayList<>(classNames == null ? List.of() : classNames);
        if (names.isEmpty()) {
            for (int i = 0; i < k; i++) {
                names.add(Integer.toString(i));
            }
        } else if (names.size() < k) {
            throw new IllegalArgumentException("labels go up to " + (k - 1) + " but only " + names.size()
                    + " class names were given: " + names);
        }
        ColorMode mode = c == 1 ? ColorMode.GRAYSCALE : c == 3 ? ColorMode.RGB : ColorMode.RGBA;
        FlowOptions o = options.toBuilder().targetSize((int) x.size(2), (int) x.size(3)).colorMode(mode).build();
        SampleProcessor p = processor(o.targetHeight(), o.targetWidth(), mode, o.interpolation(), false, !validation);
        return new ArrayFlow(o, p, normalization, names, x, labels);
    }

    private SampleProcessor processor(int h, int w, ColorMode mode, Interpolation interp, boolean keepAspect,
                                      boolean augmentThis) {
        if (augment.needsFit()) {
            if (stats == null) {
                throw new IllegalStateException("featurewise centre/std or ZCA whitening is on, but the pipeline was "
                        + "not fitted; call pipeline = pipeline.fit(sample) first (Keras: datagen.fit(x))");
            }
            if (stats.channels() != mode.channels() || (augment.zcaWhitening()
                    && (stats.height() != h || stats.width() != w))) {
                throw new IllegalStateException("the pipeline was fitted on " + stats.channels() + "x" + stats.height()
                        + "x" + stats.width() + " images but this flow yields " + mode.channels() + "x" + h + "x" + w);
            }
        }
        Augmenter a = augmentThis && augment.isRandom() ? new Augmenter(augment) : null;
        return new SampleProcessor(h, w, mode, interp, keepAspect, a, new Standardizer(augment, stats));
    }

    // ---- single images ----

    /**
     * One decoded image as network input {@code [1, c, h, w]}: colour conversion to the shape's channels, Pillow
     * resize, 0-255 scale (16-bit as floats), then {@code normalization}. No augmentation, no Keras standardisation.
     */
    public static INDArray toInput(DecodedImage image, InputShape shape, Normalization normalization,
                                   Interpolation interpolation) {
        ColorMode mode = shape.channels() == 1 ? ColorMode.GRAYSCALE
                : shape.channels() == 3 ? ColorMode.RGB : ColorMode.RGBA;
        SampleProcessor p = new SampleProcessor(shape.height(), shape.width(), mode, interpolation, false, null, null);
        return normalized(p.prepare(image), image, shape, normalization);
    }

    /**
     * One training sample as a flow would make it: resize, the random transform drawn for (seed, epoch, index),
     * standardisation, normalisation; {@code [1, c, h, w]}. The same arguments give the same array (benchmarks and
     * tests of decode + resize + augment + normalise use this).
     */
    public INDArray toTrainingInput(DecodedImage image, InputShape shape, Interpolation interpolation, long seed,
                                    int epoch, int index) {
        ColorMode mode = shape.channels() == 1 ? ColorMode.GRAYSCALE
                : shape.channels() == 3 ? ColorMode.RGB : ColorMode.RGBA;
        SampleProcessor p = processor(shape.height(), shape.width(), mode, interpolation, false, true);
        float[] x = p.standardize(p.augment(p.prepare(image),
                io.transfer4j.augmentation.internal.Seeds.sample(seed, epoch, index)));
        return normalized(x, image, shape, normalization);
    }

    private static INDArray normalized(float[] x, DecodedImage image, InputShape shape, Normalization n) {
        if (x == image.planes()) {
            x = x.clone();
        }
        io.transfer4j.augmentation.internal.Normalize.apply(x, shape.channels(), shape.height(), shape.width(), n);
        return Nd4j.create(x, new long[] {1, shape.channels(), shape.height(), shape.width()}, DataType.FLOAT);
    }

    /** This pipeline's per-image transform for one decoded image (standardised and normalised, not augmented). */
    public INDArray toInput(DecodedImage image, InputShape shape, Interpolation interpolation) {
        ColorMode mode = shape.channels() == 1 ? ColorMode.GRAYSCALE
                : shape.channels() == 3 ? ColorMode.RGB : ColorMode.RGBA;
        SampleProcessor p = processor(shape.height(), shape.width(), mode, interpolation, false, false);
        return normalized(p.standardize(p.prepare(image)), image, shape, normalization);
    }
}
