package io.transfer4j.core;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.activations.Activation;

/**
 * The new head attached at the cut: optional pooling (feature-map cuts only), optional dense layers, then the
 * output layer the {@link Task} dictates.
 *
 * @param pooling how a feature-map cut becomes a vector; {@code null} means "AVG for feature-map cuts, nothing
 *                for vector cuts" (resolved by {@link TransferModel.Builder#build()})
 * @param dense   hidden dense layers, input side first (may be empty)
 */
public record HeadSpec(Pooling pooling, List<Dense> dense) {

    public HeadSpec {
        if (dense == null || dense.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("head dense layers must be a list without nulls (empty = no hidden "
                    + "layer); received " + dense);
        }
        dense = List.copyOf(dense);
    }

    /** Pooling chosen for the cut, no hidden layers. */
    public static HeadSpec defaults() {
        return new HeadSpec(null, List.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * One hidden dense layer, applied as Keras does: Dense -> (BatchNorm) -> activation -> (Dropout).
     *
     * @param units      output units (>= 1)
     * @param activation activation after the (optional) batch norm
     * @param dropout    Keras-style rate in [0, 1): the share of units dropped during training; 0 = none
     * @param batchNorm  whether a BatchNormalization layer sits between the dense layer and its activation
     */
    public record Dense(int units, Activation activation, double dropout, boolean batchNorm) {
        public Dense {
            if (units < 1) {
                throw new IllegalArgumentException("dense units must be >= 1; received " + units);
            }
            if (activation == null) {
                throw new IllegalArgumentException("dense layer needs an activation, e.g. Activation.RELU");
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("dropout is the share of units dropped and must be in [0, 1);"
                        + " received " + dropout);
            }
        }
    }

    /** Collects a head; {@link #build()} checks it. */
    public static final class Builder {
        private Pooling pooling;
        private final List<Dense> dense = new ArrayList<>();

        private Builder() {
        }

        /** Pooling for feature-map cuts; not allowed with vector cuts. */
        public Builder pooling(Pooling pooling) {
            this.pooling = pooling;
            return this;
        }

        public Builder dense(int units, Activation activation, double dropout, boolean batchNorm) {
            dense.add(new Dense(units, activation, dropout, batchNorm));
            return this;
        }

        public Builder dense(int units, Activation activation) {
            return dense(units, activation, 0, false);
        }

        public HeadSpec build() {
            return new HeadSpec(pooling, dense);
        }
    }
}
