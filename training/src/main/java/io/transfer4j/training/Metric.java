package io.transfer4j.training;

import java.util.Arrays;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The numbers a run computes each epoch, by their Keras-style keys ({@code loss}, {@code val_accuracy}, ...).
 * Training-set numbers ({@code loss}, {@code accuracy}) are means over the epoch's batches, taken from each
 * batch's training forward pass before its update (as Keras reports them); everything else comes from the
 * validation pass after the epoch.
 */
public enum Metric {
    LOSS("loss", false, false),
    ACCURACY("accuracy", false, true),
    VAL_LOSS("val_loss", true, false),
    VAL_ACCURACY("val_accuracy", true, true),
    VAL_TOP_K_ACCURACY("val_top_k_accuracy", true, true),
    VAL_MACRO_PRECISION("val_macro_precision", true, true),
    VAL_MACRO_RECALL("val_macro_recall", true, true),
    VAL_MACRO_F1("val_macro_f1", true, true),
    VAL_WEIGHTED_F1("val_weighted_f1", true, true),
    VAL_ROC_AUC("val_roc_auc", true, true);

    private final String key;
    private final boolean validation;
    private final boolean higherIsBetter;

    Metric(String key, boolean validation, boolean higherIsBetter) {
        this.key = key;
        this.validation = validation;
        this.higherIsBetter = higherIsBetter;
    }

    /** The Keras-style name used in history files and plan files. */
    @JsonValue
    public String key() {
        return key;
    }

    /** Whether the metric needs a validation set. */
    public boolean validation() {
        return validation;
    }

    /** The natural direction ({@link Monitor.Mode#AUTO} uses it). */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** Parses a key ({@code val_loss}) or a constant name ({@code VAL_LOSS}). */
    @JsonCreator
    public static Metric of(String name) {
        for (Metric m : values()) {
            if (m.key.equalsIgnoreCase(name) || m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("Unknown metric '" + name + "'; computed metrics: "
                + Arrays.stream(values()).map(Metric::key).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return key;
    }
}
