package io.transfer4j.cli.bench;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.Pooling;
import io.transfer4j.core.Task;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.Callback;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.FineTunePlan;
import io.transfer4j.training.FineTuner;
import io.transfer4j.training.Metric;
import io.transfer4j.training.Optimizer;
import io.transfer4j.training.Phase;
import io.transfer4j.training.TrainingControl;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.CutPoint;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The time-to-model benchmark: the seed tutorials' Keras transfer recipe end to end on a folder of JPEGs, run the
 * way a user runs it — {@code DataSplit} (80/20, stratified, seeded), {@code ImagePipeline.flowFromSplit},
 * {@code TransferModel} (random weights: none can be downloaded here), {@code FineTuner} with its defaults (derived
 * graphs, feature/boundary cache). Phase 1 trains the head (Adam 1e-3) on the frozen body, phase 2 unfreezes the
 * top group ({@code res5} / {@code block5}) and trains it with the head (Adam 1e-5), as
 * {@code FineTunePlan.kerasRecipe} but without early stopping, so both sides run the same number of epochs.
 * Validation runs after every epoch (Keras' {@code validation_data}). The augmented variant uses the seeds'
 * {@code ImageDataGenerator(rotation_range=20, width_shift_range=0.2, height_shift_range=0.2,
 * horizontal_flip=True)}. The split goes to {@code <work-dir>/recipe-split.json} for {@code bench/recipe_torch.py}.
 */
final class RecipeBench {

    static final long SEED = 42;
    static final String SPLIT_FILE = "recipe-split.json";

    private RecipeBench() {
    }

    /** The seeds' ImageDataGenerator settings (seed tutorials 001 and 002). */
    static AugmentOptions seedAugmentation() {
        return AugmentOptions.builder().rotationRange(20).widthShiftRange(0.2).heightShiftRange(0.2)
                .horizontalFlip(true).build();
    }

    /** The group the recipe unfreezes in phase 2. */
    static String topGroup(String model, Backbone b) {
        return switch (model) {
            case "resnet50" -> "res5";
            case "vgg16" -> "block5";
            default -> b.lastGroup().name();
        };
    }

    /** Writes (or rewrites) the split both sides train and validate on; the same seed gives the same split. */
    static DataSplit split(Path images, Path workDir) throws IOException {
        if (images == null || !Files.isDirectory(images)) {
            throw new IllegalArgumentException("the recipe workloads need a folder of class sub-folders of images: "
                    + "--images DIR (received " + images + ")");
        }
        DataSplit split = DataSplit.stratified(images, 0.8, 0.2, 0.0, SEED);
        if (split.classes().size() < 2 || split.items(DataSplit.Part.VALIDATION).isEmpty()) {
            throw new IllegalArgumentException(images + " gives " + split + "; the recipe needs at least 2 class "
                    + "folders and enough images for a 20 % validation split");
        }
        split.write(workDir.resolve(SPLIT_FILE));
        return split;
    }

    /** Wall time of each phase from its begin to its end event. */
    private static final class PhaseClock implements Callback {
        final Map<String, Double> seconds = new LinkedHashMap<>();
        long firstBegin;
        private long begin;

        @Override
        public void onPhaseBegin(String phase, TrainingControl control) {
            begin = System.nanoTime();
            if (firstBegin == 0) {
                firstBegin = begin;
            }
        }

        @Override
        public void onPhaseEnd(String phase, TrainingControl control) {
            seconds.merge(phase, (System.nanoTime() - begin) / 1e9, Double::sum);
        }
    }

    static BenchResult run(String model, boolean augmented, int headEpochs, int fineTuneEpochs,
                           ModelBench.Settings s, Path images) throws IOException {
        ProcessMemory.resetPeak();
        long t0 = System.nanoTime();
        DataSplit split = split(images, s.workDir());
        InputShape in = InputShape.rgb(s.size(), s.size());
        Zoo zoo = Zoo.builder().offline(true).build();
        Backbone b = zoo.random(model, in, SEED);
        CutPoint cut = b.cutPoints().stream().filter(c -> c.kind() == CutPoint.Kind.FEATURE_MAP).findFirst()
                .orElse(b.defaultCut());
        TransferModel tm = TransferModel.builder().backbone(b).cut(cut.name())
                .head(HeadSpec.builder().pooling(Pooling.AVG).build()).task(Task.MULTICLASS).labels(split.classes())
                .trainable(LayerSelection.headOnly()).seed(SEED).build();
        String top = topGroup(model, b);
        FineTunePlan plan = FineTunePlan.of(
                Phase.builder("head").maxEpochs(headEpochs).trainable(LayerSelection.headOnly())
                        .optimizer(Optimizer.adam()).lr(1e-3).build(),
                Phase.builder("fine-tune").maxEpochs(fineTuneEpochs).trainable(LayerSelection.fromGroup(top))
                        .optimizer(Optimizer.adam()).lr(1e-5).build());
        ImagePipeline plain = ImagePipeline.forBackbone(zoo.spec(model));
        ImagePipeline trainPipe = augmented ? plain.augment(seedAugmentation()) : plain;
        FlowOptions shuffled = FlowOptions.builder().targetSize(s.size(), s.size()).batchSize(s.batch()).seed(SEED)
                .shuffle(true).build();
        FlowOptions ordered = shuffled.toBuilder().shuffle(false).build();
        TrainingResult r;
        PhaseClock clock = new PhaseClock();
        int trainImages = split.items(DataSplit.Part.TRAIN).size();
        int valImages = split.items(DataSplit.Part.VALIDATION).size();
        try (DirectoryFlow train = trainPipe.flowFromSplit(split, DataSplit.Part.TRAIN, shuffled);
             DirectoryFlow val = plain.flowFromSplit(split, DataSplit.Part.VALIDATION, ordered)) {
            r = FineTuner.builder().model(tm).train(train).validation(val).plan(plan).seed(SEED).silent()
                    .callbacks(clock).build().fit();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        // phase time from begin to end: includes building the feature/boundary cache, which epoch times do not
        Map<String, Double> phases = clock.seconds;
        double setup = (clock.firstBegin - t0) / 1e9;
        EpochRecord last = r.history().get(r.history().size() - 1);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("wall_s", wall);
        extra.put("setup_s", setup);
        extra.put("head_s", phases.getOrDefault("head", 0.0));
        extra.put("finetune_s", phases.getOrDefault("fine-tune", 0.0));
        extra.put("val_loss", last.valLoss());
        extra.put("val_accuracy", last.metrics().getOrDefault(Metric.VAL_ACCURACY, Double.NaN));
        extra.put("train_images", trainImages);
        extra.put("val_images", valImages);
        extra.put("epochs", headEpochs + "+" + fineTuneEpochs);
        extra.put("top_group", top);
        int epochs = headEpochs + fineTuneEpochs;
        double ips = trainImages * (double) epochs / wall;
        String note = String.format(Locale.ROOT, "%s; %d train / %d val images; head %d epochs Adam 1e-3, %s + head "
                        + "%d epochs Adam 1e-5; wall %.1f s (setup: split, model, flows %.1f s; head %.1f s, "
                        + "fine-tune %.1f s, caches included); final val_loss %.4f val_acc %.3f; random weights",
                augmented ? "seeds' ImageDataGenerator augmentation" : "no augmentation", trainImages, valImages,
                headEpochs, top, fineTuneEpochs, wall, setup, phases.getOrDefault("head", 0.0),
                phases.getOrDefault("fine-tune", 0.0), last.valLoss(), extra.get("val_accuracy"));
        return new BenchResult(augmented ? Workload.RECIPE_AUG.id() : Workload.RECIPE.id(), model, s.batch(),
                s.size(), ips, wall * 1000, 0, ProcessMemory.peakRss(), ModelBench.join(s.note(), note), extra);
    }
}
