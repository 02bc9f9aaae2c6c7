package io.transfer4j.cli.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.BadFile;
import io.transfer4j.augmentation.DataScan;
import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImageDecoder;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.augmentation.ScanOptions;
import io.transfer4j.cli.FitConfig;
import io.transfer4j.cli.Output;
import io.transfer4j.cli.UsageException;
import io.transfer4j.cli.report.ConfusedSample;
import io.transfer4j.cli.report.Plots;
import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.Pooling;
import io.transfer4j.core.Task;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.Metrics;
import io.transfer4j.training.ScoredSample;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.CutPoint;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.MemoryEstimate;
import io.transfer4j.zoo.WeightsUnavailableException;
import io.transfer4j.zoo.Zoo;

/**
 * The steps shared by {@code transfer4j fit} and {@code transfer4j quickstart}, each reporting through
 * {@link Output}: split the data, build the backbone (pretrained or random with calibrated BatchNorm), attach the
 * head, and pick the most confused test images for the report.
 */
public final class FitRun {

    /** The split manifest in a run directory. */
    public static final String SPLIT = "split.json";
    /** How many misclassified test images the report shows. */
    public static final int CONFUSED_SHOWN = 8;
    /** Batches used to calibrate BatchNorm statistics of a random backbone. */
    public static final int CALIBRATION_BATCHES = 4;

    private FitRun() {
    }

