package io.transfer4j.core;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What trained a model, as its bundle records it: the plan, the seeds, the data and the test metrics. Training
 * writes it ({@code FineTuner}, the tuner) and core carries it into {@code manifest.json}, where the four parts are
 * the top-level fields {@code plan}, {@code seeds}, {@code data} and {@code metrics}. Any part may be null (an
 * untrained model, a bundle saved by hand, an older bundle that lacks it).
 *
 * <p>These are core's own types, not training's {@code FineTunePlan} or {@code Metrics}: core sits below training
 * in the module graph, and a bundle must stay readable by an application that has only core. The plan is therefore
 * recorded as a summary a reader can act on (which layers trained, for how long, with what) plus the plan's
 * fingerprint, which names the exact plan file ({@code FineTunePlan.fingerprint()}).
 *
 * @param plan    the fine-tuning plan, summarised
 * @param seeds   the seeds the run used
 * @param data    what the model was trained on
 * @param metrics the metrics of the finished model
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingProvenance(Plan plan, Seeds seeds, Data data, Results metrics) {

    /** Nothing recorded. */
    public static TrainingProvenance none() {
        return new TrainingProvenance(null, null, null, null);
    }

    /** This provenance with every non-null part of {@code newer} in place of its own. */
    public TrainingProvenance with(TrainingProvenance newer) {
        if (newer == null) {
            return this;
        }
        return new TrainingProvenance(newer.plan != null ? newer.plan : plan,
                newer.seeds != null ? newer.seeds : seeds, newer.data != null ? newer.data : data,
                newer.metrics != null ? newer.metrics : metrics);
    }

    /**
     * A fine-tuning plan as a bundle records it.
     *
     * @param fingerprint SHA-256 of the plan's JSON form (as {@code FineTunePlan.fingerprint()} and a run
     *                    directory's checkpoints record it); null in bundles written before it was recorded
     * @param phases      the phases in the order they ran
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Plan(String fingerprint, List<PlannedPhase> phases) {
        public Plan {
            phases = phases == null ? List.of() : List.copyOf(phases);
        }
    }

    /**
     * One phase of a recorded plan. The optimiser, schedule and early-stopping rule are training's types; they
     * are recorded as their descriptions (e.g. {@code Adam[beta1=0.9, ...]}).
     *
     * @param name               the phase's name (the first column of the history)
     * @param maxEpochs          the phase's maximum number of epochs
     * @param trainable          what trained in the phase
     * @param optimizer          the optimiser, described
     * @param schedule           the learning-rate schedule, described
     * @param groupLrMultipliers learning-rate multiplier by layer group (empty: 1 everywhere)
     * @param earlyStopping      the early-stopping rule, described, or null for none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PlannedPhase(String name, int maxEpochs, LayerSelection trainable, String optimizer,
                               String schedule, Map<String, Double> groupLrMultipliers, String earlyStopping) {
        public PlannedPhase {
            groupLrMultipliers = groupLrMultipliers == null ? Map.of()
                    : java.util.Collections.unmodifiableMap(new TreeMap<>(groupLrMultipliers));
        }
    }

    /**
     * The seeds of a run.
     *
     * @param seed the run's seed; with phase and epoch it determines the split, shuffling, augmentation and dropout
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Seeds(long seed) {
    }

    /**
     * What a model was trained on.
     *
     * @param fingerprint identifies the training data: {@code files:<hash>} of the sorted file list with labels for
     *                    folder data, {@code unknown:<class>} for data that cannot be identified
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Data(String fingerprint) {
    }

    /**
     * The metrics of a finished model.
     *
     * @param test the metrics on the test set, or null when the run had none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Results(Evaluation test) {
    }

    /**
     * The headline numbers of one evaluation (NaN where not defined, e.g. ROC AUC of a class without positives;
     * written as the string {@code "NaN"}).
     *
     * @param accuracy top-1 accuracy
     * @param loss     mean cross-entropy loss
     * @param macroF1  macro-averaged F1
     * @param rocAuc   macro-averaged one-vs-rest ROC AUC
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Evaluation(double accuracy, double loss, double macroF1, double rocAuc) {
    }
}
