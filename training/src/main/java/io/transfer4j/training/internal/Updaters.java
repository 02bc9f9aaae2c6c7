package io.transfer4j.training.internal;

import io.transfer4j.training.Optimizer;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;

/** Maps an {@link Optimizer} and a learning rate to Deeplearning4j's updater configuration. */
public final class Updaters {
    private Updaters() {
    }

    public static IUpdater toUpdater(Optimizer optimizer, double lr) {
        if (optimizer instanceof Optimizer.Adam a) {
            return new Adam(lr, a.beta1(), a.beta2(), a.epsilon());
        } else if (optimizer instanceof Optimizer.AdamW a) {
            // the decoupled weight decay is a regularisation on each trainable layer (see PhaseSetup)
            return new Adam(lr, a.beta1(), a.beta2(), a.epsilon());
        } else if (optimizer instanceof Optimizer.Sgd s) {
            return s.nesterov() ? new Nesterovs(lr, s.momentum()) : new Sgd(lr);
        } else if (optimizer instanceof Optimizer.RmsProp r) {
            return new RmsProp(lr, r.rho(), r.epsilon());
        }
        throw new IllegalArgumentException("unsupported optimizer " + optimizer);
    }
}
