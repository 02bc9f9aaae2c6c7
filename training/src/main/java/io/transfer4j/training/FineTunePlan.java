package io.transfer4j.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.TrainingProvenance;
import io.transfer4j.zoo.LayerGroup;

/**
 * A fine-tuning plan: phases run in order. Fine-tuning is data: a plan is written to and read from JSON (and
 * YAML with Jackson's YAML factory) in the form documented in the module README, and recorded in the bundle.
 */
public record FineTunePlan(List<Phase> phases) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @JsonCreator
    public FineTunePlan(@JsonProperty("phases") List<Phase> phases) {
        if (phases == null || phases.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one phase");
        }
        Set<String> names = new HashSet<>();
        for (Phase p : phases) {
            Objects.requireNonNull(p, "a plan cannot contain a null phase");
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("phase names must be unique; '" + p.name() + "' appears twice");
            }
        }
        this.phases = List.copyOf(phases);
    }

    public static FineTunePlan of(Phase... phases) {
        return new FineTunePlan(List.of(phases));
    }

    /**
     * The Keras transfer-learning guide's recipe: train the new head with Adam at 1e-3 on the frozen body, then
     * unfreeze {@code topGroup} (e.g. {@code block5}, {@code res5}) and everything after it and train at 1e-5.
     * Both phases stop early on val_loss (patience 3) and keep their best weights. {@code fineTuneEpochs} 0 is a
     * plan of the head phase alone (as {@code transfer4j fit --fine-tune-epochs 0}).
     */
    public static FineTunePlan kerasRecipe(String topGroup, int headEpochs, int fineTuneEpochs) {
        if (fineTuneEpochs < 0) {
            throw new IllegalArgumentException("kerasRecipe: fineTuneEpochs must be >= 0 (0 = train the head "
                    + "only); received " + fineTuneEpochs);
        }
        Phase head = Phase.builder("head").maxEpochs(headEpochs).trainable(LayerSelection.headOnly())
                .optimizer(Optimizer.adam()).lr(1e-3).earlyStopping(EarlyStopping.onValLoss(3)).build();
        if (fineTuneEpochs == 0) {
            return of(head);
        }
        return of(head,
                Phase.builder("fine-tune").maxEpochs(fineTuneEpochs).trainable(LayerSelection.fromGroup(topGroup))
                        .optimizer(Optimizer.adam()).lr(1e-5).earlyStopping(EarlyStopping.onValLoss(3)).build());
    }

    /**
     * fastai's {@code fine_tune(epochs, base_lr)}: one epoch with the body frozen (one-cycle, 99 % warm-up), then
     * everything unfrozen for {@code epochs} epochs with one-cycle at {@code baseLr/2} (div 5) and discriminative
     * learning rates spread geometrically from {@code 1/100} (first group) to 1 (head), as {@code slice(lr/100, lr)}.
     * AdamW with fastai's betas (0.9, 0.99), eps 1e-5 and weight decay 0.01. No early stopping.
     *
     * @param groups the model's layer groups, input side first (e.g. from the backbone)
     */
    public static FineTunePlan fastaiFineTune(List<String> groups, int epochs, double baseLr) {
        if (groups == null || groups.isEmpty()) {
            throw new IllegalArgumentException("fastaiFineTune needs the model's layer groups, input side first");
        }
        if (!(baseLr > 0) || Double.isInfinite(baseLr)) {
            throw new IllegalArgumentException("fastaiFineTune: baseLr must be finite and > 0; received " + baseLr);
        }
        Optimizer adamW = new Optimizer.AdamW(0.9, 0.99, 1e-5, 0.01);
        Phase.Builder unfrozen = Phase.builder("unfrozen").maxEpochs(epochs).trainable(LayerSelection.all())
                .optimizer(adamW).schedule(new LrSchedule.OneCycle(baseLr / 2, 0.3, 5, 1e5));
        int n = groups.size() + 1; // the head is the last parameter group
        for (int i = 0; i < groups.size(); i++) {
            unfrozen.groupLrMultiplier(groups.get(i), Math.pow(100, -(n - 1 - i) / (double) (n - 1)));
        }
        return of(Phase.builder("frozen").maxEpochs(1).trainable(LayerSelection.headOnly()).optimizer(adamW)
                        .schedule(new LrSchedule.OneCycle(baseLr, 0.99, 25, 1e5)).build(),
                unfrozen.build());
    }

    /** The same with the groups of a backbone. */
    public static FineTunePlan fastaiFineTune(io.transfer4j.core.TransferModel model, int epochs, double baseLr) {
        return fastaiFineTune(model.backbone().groups().stream().map(LayerGroup::name).toList(), epochs, baseLr);
    }

    public Phase phase(int index) {
        return phases.get(index);
    }

    /** Total maximum epochs over all phases. */
    public int maxEpochs() {
        return phases.stream().mapToInt(Phase::maxEpochs).sum();
    }

    /** The JSON form. Plans with a {@link LrSchedule.Custom custom} schedule cannot be written. */
    public String toJson() {
        for (Phase p : phases) {
            if (containsCustom(p.schedule())) {
                throw new IllegalArgumentException("phase '" + p.name() + "' uses a custom (lambda) learning-rate "
                        + "schedule, which cannot be written to a plan file; use one of the built-in schedules");
            }
        }
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException("plan could not be written as JSON: " + e.getMessage(), e);
        }
    }

    /** Reads the JSON form; every field is checked as by the builders. */
    public static FineTunePlan fromJson(String json) {
        try {
            return JSON.readValue(json, FineTunePlan.class);
        } catch (IOException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException("invalid plan: " + cause.getMessage(), e);
        }
    }

    /** SHA-256 of the JSON form (or of the phase descriptions when a custom schedule is used). */
    public String fingerprint() {
        String text;
        try {
            text = toJson();
        } catch (IllegalArgumentException custom) {
            text = phases.toString();
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The plan as a model bundle records it ({@code manifest.json}'s {@code plan}): its fingerprint and, per phase,
     * the selection, epochs and multipliers with the optimiser, schedule and early stopping described.
     */
    public TrainingProvenance.Plan provenance() {
        return new TrainingProvenance.Plan(fingerprint(), phases.stream()
                .map(p -> new TrainingProvenance.PlannedPhase(p.name(), p.maxEpochs(), p.trainable(),
                        String.valueOf(p.optimizer()), String.valueOf(p.schedule()), p.groupLrMultipliers(),
                        p.earlyStopping() == null ? null : p.earlyStopping().toString()))
                .toList());
    }

    /** A short description per phase, for logs and the CLI. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Phase p : phases) {
            m.put(p.name(), p.trainable().describe() + ", " + p.maxEpochs() + " epochs, " + p.optimizer()
                    + ", lr " + p.schedule() + (p.groupLrMultipliers().isEmpty() ? "" : ", multipliers "
                    + p.groupLrMultipliers()) + (p.earlyStopping() == null ? "" : ", " + p.earlyStopping()));
        }
        return m;
    }

    private static boolean containsCustom(LrSchedule s) {
        return s instanceof LrSchedule.Custom || s instanceof LrSchedule.Warmup w && containsCustom(w.after());
    }
}
