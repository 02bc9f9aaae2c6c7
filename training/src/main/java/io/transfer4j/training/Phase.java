package io.transfer4j.training;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.transfer4j.core.LayerSelection;

/**
 * One stage of a fine-tuning plan: which layers train, for how long, with which optimiser and learning-rate
 * schedule, with which learning-rate multiplier per layer group (discriminative learning rates; the head and any
 * group not named use 1), and when to stop early.
 *
 * @param name               shown in the history (first CSV column); unique within a plan
 * @param maxEpochs          at most this many epochs (>= 1)
 * @param trainable          what trains; everything before it is frozen
 * @param optimizer          the optimiser (its state starts fresh in every phase, like a Keras re-compile)
 * @param schedule           the base learning rate as a function of progress in this phase
 * @param groupLrMultipliers learning-rate multiplier by layer group name (e.g. {@code res4: 0.1}); each &gt; 0
 * @param earlyStopping      the phase's early stopping rule, or null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Phase(String name, int maxEpochs, LayerSelection trainable, Optimizer optimizer, LrSchedule schedule,
                    Map<String, Double> groupLrMultipliers, EarlyStopping earlyStopping) {

    public Phase {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a phase needs a name (it is the first column of the history)");
        }
        if (maxEpochs < 1) {
            throw new IllegalArgumentException("phase '" + name + "': maxEpochs must be >= 1; received " + maxEpochs);
        }
        Objects.requireNonNull(trainable, "phase '" + name + "': trainable selection is required, e.g. "
                + "LayerSelection.headOnly()");
        Objects.requireNonNull(optimizer, "phase '" + name + "': optimizer is required, e.g. Optimizer.adam()");
        Objects.requireNonNull(schedule, "phase '" + name + "': learning-rate schedule is required, e.g. "
                + "LrSchedule.constant(1e-3)");
        TreeMap<String, Double> m = new TreeMap<>(groupLrMultipliers == null ? Map.of() : groupLrMultipliers);
        m.forEach((g, v) -> {
            if (v == null || !(v > 0) || v.isInfinite()) {
                throw new IllegalArgumentException("phase '" + name + "': learning-rate multiplier of group '" + g
                        + "' must be finite and > 0; received " + v);
            }
        });
        groupLrMultipliers = java.util.Collections.unmodifiableMap(m);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Collects a phase; {@link #build()} checks it. Defaults: head only, Adam, constant 1e-3, 10 epochs. */
    public static final class Builder {
        private final String name;
        private int maxEpochs = 10;
        private LayerSelection trainable = LayerSelection.headOnly();
        private Optimizer optimizer = Optimizer.adam();
        private LrSchedule schedule;
        private double lr = 1e-3;
        private final Map<String, Double> multipliers = new TreeMap<>();
        private EarlyStopping earlyStopping;

        private Builder(String name) {
            this.name = name;
        }

        public Builder maxEpochs(int epochs) {
            this.maxEpochs = epochs;
            return this;
        }

        public Builder trainable(LayerSelection selection) {
            this.trainable = selection;
            return this;
        }

        public Builder optimizer(Optimizer optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /** A constant learning rate (checked in {@link #build()}). */
        public Builder lr(double lr) {
            this.lr = lr;
            this.schedule = null;
            return this;
        }

        public Builder schedule(LrSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        public Builder groupLrMultiplier(String group, double multiplier) {
            multipliers.put(group, multiplier);
            return this;
        }

        public Builder earlyStopping(EarlyStopping rule) {
            this.earlyStopping = rule;
            return this;
        }

        public Phase build() {
            LrSchedule s = schedule;
            if (s == null) {
                if (!(lr > 0) || Double.isInfinite(lr)) {
                    throw new IllegalArgumentException("phase '" + name + "': learning rate must be finite and > 0; "
                            + "received " + lr);
                }
                s = LrSchedule.constant(lr);
            }
            return new Phase(name, maxEpochs, trainable, optimizer, s, multipliers, earlyStopping);
        }
    }
}
