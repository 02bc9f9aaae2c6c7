package io.transfer4j.training.tune;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One dimension of a {@link SearchSpace}: a continuous range on a linear or logarithmic scale, an integer range,
 * or a list of choices. Values are plain JSON values: {@code Double} for the ranges, {@code Integer} for integer
 * ranges, and for choices whatever the list holds (strings, numbers, booleans, lists such as {@code [128]}).
 * Every record checks its bounds when constructed; the message names what was received and what is allowed.
 */
public sealed interface Param {

    /** A random value (the random strategy). */
    Object sample(Random rng);

    /** The values a grid visits, in order. */
    List<Object> grid();

    /** The JSON/YAML form ({@code type} plus fields), as {@link SearchSpace#toJson()} writes it. */
    java.util.Map<String, Object> describe();

    /** Uniform on {@code [min, max]}; the grid takes {@code gridPoints} evenly spaced values (ends included). */
    record Uniform(double min, double max, int gridPoints) implements Param {
        public Uniform {
            checkRange("uniform", min, max, gridPoints);
        }

        @Override
        public Object sample(Random rng) {
            return min + (max - min) * rng.nextDouble();
        }

        @Override
        public List<Object> grid() {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < gridPoints; i++) {
                out.add(gridPoints == 1 ? min : min + (max - min) * i / (gridPoints - 1));
            }
            return dedupe(out);
        }

        @Override
        public java.util.Map<String, Object> describe() {
            return ordered("type", "uniform", "min", min, "max", max, "gridPoints", gridPoints);
        }
    }

    /**
     * Log-uniform on {@code [min, max]}, both {@code > 0} (learning rates); the grid takes {@code gridPoints}
     * geometrically spaced values.
     */
    record LogUniform(double min, double max, int gridPoints) implements Param {
        public LogUniform {
            if (!(min > 0)) {
                throw new IllegalArgumentException("logUniform needs bounds > 0 (a log scale has no 0 or negative "
                        + "values); received min " + min + ". Use e.g. min: 1.0e-5, or a uniform range");
            }
            checkRange("logUniform", min, max, gridPoints);
        }

        @Override
        public Object sample(Random rng) {
            return Math.exp(Math.log(min) + (Math.log(max) - Math.log(min)) * rng.nextDouble());
        }

        @Override
        public List<Object> grid() {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < gridPoints; i++) {
                out.add(gridPoints == 1 ? min : Math.exp(Math.log(min) + (Math.log(max) - Math.log(min)) * i
                        / (gridPoints - 1)));
            }
            return dedupe(out);
        }

        @Override
        public java.util.Map<String, Object> describe() {
            return ordered("type", "logUniform", "min", min, "max", max, "gridPoints", gridPoints);
        }
    }

    /** The integers {@code min, min+step, ... <= max}; the grid visits all of them. */
    record IntRange(int min, int max, int step) implements Param {
        public IntRange {
            if (min > max) {
                throw new IllegalArgumentException("int range has min " + min + " > max " + max
                        + "; give min <= max");
            }
            if (step < 1) {
                throw new IllegalArgumentException("int range needs step >= 1; received " + step);
            }
        }

        @Override
        public Object sample(Random rng) {
            return min + step * rng.nextInt((max - min) / step + 1);
        }

        @Override
        public List<Object> grid() {
            List<Object> out = new ArrayList<>();
            for (int v = min; v <= max; v += step) {
                out.add(v);
            }
            return out;
        }

        @Override
        public java.util.Map<String, Object> describe() {
            return ordered("type", "int", "min", min, "max", max, "step", step);
        }
    }

    /** One of {@code values} (at least one; a single value fixes the parameter). */
    record Choice(List<Object> values) implements Param {
        public Choice {
            if (values == null || values.isEmpty()) {
                throw new IllegalArgumentException("choice needs at least one value; received none. List the "
                        + "values, e.g. values: [adam, sgd]");
            }
            values = java.util.Collections.unmodifiableList(new ArrayList<>(values));
        }

        @Override
        public Object sample(Random rng) {
            return values.get(rng.nextInt(values.size()));
        }

        @Override
        public List<Object> grid() {
            return values;
        }

        @Override
        public java.util.Map<String, Object> describe() {
            return ordered("type", "choice", "values", values);
        }
    }

    static Param uniform(double min, double max) {
        return new Uniform(min, max, 3);
    }

    static Param logUniform(double min, double max) {
        return new LogUniform(min, max, 3);
    }

    static Param intRange(int min, int max) {
        return new IntRange(min, max, 1);
    }

    static Param choice(Object... values) {
        return new Choice(List.of(values));
    }

    private static void checkRange(String kind, double min, double max, int gridPoints) {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException(kind + " needs finite bounds; received [" + min + ", " + max + "]");
        }
        if (min > max) {
            throw new IllegalArgumentException(kind + " has min " + min + " > max " + max + "; give min <= max");
        }
        if (gridPoints < 1) {
            throw new IllegalArgumentException(kind + " needs gridPoints >= 1; received " + gridPoints);
        }
    }

    private static List<Object> dedupe(List<Object> values) {
        return List.copyOf(new java.util.LinkedHashSet<>(values));
    }

    private static java.util.Map<String, Object> ordered(Object... kv) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
