package io.transfer4j.training.tune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.transfer4j.core.LayerSelection;
import io.transfer4j.training.ClassWeights;
import io.transfer4j.training.EarlyStopping;
import io.transfer4j.training.FineTunePlan;
import io.transfer4j.training.Optimizer;
import io.transfer4j.training.Phase;

/**
 * One trial's values, keyed by parameter name ({@link SearchSpace}). Parameters the space does not name take the
 * defaults of {@code transfer4j fit} (head 5 epochs at 1e-3, unfreeze {@code last} for 10 epochs at 1e-4, patience
 * 3, batch 16, no dense layer, dropout 0, Adam, no class weights, augmentation on).
 *
 * <p>{@link #plan} turns them into the plan {@code transfer4j fit} runs for the same config: phase {@code head}
 * (body frozen, early stopping on {@code val_loss}), then, unless {@code unfreeze} is {@code none} or
 * {@code fineTuneEpochs} is 0, phase {@code fine-tune-GROUP} (GROUP and everything after it trainable, its body
 * groups at {@code bodyLrMultiplier} times the fine-tune rate). The model (dense, dropout, pooling) and the data
 * (batchSize, augment, augmentStrength) are built from them by the {@link TrialEnvironment}.
 */
public record TrialParams(Map<String, Object> values) {
    public TrialParams {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public double headLearningRate() {
        return number("headLearningRate", 1e-3);
    }

    public double fineTuneLearningRate() {
        return number("fineTuneLearningRate", 1e-4);
    }

    public double bodyLrMultiplier() {
        return number("bodyLrMultiplier", 1.0);
    }

    public int batchSize() {
        return integer("batchSize", 16);
    }

    public int headEpochs() {
        return integer("headEpochs", 5);
    }

    public int fineTuneEpochs() {
        return integer("fineTuneEpochs", 10);
    }

    public int patience() {
        return integer("patience", 3);
    }

    public double dropout() {
        return number("dropout", 0.0);
    }

    /** The head's hidden dense layer widths (empty: softmax straight on the pooled features). */
    public List<Integer> dense() {
        Object v = values.get("dense");
        if (v == null) {
            return List.of();
        }
        if (v instanceof Number n) {
            return n.intValue() == 0 ? List.of() : List.of(n.intValue());
        }
        List<Integer> out = new ArrayList<>();
        for (Object o : (List<?>) v) {
            out.add(((Number) o).intValue());
        }
        return List.copyOf(out);
    }

    /** {@code none}, {@code last} or a layer group name. */
    public String unfreeze() {
        return string("unfreeze", "last");
    }

    public String optimizerName() {
        return string("optimizer", "adam");
    }

    public String classWeightsName() {
        return string("classWeights", "none");
    }

    public boolean augment() {
        Object v = values.get("augment");
        return v == null || Boolean.TRUE.equals(v) || "true".equals(v);
    }

    /** 0..1, scaling the augmentation's transforms; 1 when not named (the standard Keras-style set). */
    public double augmentStrength() {
        return augment() ? number("augmentStrength", 1.0) : 0.0;
    }

    public String pooling() {
        return string("pooling", "avg");
    }

    /** The optimiser named by {@code optimizer}. */
    public Optimizer optimizer() {
        return switch (optimizerName()) {
            case "adam" -> Optimizer.adam();
            case "adamW" -> Optimizer.adamW(0.01);
            case "sgd" -> Optimizer.sgd(0.9, true);
            case "rmsProp" -> Optimizer.rmsProp();
            default -> throw new IllegalArgumentException(check("optimizer", optimizerName()));
        };
    }

    public ClassWeights classWeights() {
        return "balanced".equals(classWeightsName()) ? ClassWeights.balanced() : ClassWeights.none();
    }

    /**
     * The group fine-tuning starts from ({@code last} resolved to the last group), or null when this trial trains
     * the head only.
     *
     * @param groups the backbone's layer groups, input side first
     */
    public String fineTuneGroup(List<String> groups) {
        String u = unfreeze();
        if (u.equals("none") || fineTuneEpochs() == 0) {
            return null;
        }
        List<String> usable = groups.stream().filter(g -> !g.equals("fc")).toList();
        if (u.equals("last")) {
            if (usable.isEmpty()) {
                throw new IllegalArgumentException("unfreeze 'last' needs a backbone with layer groups; this one has "
                        + "none. Use unfreeze: none");
            }
            return usable.get(usable.size() - 1);
        }
        return u;
    }

    /** True if the trial has a fine-tuning phase. */
    public boolean fineTunes(List<String> groups) {
        return fineTuneGroup(groups) != null;
    }

    /** The most epochs this trial can train (head plus fine-tuning). */
    public int maxEpochs(List<String> groups) {
        return headEpochs() + (fineTunes(groups) ? fineTuneEpochs() : 0);
    }

    /** The plan {@code transfer4j fit} would run with these values (see the class comment). */
    public FineTunePlan plan(List<String> groups) {
        List<Phase> phases = new ArrayList<>();
        phases.add(Phase.builder("head").maxEpochs(headEpochs()).trainable(LayerSelection.headOnly())
                .optimizer(optimizer()).lr(headLearningRate()).earlyStopping(EarlyStopping.onValLoss(patience()))
                .build());
        String group = fineTuneGroup(groups);
        if (group != null) {
            Phase.Builder ft = Phase.builder("fine-tune-" + group).maxEpochs(fineTuneEpochs())
                    .trainable(LayerSelection.fromGroup(group)).optimizer(optimizer()).lr(fineTuneLearningRate())
                    .earlyStopping(EarlyStopping.onValLoss(patience()));
            if (bodyLrMultiplier() != 1.0) {
                for (String g : groups.subList(groups.indexOf(group), groups.size())) {
                    ft.groupLrMultiplier(g, bodyLrMultiplier());
                }
            }
            phases.add(ft.build());
        }
        return FineTunePlan.of(phases.toArray(Phase[]::new));
    }

    /**
     * The values under {@code transfer4j fit}'s config keys ({@code headLearningRate}, {@code dense} as a list,
     * ...); keys fit does not have ({@code optimizer}, {@code bodyLrMultiplier}, {@code augmentStrength}) are
     * included as they are, for the caller to map or drop.
     */
    public Map<String, Object> asConfig() {
        Map<String, Object> m = new LinkedHashMap<>(values);
        if (m.containsKey("dense")) {
            m.put("dense", dense());
        }
        return m;
    }

    private double number(String key, double def) {
        Object v = values.get(key);
        return v == null ? def : ((Number) v).doubleValue();
    }

    private int integer(String key, int def) {
        Object v = values.get(key);
        return v == null ? def : ((Number) v).intValue();
    }

    private String string(String key, String def) {
        Object v = values.get(key);
        return v == null ? def : String.valueOf(v);
    }

    /** Why {@code value} is not allowed for parameter {@code name}, or null if it is. */
    static String check(String name, Object value) {
        return switch (name) {
            case "headLearningRate", "fineTuneLearningRate", "bodyLrMultiplier" -> value instanceof Number n
                    && n.doubleValue() > 0 && Double.isFinite(n.doubleValue()) ? null
                    : "must be a number > 0; received " + value;
            case "batchSize", "headEpochs", "patience" -> isInt(value) && ((Number) value).intValue() >= 1 ? null
                    : "must be an integer >= 1; received " + value;
            case "fineTuneEpochs" -> isInt(value) && ((Number) value).intValue() >= 0 ? null
                    : "must be an integer >= 0; received " + value;
            case "dropout" -> value instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() < 1 ? null
                    : "must be a number in [0, 1); received " + value;
            case "augmentStrength" -> value instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= 1
                    ? null : "must be a number in [0, 1]; received " + value;
            case "dense" -> denseOk(value) ? null
                    : "must be a layer width >= 0 (0 = none) or a list of widths >= 1 such as [256, 64]; received "
                    + value;
            case "unfreeze" -> value instanceof String s && !s.isBlank() ? null
                    : "must be none, last or a layer group name; received " + value;
            case "optimizer" -> SearchSpace.OPTIMIZERS.contains(String.valueOf(value)) ? null
                    : "must be one of " + String.join(", ", SearchSpace.OPTIMIZERS) + "; received " + value
                    + io.transfer4j.internal.Names.didYouMean(String.valueOf(value), SearchSpace.OPTIMIZERS);
            case "classWeights" -> SearchSpace.CLASS_WEIGHTS.contains(String.valueOf(value)) ? null
                    : "must be one of " + String.join(", ", SearchSpace.CLASS_WEIGHTS) + "; received " + value;
            case "pooling" -> SearchSpace.POOLINGS.contains(String.valueOf(value)) ? null
                    : "must be one of " + String.join(", ", SearchSpace.POOLINGS) + "; received " + value;
            case "augment" -> value instanceof Boolean ? null : "must be true or false; received " + value;
            default -> "is not a known parameter";
        };
    }

    private static boolean isInt(Object v) {
        return v instanceof Integer || v instanceof Long
                || v instanceof Double d && d == Math.rint(d) && Math.abs(d) < Integer.MAX_VALUE;
    }

    private static boolean denseOk(Object v) {
        if (isInt(v)) {
            return ((Number) v).intValue() >= 0;
        }
        return v instanceof List<?> l && l.stream().allMatch(x -> isInt(x) && ((Number) x).intValue() >= 1);
    }
}
