package io.transfer4j.cli.internal;

import java.util.List;
import java.util.Map;

import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.cli.FitConfig;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.tune.TrialEnvironment;
import io.transfer4j.training.tune.TrialParams;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/**
 * What {@code transfer4j tune}'s trials train on: the run's one split of the class folders ({@code split.json}, as
 * {@code fit} makes it), and per trial a model built as {@code fit} builds it ({@link FitRun#model}) from the
 * trial's values read as a fit config ({@link #fitConfig}). Every trial's model starts from the same frozen
 * weights, copied from one backbone loaded once: the ImageNet weights, or the seeded random initialisation with its
 * BatchNorm statistics calibrated on a fixed number of training batches of a fixed size, so the search's feature
 * cache is shared by every trial.
 */
public final class TuneEnvironment implements TrialEnvironment {

    /** The batch size of the BatchNorm calibration of a random backbone (the same for every trial). */
    static final int CALIBRATION_BATCH = 16;

    private final Zoo zoo;
    private final BackboneSpec spec;
    private final FitConfig base;
    private final InputShape input;
    private final DataSplit split;
    private final boolean pretrained;
    private Backbone backbone;

    /**
     * @param base       the settings every trial shares (data, backbone, seed, image size, weights, splits), with
     *                   defaults filled in
     * @param pretrained whether the backbone's ImageNet weights are used (else the seeded random initialisation)
     */
    public TuneEnvironment(Zoo zoo, BackboneSpec spec, FitConfig base, InputShape input, DataSplit split,
                           boolean pretrained) {
        this.zoo = zoo;
        this.spec = spec;
        this.base = base;
        this.input = input;
        this.split = split;
        this.pretrained = pretrained;
    }

    /**
     * A trial's values as the {@code fit} config that trains the same model on the same data: the values under
     * fit's keys over {@code base}. Keys fit does not have ({@code optimizer}, {@code bodyLrMultiplier},
     * {@code augmentStrength}) are not in it; {@link #notInFit} lists them. A {@code dropout} without hidden
     * dense layers (where it does nothing) is left out, as fit refuses it.
     */
    public static FitConfig fitConfig(FitConfig base, TrialParams p) {
        Map<String, Object> v = p.values();
        List<Integer> dense = v.containsKey("dense") ? p.dense() : null;
        boolean hasDense = dense != null ? !dense.isEmpty() : base.dense() != null && !base.dense().isEmpty();
        return new FitConfig(null, null, null, null, null, v.containsKey("batchSize") ? p.batchSize() : null,
                null, null, null,
                v.containsKey("pooling") ? FitConfig.Pooling.valueOf(p.pooling().toUpperCase(java.util.Locale.ROOT))
                        : null,
                dense, v.containsKey("dropout") && hasDense ? p.dropout() : null,
                v.containsKey("augment") ? p.augment() : null,
                v.containsKey("headEpochs") ? p.headEpochs() : null,
                v.containsKey("headLearningRate") ? p.headLearningRate() : null,
                v.containsKey("unfreeze") ? p.unfreeze() : null,
                v.containsKey("fineTuneEpochs") ? p.fineTuneEpochs() : null,
                v.containsKey("fineTuneLearningRate") ? p.fineTuneLearningRate() : null,
                v.containsKey("patience") ? p.patience() : null, null, null,
                v.containsKey("classWeights") ? p.classWeightsName() : null, null, null).over(base);
    }

    /**
     * The trial's values {@code fit} cannot express, with the value fit uses instead; empty when the fit config of
     * {@link #fitConfig} trains exactly this trial.
     */
    public static Map<String, String> notInFit(TrialParams p) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        if (p.values().containsKey("optimizer") && !p.optimizerName().equals("adam")) {
            m.put("optimizer", p.optimizerName() + " (fit trains with adam)");
        }
        if (p.values().containsKey("bodyLrMultiplier") && p.bodyLrMultiplier() != 1.0) {
            m.put("bodyLrMultiplier", num(p.bodyLrMultiplier())
                    + " (fit trains the unfrozen body at the fine-tune rate, x1)");
        }
        if (p.augment() && p.values().containsKey("augmentStrength") && p.augmentStrength() != 1.0) {
            m.put("augmentStrength", num(p.augmentStrength())
                    + " (fit augments at full strength, 1)");
        }
        return m;
    }

    @Override
    public String backboneId() {
        return spec.id();
    }

    @Override
    public List<String> layerGroups() {
        return spec.groupNames();
    }

    /**
     * The backbone, loaded (or randomly initialised) once per search: a {@link TransferModel} copies the body's
     * parameters into its own graph, so trials never change it, and each trial is spared the load.
     */
    private Backbone backbone() {
        if (backbone == null) {
            backbone = pretrained ? zoo.load(spec.id(), input) : zoo.random(spec.id(), input, base.seed());
        }
        return backbone;
    }

    @Override
    public TransferModel model(TrialParams params) {
        Backbone backbone = backbone();
        TransferModel m = FitRun.model(backbone, fitConfig(base, params), split.classes());
        if (!pretrained) {
            FitConfig calibration = new FitConfig(null, null, null, null, null, CALIBRATION_BATCH, null, null, null,
                    null, null, null, null, null, null, null, null, null, null).over(base);
            try (DirectoryFlow flow = ImagePipeline.forBackbone(spec).flowFromSplit(split, DataSplit.Part.TRAIN,
                    FitRun.flowOptions(calibration, input, true))) {
                m.calibrateBatchNorm(flow, FitRun.CALIBRATION_BATCHES);
            }
        }
        return m;
    }

    @Override
    public DataSetIterator train(TrialParams params) {
        FitConfig c = fitConfig(base, params);
        ImagePipeline plain = ImagePipeline.forBackbone(spec);
        ImagePipeline pipe = c.augment() ? plain.augment(FitRun.augmentation(params.augmentStrength())) : plain;
        return pipe.flowFromSplit(split, DataSplit.Part.TRAIN, FitRun.flowOptions(c, input, true));
    }

    @Override
    public DataSetIterator validation(TrialParams params) {
        return ImagePipeline.forBackbone(spec).flowFromSplit(split, DataSplit.Part.VALIDATION,
                FitRun.flowOptions(fitConfig(base, params), input, false));
    }

    private static String num(double v) {
        return String.format(java.util.Locale.ROOT, "%.3g", v);
    }
}
