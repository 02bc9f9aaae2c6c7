package io.transfer4j.training;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The optimiser of a phase, without its learning rate (that comes from the phase's {@link LrSchedule}).
 * Serialised to JSON/YAML with a {@code type} field: {@code adam}, {@code adamW}, {@code sgd}, {@code rmsProp}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Optimizer.Adam.class, name = "adam"),
        @JsonSubTypes.Type(value = Optimizer.AdamW.class, name = "adamW"),
        @JsonSubTypes.Type(value = Optimizer.Sgd.class, name = "sgd"),
        @JsonSubTypes.Type(value = Optimizer.RmsProp.class, name = "rmsProp")})
public sealed interface Optimizer {

    /** Adam with Keras's defaults (beta1 0.9, beta2 0.999, epsilon 1e-7). */
    static Optimizer adam() {
        return new Adam(0.9, 0.999, 1e-7);
    }

    /** Adam with decoupled weight decay (Loshchilov &amp; Hutter), defaults as PyTorch (decay 0.01). */
    static Optimizer adamW(double weightDecay) {
        return new AdamW(0.9, 0.999, 1e-7, weightDecay);
    }

    /** Stochastic gradient descent; momentum 0 is plain SGD. */
    static Optimizer sgd(double momentum, boolean nesterov) {
        return new Sgd(momentum, nesterov);
    }

    /** RMSprop with Keras's defaults (rho 0.9, epsilon 1e-7). */
    static Optimizer rmsProp() {
        return new RmsProp(0.9, 1e-7);
    }

    /** Decoupled weight decay coefficient (0 for none). */
    default double weightDecay() {
        return 0;
    }

    /**
     * Deeplearning4j's updater for this optimiser at learning rate {@code lr} (what a phase installs with
     * {@code TransferModel.setTrainable}); AdamW's decay is a per-layer regularisation added by the trainer.
     */
    default org.nd4j.linalg.learning.config.IUpdater updater(double lr) {
        return io.transfer4j.training.internal.Updaters.toUpdater(this, lr);
    }

    record Adam(double beta1, double beta2, double epsilon) implements Optimizer {
        public Adam {
            checkBetas("adam", beta1, beta2, epsilon);
        }
    }

    record AdamW(double beta1, double beta2, double epsilon, double weightDecay) implements Optimizer {
        public AdamW {
            checkBetas("adamW", beta1, beta2, epsilon);
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("adamW: weightDecay must be a finite number >= 0; received "
                        + weightDecay);
            }
        }
    }

    /**
     * SGD. Deeplearning4j implements momentum only in its Nesterov form, so {@code momentum > 0} needs
     * {@code nesterov = true}; the builder says so rather than silently running something else.
     */
    record Sgd(double momentum, boolean nesterov) implements Optimizer {
        public Sgd {
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("sgd: momentum must be in [0, 1); received " + momentum);
            }
            if (momentum > 0 && !nesterov) {
                throw new IllegalArgumentException("sgd: momentum " + momentum + " without Nesterov is not offered "
                        + "(Deeplearning4j implements Nesterov momentum only); use Optimizer.sgd(" + momentum
                        + ", true) or momentum 0");
            }
            if (nesterov && momentum == 0) {
                throw new IllegalArgumentException("sgd: nesterov needs momentum > 0; received momentum 0");
            }
        }
    }

    record RmsProp(double rho, double epsilon) implements Optimizer {
        public RmsProp {
            if (!(rho > 0 && rho < 1)) {
                throw new IllegalArgumentException("rmsProp: rho must be in (0, 1); received " + rho);
            }
            if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
                throw new IllegalArgumentException("rmsProp: epsilon must be > 0; received " + epsilon);
            }
        }
    }

    private static void checkBetas(String name, double beta1, double beta2, double epsilon) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(name + ": beta1 and beta2 must be in [0, 1); received " + beta1
                    + " and " + beta2);
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException(name + ": epsilon must be > 0; received " + epsilon);
        }
    }
}
