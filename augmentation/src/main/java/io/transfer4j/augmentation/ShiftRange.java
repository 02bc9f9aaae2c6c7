package io.transfer4j.augmentation;

import java.util.Arrays;

/**
 * Keras {@code width_shift_range} / {@code height_shift_range}:
 * <ul>
 *   <li>{@link #of(double)}: below 1 a fraction of the image size, otherwise pixels; the shift is drawn uniformly
 *       from {@code (-v, +v)};</li>
 *   <li>{@link #pixels(int)}: Keras' int: a whole number of pixels from {@code 0..v-1} with a random sign;</li>
 *   <li>{@link #choices(double...)}: one of the values with a random sign (fractions if all are below 1).</li>
 * </ul>
 */
public sealed interface ShiftRange extends java.io.Serializable {

    /** No shift. */
    ShiftRange NONE = new Uniform(0, false);

    /** Uniform in {@code (-range, range)}; {@code pixels} false = a fraction of the size. */
    record Uniform(double range, boolean pixels) implements ShiftRange {
        public Uniform {
            if (!(range >= 0) || Double.isInfinite(range)) {
                throw new IllegalArgumentException("shift range must be a finite number >= 0; received " + range);
            }
        }
    }

    /** One of {@code values} times a random sign; {@code fraction} if every value is below 1 (as Keras). */
    record Choices(double[] values) implements ShiftRange {
        public Choices {
            if (values == null || values.length == 0) {
                throw new IllegalArgumentException("shift choices must list at least one value");
            }
            values = values.clone();
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("shift choices must be finite; received "
                            + Arrays.toString(values));
                }
            }
        }

        public boolean fraction() {
            return Arrays.stream(values).max().orElse(0) < 1;
        }

        @Override
        public double[] values() {
            return values.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Choices c && Arrays.equals(c.values, values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Choices" + Arrays.toString(values);
        }
    }

    /** Keras' float rule: {@code v < 1} is a fraction of the size, {@code v >= 1} is pixels. */
    static ShiftRange of(double v) {
        return new Uniform(v, v >= 1);
    }

    /** Keras' int rule: a whole number of pixels in {@code 0 .. v-1} with a random sign. */
    static ShiftRange pixels(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("pixel shift range must be >= 0; received " + v);
        }
        if (v == 0) {
            return NONE;
        }
        double[] c = new double[v];
        for (int i = 0; i < v; i++) {
            c[i] = i;
        }
        return new Choices(c);
    }

    static ShiftRange choices(double... values) {
        return new Choices(values);
    }

    /** True if this never moves the image. */
    default boolean isNone() {
        return this instanceof Uniform u && u.range() == 0;
    }
}
