package io.transfer4j.cli.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.transfer4j.cli.FitConfig;
import io.transfer4j.cli.Output;
import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.BatchEnd;
import io.transfer4j.training.EarlyStopping;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.FineTunePlan;
import io.transfer4j.training.FineTuner;
import io.transfer4j.training.LrFinder;
import io.transfer4j.training.Metric;
import io.transfer4j.training.Optimizer;
import io.transfer4j.training.Phase;
import io.transfer4j.training.ProgressListener;
import io.transfer4j.training.TrainingResult;

/**
 * Trains with the training module's {@link FineTuner}: phase "head" (body frozen, Adam at the head learning rate,
 * early stopping on val_loss), then "fine-tune-GROUP" (GROUP and everything after it unfrozen, Adam at the lower
 * fine-tuning rate, early stopping on val_loss, best weights restored), then the test split. Progress goes to
 * {@link Output}.
 */
public final class FineTunerTrainer implements FitPipeline.Trainer {

    /** The k of the top-k accuracy the CLI reports (top-2: informative for a handful of classes). */
    public static final int TOP_K = 2;

    /** The plan a config describes. */
    public static FineTunePlan plan(FitConfig cfg, String fineTuneGroup) {
        List<Phase> phases = new ArrayList<>();
        phases.add(Phase.builder("head").maxEpochs(cfg.headEpochs()).trainable(LayerSelection.headOnly())
                .optimizer(Optimizer.adam()).lr(cfg.headLearningRate())
                .earlyStopping(EarlyStopping.onValLoss(cfg.patience())).build());
        if (fineTuneGroup != null) {
            phases.add(Phase.builder("fine-tune-" + fineTuneGroup).maxEpochs(cfg.fineTuneEpochs())
                    .trainable(LayerSelection.fromGroup(fineTuneGroup)).optimizer(Optimizer.adam())
                    .lr(cfg.fineTuneLearningRate()).earlyStopping(EarlyStopping.onValLoss(cfg.patience())).build());
        }
        return FineTunePlan.of(phases.toArray(Phase[]::new));
    }

    @Override
    public TrainingResult train(TransferModel model, FitRun.Flows flows, FitConfig cfg, String fineTuneGroup,
                                Path checkpointDir, Output out) {
        if (Boolean.TRUE.equals(cfg.lrFind())) {
            LrFinder.Result found = LrFinder.find(model, flows.train(), cfg.seed());
            out.info(String.format(Locale.ROOT, "Learning-rate range test: %d steps, loss lowest at lr %.1e; "
                    + "the head trains at the suggestion %.1e (steepest descent) instead of %.1e",
                    found.lrs().size(), found.lrs().get(found.losses().indexOf(java.util.Collections.min(
                            found.losses()))), found.suggestion(), cfg.headLearningRate()));
            cfg = new FitConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    found.suggestion(), null, null, null, null).over(cfg);
        }
        FineTunePlan plan = plan(cfg, fineTuneGroup);
        out.info("Plan: " + String.join(" -> ", plan.phases().stream().map(p -> p.name() + " (up to " + p.maxEpochs()
                + " epochs, " + p.trainable().describe() + ")").toList()));
        FineTuner.Builder b = FineTuner.builder().model(model).train(flows.train()).validation(flows.validation())
                .test(flows.test()).topK(TOP_K).plan(plan).seed(cfg.seed()).progress(new Talk(out))
                .classWeights(FitRun.classWeights(cfg.classWeights()));
        if (checkpointDir != null) {
            b.runDir(checkpointDir);
        }
        return b.build().fit();
    }

    @Override
    public TrainingResult resume(FitRun.Flows flows, Path runDir, Output out) {
        return FineTuner.resumeBuilder(runDir).train(flows.train()).validation(flows.validation())
                .test(flows.test()).progress(new Talk(out)).build().fit();
    }

    /**
     * Progress bar per epoch (batches, loss, ETA) and one line (an {@code epoch} event) per finished epoch: how
     * {@code fit}, {@code quickstart} and the examples show training.
     */
    public static final class Talk implements ProgressListener {
        private final Output out;
        private Output.Progress bar;
        private int maxEpochs;

        public Talk(Output out) {
            this.out = out;
        }

        @Override
        public void onPhase(String phase) {
            out.info("Phase " + phase);
        }

        @Override
        public void onBatch(BatchEnd b) {
            maxEpochs = b.maxEpochs();
            if (bar == null) {
                bar = out.progress(String.format(Locale.ROOT, "%s %d/%d", b.phase(), b.epoch(), b.maxEpochs()),
                        b.batchesPerEpoch(), "batches");
            }
            bar.update(b.batch(), String.format(Locale.ROOT, "loss %.4f", b.loss()));
        }

        @Override
        public void onEpoch(EpochRecord r) {
            if (bar != null) {
                bar.close();
                bar = null;
            }
            double acc = r.value(Metric.VAL_ACCURACY);
            double trainAcc = r.value(Metric.ACCURACY);
            out.event("epoch", Output.fields("phase", r.phase(), "epoch", r.epoch(), "loss", r.loss(),
                            "accuracy", trainAcc, "valLoss", r.valLoss(), "valAccuracy", acc, "lr", r.lr(),
                            "seconds", r.seconds()),
                    r.line(maxEpochs));
        }
    }
}