    /** The backbone spec for an id, a usage error listing the known ids when unknown. */
    public static BackboneSpec spec(Zoo zoo, String id) {
        try {
            return zoo.spec(id);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The square input the config asks for (or the backbone's default), checked against the backbone. */
    public static InputShape input(BackboneSpec spec, FitConfig cfg) {
        InputShape input = cfg.imageSize() == null ? spec.defaultInput() : InputShape.rgb(cfg.imageSize(), cfg.imageSize());
        try {
            return spec.checkInput(input, false);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Class weights from their config form: {@code none}, {@code balanced} or {@code label=weight,...}
     * (e.g. {@code cat=1,dog=2.5}); labels are checked against the data when training starts.
     */
    public static io.transfer4j.training.ClassWeights classWeights(String text) {
        String t = text == null ? "none" : text.strip();
        if (t.equalsIgnoreCase("none")) {
            return io.transfer4j.training.ClassWeights.none();
        }
        if (t.equalsIgnoreCase("balanced")) {
            return io.transfer4j.training.ClassWeights.balanced();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        for (String part : t.split(",")) {
            String[] kv = part.split("=", 2);
            double w;
            try {
                w = kv.length == 2 ? Double.parseDouble(kv[1].strip()) : Double.NaN;
            } catch (NumberFormatException e) {
                w = Double.NaN;
            }
            if (kv.length != 2 || kv[0].isBlank() || !(w > 0) || Double.isInfinite(w)) {
                throw new UsageException("config 'classWeights' (--class-weights) must be none, balanced or "
                        + "label=weight pairs with weights > 0, e.g. cat=1,dog=2.5; received '" + text + "'");
            }
            m.put(kv[0].strip(), w);
        }
        return io.transfer4j.training.ClassWeights.explicit(m);
    }

    /**
     * The memory preflight for training at this input and batch: a size the machine cannot hold (e.g.
     * {@code --image-size 100000}) is a usage error now, not a native {@code std::bad_alloc} after the split.
     */
    private static final double GIB = 1024.0 * 1024 * 1024;

    public static void checkMemory(Zoo zoo, BackboneSpec spec, InputShape input, FitConfig cfg) {
        MemoryEstimate.Verdict v = zoo.memoryEstimate(spec.id(), input, cfg.batchSize(), MemoryEstimate.Mode.TRAINING)
                .check(MemoryEstimate.Limits.current());
        if (!v.fits()) {
            // a short headline (received, allowed, what to do), then the estimate's details as an indented list
            StringBuilder m = new StringBuilder(String.format(Locale.ROOT, "image size %d px (--image-size, config "
                            + "'imageSize') with batch %d does not fit in memory: it needs about %.1f GiB, %.1f GiB is "
                            + "available. %s", input.height(), cfg.batchSize(), v.neededBytes() / GIB,
                    v.availableBytes() / GIB, v.largestBatch() > 0
                            ? "Use --batch-size " + v.largestBatch() + " or less, or a smaller --image-size"
                            : "Use a smaller --image-size (" + spec.id() + " is made for " + spec.defaultInput().height()
                            + " px; it takes " + spec.minInputSize() + " px and up)"));
            for (String detail : v.message().split("(?<=\\.) (?=[A-Z])")) {
                m.append("\n  - ").append(detail.strip());
            }
            throw new UsageException(m.toString());
        }
    }

    /** Seeded stratified split of the class folders, written to {@code split.json} in the run directory. */
    public static DataSplit split(FitConfig cfg, Path runDir) throws IOException {
        DataSplit split = split(cfg);
        split.write(runDir.resolve(SPLIT));
        return split;
    }

    /** Seeded stratified split of the class folders, not written anywhere yet. */
    public static DataSplit split(FitConfig cfg) {
        DataSplit split;
        try {
            double train = 1 - cfg.validationSplit() - cfg.testSplit();
            split = cfg.groupKey() == null
                    ? DataSplit.stratified(cfg.data(), train, cfg.validationSplit(), cfg.testSplit(), cfg.seed())
                    : DataSplit.grouped(cfg.data(), train, cfg.validationSplit(), cfg.testSplit(), cfg.seed(),
                            cfg.groupKey());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (split.classes().size() < 2) {
            throw new UsageException(cfg.data() + " has " + split.classes().size() + " class folder(s) "
                    + split.classes() + "; a classifier needs at least 2 (one sub-folder of images per class)");
        }
        DataSplit listed = split;
        split = split.without(unusable(split.root(), cfg.pixelLimit()));
        for (String cls : split.classes()) {
            if (split.train().stream().noneMatch(i -> i.label().equals(cls))) {
                long bad = split.excluded().stream().filter(e -> e.file().startsWith(cls + "/")).count();
                throw new UsageException("class '" + cls + "' has no usable training image in " + cfg.data()
                        + (bad > 0 ? ": " + bad + " of its file(s) cannot be used (`transfer4j data check "
                        + cfg.data() + "` lists them with the reasons)" : "") + ". Add images to " + cfg.data()
                        .resolve(cls) + ", or remove that folder to train without the class");
            }
        }
        for (DataSplit.Part part : DataSplit.Part.values()) {
            if (split.items(part).isEmpty() && !listed.items(part).isEmpty()) {
                throw new UsageException("no usable image is left in the " + part.name().toLowerCase(Locale.ROOT)
                        + " part of the split of " + cfg.data() + " (" + split.excluded().size() + " file(s) "
                        + "cannot be used; `transfer4j data check " + cfg.data() + "` lists them); add images or "
                        + "remove the broken files");
            }
        }
        return split;
    }

    /** Files left out of the split, once per run: a count, then one indented line each (at most 20). */
    public static String skipped(List<DataSplit.Excluded> excluded) {
        StringBuilder b = new StringBuilder("skipped " + excluded.size() + " file(s) that cannot be used (they are"
                + " listed in split.json; `transfer4j data check DIR` checks a folder):");
        int shown = Math.min(20, excluded.size());
        for (int i = 0; i < shown; i++) {
            b.append("\n  - ").append(excluded.get(i).file()).append(": ").append(excluded.get(i).reason());
        }
        if (shown < excluded.size()) {
            b.append("\n  - ... and ").append(excluded.size() - shown).append(" more");
        }
        return b.toString();
    }

    /**
     * Every file under {@code root} that cannot be decoded, keyed by its path relative to {@code root}, with the
     * reason: decoded once before the split, so the split counts usable images and training never meets them.
     */
    public static Map<String, String> unusable(Path root) {
        return unusable(root, ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /** As {@link #unusable(Path)}, refusing images with more than {@code maxPixels} pixels. */
    public static Map<String, String> unusable(Path root, long maxPixels) {
        Map<String, String> bad = new LinkedHashMap<>();
        for (BadFile b : DataScan.scan(root, ScanOptions.thorough().withMaxPixels(maxPixels)).badFiles()) {
            String why = b.toString();
            bad.put(b.relative(), why.startsWith(b.relative() + ": ") ? why.substring(b.relative().length() + 2)
                    : why);
        }
        return bad;
    }

    /** Flow options for this run (no shuffling: the trainer shuffles by epoch when it wants to). */
    public static FlowOptions flowOptions(FitConfig cfg, InputShape input, boolean shuffle) {
        return FlowOptions.builder().targetSize(input.height(), input.width()).batchSize(cfg.batchSize())
                .seed(cfg.seed()).shuffle(shuffle).dicomWindow(cfg.window()).maxPixels(cfg.pixelLimit())
                .build();
    }

    /** The Keras-tutorial augmentation used when {@code augment} is on. */
    public static AugmentOptions augmentation() {
        return augmentation(1.0);
    }

    /**
     * The Keras-tutorial augmentation with its rotation, shifts and zoom scaled by {@code strength} in [0, 1]
     * ({@code tune}'s {@code augmentStrength}); flips stay on above 0.
     */
    public static AugmentOptions augmentation(double strength) {
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("augmentation strength must be in [0, 1]; received " + strength);
        }
        return AugmentOptions.builder().horizontalFlip(strength > 0).rotationRange(15 * strength)
                .widthShiftRange(0.1 * strength).heightShiftRange(0.1 * strength).zoomRange(0.1 * strength).build();
    }

    /**
     * The backbone as the config asks. With {@code weights: auto} and ImageNet weights listed but not obtainable:
     * with {@code randomFallback} ({@code quickstart}) the note explains why and how to install them and the backbone
     * is randomly initialised; without it ({@code fit}) the run refuses to start, naming the cause and how to install
     * them, instead of training from random initialisation at chance accuracy.
     */
    public static Backbone backbone(Zoo zoo, FitConfig cfg, InputShape input, boolean randomFallback,
                                    Consumer<String> note) {
        return switch (cfg.weights()) {
            case RANDOM -> {
                note.accept("Random initialisation was requested (weights: random): the backbone has learned nothing "
                        + "before this run, so expect far lower accuracy than with ImageNet weights.");
                yield zoo.random(cfg.backbone(), input, cfg.seed());
            }
            case PRETRAINED -> {
                try {
                    yield zoo.load(cfg.backbone(), input);
                } catch (WeightsUnavailableException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
            case AUTO -> {
                BackboneSpec spec = zoo.spec(cfg.backbone());
                if (spec.weights().isEmpty()) {
                    note.accept("The catalogue lists no pretrained weights for " + spec.id() + ", so it starts "
                            + "from random initialisation (BatchNorm statistics calibrated on the training images).");
                    yield zoo.random(cfg.backbone(), input, cfg.seed());
                }
                try {
                    yield zoo.load(cfg.backbone(), input);
                } catch (WeightsUnavailableException e) {
                    if (!randomFallback) {
                        throw new UsageException(refusal(spec, e));
                    }
                    note.accept(weightsParagraph(spec, e));
                    yield zoo.random(cfg.backbone(), input, cfg.seed());
                }
            }
        };
    }

    /** Why {@code fit} does not start without the weights: a short first line, then what to do, then the details. */
    static String refusal(BackboneSpec spec, WeightsUnavailableException e) {
        io.transfer4j.zoo.WeightSource file = spec.weights().stream().filter(w -> !w.includesTop()).findFirst()
                .orElse(spec.weights().get(0));
        return "ImageNet weights for " + spec.id() + " are not available: " + why(e) + "; nothing was written."
                + "\n  Training from random initialisation reaches about chance accuracy on small data, so fit does"
                + " not do it unless asked."
                + "\n  - install the weights: download " + file.fileName() + " from " + file.uri()
                + " where the internet is reachable, then: transfer4j models install " + spec.id() + " --from FILE"
                + "\n    (or, with internet here: transfer4j models download " + spec.id() + "; every accepted file:"
                + " transfer4j models info " + spec.id() + ")"
                + "\n  - or train from random initialisation anyway: --weights random (config 'weights: random')"
                + "\n  Details: " + e.getMessage().replace("\n", "\n  ");
    }

    private static String why(WeightsUnavailableException e) {
        return switch (e.reason()) {
            case OFFLINE -> "offline mode is on (TRANSFER4J_OFFLINE) and no verified copy is on this machine";
            case DOWNLOAD_FAILED -> "they could not be downloaded (" + firstSentence(e.getMessage()) + ")";
            case CHECKSUM_MISMATCH -> "the file found or downloaded did not match the publisher's checksum";
            case NO_SOURCE -> "the catalogue lists no source for them";
        };
    }

    /** The one paragraph a user reads when ImageNet weights could not be had: why, and how to install them. */
    static String weightsParagraph(BackboneSpec spec, WeightsUnavailableException e) {
        String why = switch (e.reason()) {
            case OFFLINE -> "offline mode is on (TRANSFER4J_OFFLINE) and no verified copy is on this machine";
            case DOWNLOAD_FAILED -> "they could not be downloaded (" + firstSentence(e.getMessage()) + ")";
            case CHECKSUM_MISMATCH -> "the file found or downloaded did not match the publisher's checksum";
            case NO_SOURCE -> "the catalogue lists no source for them";
        };
        io.transfer4j.zoo.WeightSource file = spec.weights().stream().filter(w -> !w.includesTop()).findFirst()
                .orElse(spec.weights().get(0));
        return "ImageNet weights for " + spec.id() + " are not available: " + why + ". This run therefore starts "
                + "from random initialisation (BatchNorm statistics calibrated on the training images): every step "
                + "runs, but the model learns far less than a pretrained one would. To use ImageNet weights, "
                + "download " + file.fileName() + " from " + file.uri() + " on a machine with internet access and "
                + "install it here with: transfer4j models install " + spec.id() + " --from FILE (where the internet "
                + "is reachable, transfer4j models download " + spec.id() + " does both); transfer4j models info "
                + spec.id() + " lists every accepted file and its checksum.";
    }

    private static String firstSentence(String s) {
        if (s == null) {
            return "no details";
        }
        String line = s.lines().findFirst().orElse(s);
        int dot = line.indexOf(". ");
        return (dot > 0 ? line.substring(0, dot) : line).trim();
    }

    /** The transfer model: backbone cut before its classifier, global pooling, optional dense layers, softmax. */
    public static TransferModel model(Backbone backbone, FitConfig cfg, List<String> labels) {
        CutPoint cut = backbone.cutPoints().stream().filter(c -> c.kind() == CutPoint.Kind.FEATURE_MAP).findFirst()
                .orElse(backbone.defaultCut());
        HeadSpec.Builder head = HeadSpec.builder();
        if (cut.kind() == CutPoint.Kind.FEATURE_MAP) {
            head.pooling(cfg.pooling() == FitConfig.Pooling.MAX ? Pooling.MAX : Pooling.AVG);
        }
        for (int units : cfg.dense()) {
            head.dense(units, org.nd4j.linalg.activations.Activation.RELU, cfg.dropout(), false);
        }
        return TransferModel.builder().backbone(backbone).cut(cut.name()).head(head.build()).task(Task.MULTICLASS)
                .labels(labels).trainable(LayerSelection.headOnly()).seed(cfg.seed()).build();
    }

    /** The layer group fine-tuning starts from: the named one, or the last group with weights for "last". */
    public static String fineTuneGroup(BackboneSpec spec, FitConfig cfg) {
        // from the catalogue alone, so it is checked before a run claims its directory
        String backboneId = spec.id();
        List<String> groups = spec.groupNames().stream().filter(n -> !n.equals("fc")).toList();
        if (FitConfig.UNFREEZE_LAST.equals(cfg.unfreeze())) {
            return groups.get(groups.size() - 1);
        }
        if (!groups.contains(cfg.unfreeze())) {
            String near = ConfigFiles.nearest(cfg.unfreeze(), groups);
            throw new UsageException("config 'unfreeze' must name a layer group of " + backboneId + " ("
                    + String.join(", ", groups) + "), 'last' or 'none'; received '" + cfg.unfreeze() + "'"
                    + (near != null ? " (did you mean '" + near + "'?)" : ""));
        }
        return cfg.unfreeze();
    }

    /**
     * The misclassified images, most confident mistakes first, with thumbnails; {@code gradCam} draws the
     * Grad-CAM overlay of one image (null when unavailable).
     */
    public static List<ConfusedSample> mostConfused(Path dataRoot, Metrics test,
                                                    java.util.function.Function<Path, BufferedImage> gradCam,
                                                    io.transfer4j.augmentation.DicomWindow window)
            throws IOException {
        List<ScoredSample> wrong = test.samples().stream().filter(s -> !s.correct() && s.key() != null)
                .sorted(Comparator.comparingDouble((ScoredSample s) -> -s.probability(s.predicted()))
                        .thenComparing(ScoredSample::key))
                .limit(CONFUSED_SHOWN).toList();
        List<String> labels = test.labels();
        List<ConfusedSample> out = new ArrayList<>();
        for (ScoredSample s : wrong) {
            Path file = dataRoot.resolve(s.key());
            byte[] thumb = Plots.png(Plots.thumbnail(Images.read(file, window), 100));
            BufferedImage cam = gradCam == null ? null : gradCam.apply(file);
            out.add(new ConfusedSample(s.key(), labels.get(s.actual()), labels.get(s.predicted()),
                    s.probability(s.predicted()), thumb, cam == null ? null : Plots.png(Plots.thumbnail(cam, 100))));
        }
        return out;
    }

    /** The resolved config as an ordered map for {@code config.json} and the report. */
    public static Map<String, Object> configMap(FitConfig cfg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", cfg.data().toAbsolutePath().normalize().toString());
        m.put("backbone", cfg.backbone());
        m.put("runDir", cfg.runDir().toAbsolutePath().normalize().toString());
        m.put("seed", cfg.seed());
        m.put("imageSize", cfg.imageSize());
        m.put("batchSize", cfg.batchSize());
        m.put("validationSplit", cfg.validationSplit());
        m.put("testSplit", cfg.testSplit());
        m.put("weights", cfg.weights().name().toLowerCase(Locale.ROOT));
        m.put("pooling", cfg.pooling().name().toLowerCase(Locale.ROOT));
        m.put("dense", cfg.dense());
        m.put("dropout", cfg.dropout());
        m.put("augment", cfg.augment());
        m.put("headEpochs", cfg.headEpochs());
        m.put("headLearningRate", cfg.headLearningRate());
        m.put("unfreeze", cfg.unfreeze());
        m.put("fineTuneEpochs", cfg.fineTuneEpochs());
        m.put("fineTuneLearningRate", cfg.fineTuneLearningRate());
        m.put("patience", cfg.patience());
        m.put("group", cfg.group() == null ? "none" : cfg.group());
        m.put("dicomWindow", cfg.window().toString());
        m.put("classWeights", cfg.classWeights());
        m.put("lrFind", cfg.lrFind());
        m.put("keep", cfg.keep());
        m.put("maxPixels", cfg.pixelLimit());
        return m;
    }

    public static String seconds(Instant since) {
        return String.format(Locale.ROOT, "%.1f s", Duration.between(since, Instant.now()).toMillis() / 1000.0);
    }

    /** Builds the flows of a split: training (augmented if asked), validation and test (never augmented). */
    public record Flows(DirectoryFlow train, DirectoryFlow calibration, DirectoryFlow validation, DirectoryFlow test)
            implements AutoCloseable {
        public static Flows of(BackboneSpec spec, FitConfig cfg, DataSplit split, InputShape input) {
            ImagePipeline plain = ImagePipeline.forBackbone(spec);
            ImagePipeline trainPipe = cfg.augment() ? plain.augment(augmentation()) : plain;
            FlowOptions shuffled = flowOptions(cfg, input, true);
            FlowOptions ordered = flowOptions(cfg, input, false);
            return new Flows(trainPipe.flowFromSplit(split, DataSplit.Part.TRAIN, shuffled),
                    plain.flowFromSplit(split, DataSplit.Part.TRAIN, shuffled),
                    plain.flowFromSplit(split, DataSplit.Part.VALIDATION, ordered),
                    split.items(DataSplit.Part.TEST).isEmpty() ? null
                            : plain.flowFromSplit(split, DataSplit.Part.TEST, ordered));
        }

        @Override
        public void close() {
            train.close();
            calibration.close();
            validation.close();
            if (test != null) {
                test.close();
            }
        }
    }
}
