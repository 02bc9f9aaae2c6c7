package io.transfer4j.training.tune;

/**
 * Stops weak trials early. {@link #successiveHalving} is asynchronous successive halving (ASHA, as Optuna's
 * {@code SuccessiveHalvingPruner}): rungs sit at epochs {@code minEpochs * eta^k} (epochs counted over the whole
 * trial, head and fine-tuning phases together); a trial that reaches a rung continues only if its best objective
 * so far ranks in the top {@code 1/eta} of all trials that reached that rung (itself included; ties favour it).
 * While fewer than {@code eta} trials have reached a rung, no trial is stopped there.
 */
public sealed interface Pruner {
    static Pruner none() {
        return new None();
    }

    static Pruner successiveHalving(int minEpochs, int eta) {
        return new SuccessiveHalving(minEpochs, eta);
    }

    record None() implements Pruner {
    }

    record SuccessiveHalving(int minEpochs, int eta) implements Pruner {
        public SuccessiveHalving {
            if (minEpochs < 1) {
                throw new IllegalArgumentException("successive halving: minEpochs (the first rung) must be >= 1; "
                        + "received " + minEpochs);
            }
            if (eta < 2) {
                throw new IllegalArgumentException("successive halving: eta (keep the top 1/eta at each rung) must "
                        + "be >= 2; received " + eta);
            }
        }

        /** The rung index of global epoch {@code epoch} (1-based), or -1 if it is not a rung. */
        public int rungOf(int epoch) {
            long r = minEpochs;
            for (int k = 0; r <= epoch; k++, r *= eta) {
                if (r == epoch) {
                    return k;
                }
            }
            return -1;
        }
    }
}
