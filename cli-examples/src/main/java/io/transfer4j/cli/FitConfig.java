package io.transfer4j.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code transfer4j fit} does, from flags and/or a YAML or JSON file ({@code --config}). Keys are the
 * component names below; a flag given on the command line wins over the file. {@code null} means "not given":
 * {@link #withDefaults()} fills in the defaults and checks every value.
 *
 * <pre>{@code
 * data: images            # class folders: images/<class>/*.png|jpg|tif
 * backbone: resnet50      # transfer4j models list
 * runDir: runs/first
 * seed: 42
 * imageSize: 64           # pixels, square; default: the backbone's own input size
 * batchSize: 16
 * validationSplit: 0.15   # per class, stratified, seeded
 * testSplit: 0.15
 * weights: auto           # auto | pretrained | random
 * pooling: avg            # avg | max   (global pooling of the backbone's feature map)
 * dense: []               # hidden dense layers of the head, e.g. [128]
 * dropout: 0.0
 * augment: true           # Keras-style flips, small rotations, shifts and zooms on training images only
 * headEpochs: 5
 * headLearningRate: 1.0e-3
 * unfreeze: last          # layer group to fine-tune from (e.g. res5, block5), "last", or "none"
 * fineTuneEpochs: 10
 * fineTuneLearningRate: 1.0e-4
 * patience: 3             # early stopping on validation loss during fine-tuning
 * group: patient          # patient-level split: patient (DICOM PatientID), dicom:gggg,eeee, path:REGEX,
 *                         #   csv:FILE#FILECOLUMN#GROUPCOLUMN; default none (per-file split)
 * dicomWindow: file       # DICOM window: file (the file's own), full, lung, mediastinum, bone, brain, abdomen,
 *                         #   or CENTRE,WIDTH such as -600,1500 (give evaluate/explain the same)
 * classWeights: none      # none | balanced | cat=1,dog=2.5   (weights in the loss, per class)
 * lrFind: false           # run the learning-rate range test first and train the head at its suggestion
 * keep: []                # also keep after success: checkpoint, initial-model, all (default: the model only)
 * maxPixels: 89478485     # decompression-bomb guard: image files declaring more pixels (w x h) are refused
 * }</pre>
 */
public record FitConfig(Path data, String backbone, Path runDir, Long seed, Integer imageSize, Integer batchSize,
                        Double validationSplit, Double testSplit, Weights weights, Pooling pooling,
                        List<Integer> dense, Double dropout, Boolean augment, Integer headEpochs,
                        Double headLearningRate, String unfreeze, Integer fineTuneEpochs,
                        Double fineTuneLearningRate, Integer patience, String group, String dicomWindow,
                        String classWeights, Boolean lrFind, List<String> keep, Long maxPixels) {

    /** What a run directory may keep beyond the model, report and history ({@code --keep}, config 'keep'). */
    public static final List<String> KEEPABLE = List.of("checkpoint", "initial-model", "all");

    /** A config without the medical-imaging keys (group, dicomWindow) and without classWeights, lrFind, keep. */
    public FitConfig(Path data, String backbone, Path runDir, Long seed, Integer imageSize, Integer batchSize,
                     Double validationSplit, Double testSplit, Weights weights, Pooling pooling, List<Integer> dense,
                     Double dropout, Boolean augment, Integer headEpochs, Double headLearningRate, String unfreeze,
                     Integer fineTuneEpochs, Double fineTuneLearningRate, Integer patience) {
        this(data, backbone, runDir, seed, imageSize, batchSize, validationSplit, testSplit, weights, pooling, dense,
                dropout, augment, headEpochs, headLearningRate, unfreeze, fineTuneEpochs, fineTuneLearningRate,
                patience, null, null);
    }

    /** A config without classWeights, lrFind and keep (not given). */
    public FitConfig(Path data, String backbone, Path runDir, Long seed, Integer imageSize, Integer batchSize,
                     Double validationSplit, Double testSplit, Weights weights, Pooling pooling, List<Integer> dense,
                     Double dropout, Boolean augment, Integer headEpochs, Double headLearningRate, String unfreeze,
                     Integer fineTuneEpochs, Double fineTuneLearningRate, Integer patience, String group,
                     String dicomWindow) {
        this(data, backbone, runDir, seed, imageSize, batchSize, validationSplit, testSplit, weights, pooling, dense,
                dropout, augment, headEpochs, headLearningRate, unfreeze, fineTuneEpochs, fineTuneLearningRate,
                patience, group, dicomWindow, null, null, null);
    }

    /** A config without maxPixels (not given). */
    public FitConfig(Path data, String backbone, Path runDir, Long seed, Integer imageSize, Integer batchSize,
                     Double validationSplit, Double testSplit, Weights weights, Pooling pooling, List<Integer> dense,
                     Double dropout, Boolean augment, Integer headEpochs, Double headLearningRate, String unfreeze,
                     Integer fineTuneEpochs, Double fineTuneLearningRate, Integer patience, String group,
                     String dicomWindow, String classWeights, Boolean lrFind, List<String> keep) {
        this(data, backbone, runDir, seed, imageSize, batchSize, validationSplit, testSplit, weights, pooling, dense,
                dropout, augment, headEpochs, headLearningRate, unfreeze, fineTuneEpochs, fineTuneLearningRate,
                patience, group, dicomWindow, classWeights, lrFind, keep, null);
    }

    /** The decompression-bomb limit of this run: {@code maxPixels}, or the decoder's default when not given. */
    public long pixelLimit() {
        return maxPixels != null ? maxPixels : io.transfer4j.augmentation.ImageDecoder.DEFAULT_MAX_PIXELS;
    }

    /** The group key of a patient-level split, or null for a per-file split. */
    public io.transfer4j.augmentation.GroupKey groupKey() {
        return group == null || group.equals("none") ? null : io.transfer4j.augmentation.GroupKey.parse(group);
    }

    /** The DICOM window of this run (the file's own by default). */
    public io.transfer4j.augmentation.DicomWindow window() {
        return dicomWindow == null ? io.transfer4j.augmentation.DicomWindow.fromFile()
                : io.transfer4j.augmentation.DicomWindow.parse(dicomWindow);
    }

    /** Where the backbone's weights come from. */
    public enum Weights {
        /** ImageNet weights when installed or downloadable, otherwise random initialisation (and say why). */
        AUTO,
        /** ImageNet weights or fail. */
        PRETRAINED,
        /** Random initialisation (BatchNorm statistics calibrated on the training data). */
        RANDOM
    }

    /** Global pooling of the backbone's feature map in the new head. */
    public enum Pooling { AVG, MAX }

    public static final String UNFREEZE_LAST = "last";
    public static final String UNFREEZE_NONE = "none";

    /** A config with nothing set. */
    public static FitConfig empty() {
        return new FitConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null);
    }

    /** This config's values, falling back to {@code base} for every value not set here. */
    public FitConfig over(FitConfig base) {
        return new FitConfig(or(data, base.data), or(backbone, base.backbone), or(runDir, base.runDir),
                or(seed, base.seed), or(imageSize, base.imageSize), or(batchSize, base.batchSize),
                or(validationSplit, base.validationSplit), or(testSplit, base.testSplit), or(weights, base.weights),
                or(pooling, base.pooling), or(dense, base.dense), or(dropout, base.dropout), or(augment, base.augment),
                or(headEpochs, base.headEpochs), or(headLearningRate, base.headLearningRate),
                or(unfreeze, base.unfreeze), or(fineTuneEpochs, base.fineTuneEpochs),
                or(fineTuneLearningRate, base.fineTuneLearningRate), or(patience, base.patience),
                or(group, base.group), or(dicomWindow, base.dicomWindow), or(classWeights, base.classWeights),
                or(lrFind, base.lrFind), or(keep, base.keep), or(maxPixels, base.maxPixels));
    }

    /**
     * Every value set, defaults filled in ({@code imageSize} stays null when not given: the backbone decides) and
     * checked.
     *
     * @throws UsageException naming the key, what was received and what is allowed
     */
    public FitConfig withDefaults() {
        FitConfig c = over(new FitConfig(null, null, null, 42L, null, 16, 0.15, 0.15, Weights.AUTO, Pooling.AVG,
                List.of(), 0.0, true, 5, 1e-3, UNFREEZE_LAST, 10, 1e-4, 3, null, null, "none", false,
                List.of(), io.transfer4j.augmentation.ImageDecoder.DEFAULT_MAX_PIXELS));
        require(c.data != null, "data", "is required: a folder of class folders (--data DIR or 'data:' in --config)");
        require(c.backbone != null && !c.backbone.isBlank(), "backbone",
                "is required: a backbone id such as resnet50 (transfer4j models list)");
        require(c.runDir != null, "runDir", "is required: where to write the run (--run-dir DIR or 'runDir:')");
        require(c.imageSize == null || c.imageSize >= 8, "imageSize", "must be >= 8 pixels; received " + c.imageSize);
        require(c.batchSize >= 1, "batchSize", "must be >= 1; received " + c.batchSize);
        require(c.validationSplit > 0 && c.validationSplit < 1, "validationSplit",
                "must be in (0, 1); received " + c.validationSplit);
        require(c.testSplit >= 0 && c.testSplit < 1, "testSplit", "must be in [0, 1); received " + c.testSplit);
        require(c.validationSplit + c.testSplit < 0.9, "validationSplit + testSplit",
                "must leave at least 10 % for training; received " + (c.validationSplit + c.testSplit));
        require(c.dense.stream().allMatch(u -> u != null && u >= 1), "dense",
                "must list positive layer widths, e.g. [128]; received " + c.dense);
        require(c.dropout >= 0 && c.dropout < 1, "dropout", "must be in [0, 1); received " + c.dropout);
        require(c.dropout == 0 || !c.dense.isEmpty(), "dropout", "applies after the head's hidden dense layers, "
                + "and there are none; add some (--dense 256 or 'dense: [256]') or leave dropout at 0; received "
                + c.dropout);
        require(c.headEpochs >= 1, "headEpochs", "must be >= 1; received " + c.headEpochs);
        require(c.fineTuneEpochs >= 0, "fineTuneEpochs", "must be >= 0; received " + c.fineTuneEpochs);
        require(c.headLearningRate > 0 && c.headLearningRate < 10, "headLearningRate",
                "must be in (0, 10); received " + c.headLearningRate);
        require(c.fineTuneLearningRate > 0 && c.fineTuneLearningRate < 10, "fineTuneLearningRate",
                "must be in (0, 10); received " + c.fineTuneLearningRate);
        require(c.patience >= 1, "patience", "must be >= 1 epoch; received " + c.patience);
        require(c.maxPixels >= 1, "maxPixels", "must be >= 1 pixel (width x height; the default is "
                + io.transfer4j.augmentation.ImageDecoder.DEFAULT_MAX_PIXELS + ", 89.5 megapixels); received "
                + c.maxPixels);
        require(!c.unfreeze.isBlank(), "unfreeze", "must name a layer group, 'last' or 'none'; received ''");
        try {
            c.groupKey();
        } catch (IllegalArgumentException e) {
            require(false, "group", e.getMessage());
        }
        try {
            c.window();
        } catch (IllegalArgumentException e) {
            require(false, "dicomWindow", e.getMessage());
        }
        io.transfer4j.cli.internal.FitRun.classWeights(c.classWeights); // checks the form
        for (String k : c.keep) {
            require(KEEPABLE.contains(k), "keep", "must list " + String.join(", ", KEEPABLE) + "; received '" + k
                    + "'" + io.transfer4j.internal.Names.didYouMean(k, KEEPABLE));
        }
        return new FitConfig(c.data, c.backbone, c.runDir, c.seed, c.imageSize, c.batchSize, c.validationSplit,
                c.testSplit, c.weights, c.pooling, List.copyOf(c.dense), c.dropout, c.augment, c.headEpochs,
                c.headLearningRate, c.unfreeze, c.fineTuneEpochs, c.fineTuneLearningRate, c.patience, c.group,
                c.dicomWindow, c.classWeights, c.lrFind, List.copyOf(c.keep), c.maxPixels);
    }

    /**
     * The values set in this config as a {@code --config} file holds them (keys in declaration order, enums in
     * lower case, paths as given, nothing for a value not set): what {@link io.transfer4j.cli.internal.ConfigFiles#writeYaml}
     * writes and {@link io.transfer4j.cli.internal.ConfigFiles#read} reads back to an equal config.
     */
    public java.util.Map<String, Object> fileKeys() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (java.lang.reflect.RecordComponent c : FitConfig.class.getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(this);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read FitConfig." + c.getName(), e);
            }
            if (v instanceof Enum<?> e) {
                v = e.name().toLowerCase(java.util.Locale.ROOT);
            } else if (v instanceof Path p) {
                v = p.toString();
            }
            if (v != null) {
                m.put(c.getName(), v);
            }
        }
        return m;
    }

    /** Whether the run directory keeps {@code what} ({@code checkpoint}, {@code initial-model}) after success. */
    public boolean keeps(String what) {
        return keep != null && (keep.contains(what) || keep.contains("all"));
    }

    /** Whether a fine-tuning phase follows the head phase. */
    public boolean fineTunes() {
        return !UNFREEZE_NONE.equals(unfreeze) && fineTuneEpochs != null && fineTuneEpochs > 0;
    }

    private static void require(boolean ok, String key, String message) {
        if (!ok) {
            throw new UsageException("config '" + key + "' " + message);
        }
    }

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }
}
