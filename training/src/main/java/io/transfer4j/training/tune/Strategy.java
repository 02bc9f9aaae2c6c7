package io.transfer4j.training.tune;

/**
 * How trial {@code i}'s values are chosen. Trial {@code i}'s values depend only on the space, the seed and
 * {@code i} (not on how earlier trials ended), so a resumed search draws the same trials.
 */
public sealed interface Strategy {
    /** Every point of the space's grid in order (last parameter fastest); ranges take their grid points. */
    static Strategy grid() {
        return new Grid();
    }

    /** Independent random draws from a generator seeded by (search seed, trial index). */
    static Strategy random() {
        return new Random();
    }

    /** The name written to search.json: {@code grid} or {@code random}. */
    String name();

    /** Parses {@link #name()}. */
    static Strategy parse(String name) {
        return switch (name) {
            case "grid" -> grid();
            case "random" -> random();
            default -> throw new IllegalArgumentException("unknown search strategy '" + name + "'; allowed: grid, "
                    + "random (Bayesian strategies are not provided: no maintained JVM library for them was found)."
                    + io.transfer4j.internal.Names.didYouMean(name, java.util.List.of("grid", "random")));
        };
    }

    record Grid() implements Strategy {
        @Override
        public String name() {
            return "grid";
        }
    }

    record Random() implements Strategy {
        @Override
        public String name() {
            return "random";
        }
    }
}
