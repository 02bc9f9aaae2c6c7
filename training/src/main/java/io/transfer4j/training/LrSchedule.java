package io.transfer4j.training;

import java.util.Objects;
import java.util.function.ToDoubleFunction;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A learning rate as a pure function of training progress within a phase. Same progress, same value: that is
 * what makes a resumed run continue exactly where it stopped. (ReduceLROnPlateau is the one stateful
 * adjustment; it is a {@link ReduceLrOnPlateau callback} that scales the scheduled value.)
 *
 * <p>Every schedule checks its numbers when it is created: learning rates must be finite and &gt; 0.
 * Serialised to JSON/YAML with a {@code type} field ({@code constant}, {@code step}, ...), see the module README.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = LrSchedule.Constant.class, name = "constant"),
        @JsonSubTypes.Type(value = LrSchedule.Step.class, name = "step"),
        @JsonSubTypes.Type(value = LrSchedule.Exponential.class, name = "exponential"),
        @JsonSubTypes.Type(value = LrSchedule.Polynomial.class, name = "polynomial"),
        @JsonSubTypes.Type(value = LrSchedule.Cosine.class, name = "cosine"),
        @JsonSubTypes.Type(value = LrSchedule.CosineRestarts.class, name = "cosineRestarts"),
        @JsonSubTypes.Type(value = LrSchedule.Warmup.class, name = "warmup"),
        @JsonSubTypes.Type(value = LrSchedule.OneCycle.class, name = "oneCycle")})
public sealed interface LrSchedule {

    /** The learning rate at {@code progress}. */
    double lr(Progress progress);

    /** The largest value this schedule reaches (used to report and to check discriminative learning rates). */
    @JsonIgnore
    double peak();

    static LrSchedule constant(double lr) {
        return new Constant(lr);
    }

    /** {@code lr * gamma^floor(epoch / everyEpochs)}. */
    static LrSchedule step(double lr, int everyEpochs, double gamma) {
        return new Step(lr, everyEpochs, gamma);
    }

    /** {@code lr * gamma^epoch}: multiplied by gamma after every epoch. */
    static LrSchedule exponential(double lr, double gamma) {
        return new Exponential(lr, gamma);
    }

    /** From {@code lr} to {@code endLr} over the phase: {@code (lr - endLr) * (1 - fraction)^power + endLr}. */
    static LrSchedule polynomial(double lr, double endLr, double power) {
        return new Polynomial(lr, endLr, power);
    }

    /** Cosine annealing from {@code lr} to {@code minLr} over the whole phase. */
    static LrSchedule cosine(double lr, double minLr) {
        return new Cosine(lr, minLr);
    }

    /** SGDR: cosine annealing restarted every cycle; the cycle length is multiplied by {@code cycleMult}. */
    static LrSchedule cosineRestarts(double lr, double minLr, double firstCycleEpochs, double cycleMult) {
        return new CosineRestarts(lr, minLr, firstCycleEpochs, cycleMult);
    }

    /** Linear warm-up over {@code warmupEpochs} (may be fractional) into {@code after}. */
    static LrSchedule warmup(double warmupEpochs, LrSchedule after) {
        return new Warmup(warmupEpochs, after);
    }

    /** fastai's one-cycle policy with its defaults (25 % warm-up, div 25, final div 1e5). */
    static LrSchedule oneCycle(double maxLr) {
        return new OneCycle(maxLr, 0.25, 25, 1e5);
    }

    /** A user function. It cannot be written to a plan file; it is checked to give a finite, positive value. */
    static LrSchedule custom(String name, ToDoubleFunction<Progress> function) {
        return new Custom(name, function);
    }

    /** A constant rate. */
    record Constant(double lr) implements LrSchedule {
        public Constant {
            requireLr("constant", "lr", lr);
        }

        @Override
        public double lr(Progress progress) {
            return lr;
        }

        @Override
        public double peak() {
            return lr;
        }
    }

    /** Step decay. */
    record Step(double lr, int everyEpochs, double gamma) implements LrSchedule {
        public Step {
            requireLr("step", "lr", lr);
            if (everyEpochs < 1) {
                throw new IllegalArgumentException("step schedule: everyEpochs must be >= 1; received " + everyEpochs);
            }
            requireFactor("step", gamma);
        }

        @Override
        public double lr(Progress progress) {
            return lr * Math.pow(gamma, progress.epoch() / everyEpochs);
        }

        @Override
        public double peak() {
            return lr;
        }
    }

    /** Per-epoch exponential decay. */
    record Exponential(double lr, double gamma) implements LrSchedule {
        public Exponential {
            requireLr("exponential", "lr", lr);
            requireFactor("exponential", gamma);
        }

        @Override
        public double lr(Progress progress) {
            return lr * Math.pow(gamma, progress.epoch());
        }

        @Override
        public double peak() {
            return lr;
        }
    }

    /** Polynomial decay over the phase ({@code power} 1 is linear). */
    record Polynomial(double lr, double endLr, double power) implements LrSchedule {
        public Polynomial {
            requireLr("polynomial", "lr", lr);
            requireLr("polynomial", "endLr", endLr);
            if (!(power > 0) || Double.isInfinite(power)) {
                throw new IllegalArgumentException("polynomial schedule: power must be > 0; received " + power);
            }
        }

        @Override
        public double lr(Progress progress) {
            return (lr - endLr) * Math.pow(1 - progress.fraction(), power) + endLr;
        }

        @Override
        public double peak() {
            return Math.max(lr, endLr);
        }
    }

    /** Cosine annealing over the whole phase. */
    record Cosine(double lr, double minLr) implements LrSchedule {
        public Cosine {
            requireLr("cosine", "lr", lr);
            requireMin("cosine", lr, minLr);
        }

        @Override
        public double lr(Progress progress) {
            return cosineBetween(lr, minLr, progress.fraction());
        }

        @Override
        public double peak() {
            return lr;
        }
    }

    /** Cosine annealing with warm restarts (SGDR, Loshchilov &amp; Hutter). */
    record CosineRestarts(double lr, double minLr, double firstCycleEpochs, double cycleMult) implements LrSchedule {
        public CosineRestarts {
            requireLr("cosineRestarts", "lr", lr);
            requireMin("cosineRestarts", lr, minLr);
            if (!(firstCycleEpochs > 0) || Double.isInfinite(firstCycleEpochs)) {
                throw new IllegalArgumentException("cosineRestarts schedule: firstCycleEpochs must be > 0; received "
                        + firstCycleEpochs);
            }
            if (!(cycleMult >= 1) || Double.isInfinite(cycleMult)) {
                throw new IllegalArgumentException("cosineRestarts schedule: cycleMult must be >= 1; received "
                        + cycleMult);
            }
        }

        @Override
        public double lr(Progress progress) {
            double t = progress.epochs();
            double cycle = firstCycleEpochs;
            while (t >= cycle) {
                t -= cycle;
                cycle *= cycleMult;
            }
            return cosineBetween(lr, minLr, t / cycle);
        }

        @Override
        public double peak() {
            return lr;
        }
    }

    /** Linear warm-up from almost 0 into another schedule. */
    record Warmup(double warmupEpochs, LrSchedule after) implements LrSchedule {
        public Warmup {
            if (!(warmupEpochs > 0) || Double.isInfinite(warmupEpochs)) {
                throw new IllegalArgumentException("warmup schedule: warmupEpochs must be > 0; received "
                        + warmupEpochs);
            }
            Objects.requireNonNull(after, "warmup schedule: 'after' (the schedule after warm-up) is required");
        }

        @Override
        public double lr(Progress progress) {
            // counts the current batch as done, so the very first step already has a positive rate
            double done = progress.epochs() + 1.0 / progress.batchesPerEpoch();
            return after.lr(progress) * Math.min(1.0, done / warmupEpochs);
        }

        @Override
        public double peak() {
            return after.peak();
        }
    }

    /**
     * fastai's one-cycle policy: cosine from {@code maxLr/divFactor} up to {@code maxLr} over {@code pctStart} of
     * the phase, then cosine down to {@code maxLr/(divFactor*finalDivFactor)}.
     */
    record OneCycle(double maxLr, double pctStart, double divFactor, double finalDivFactor) implements LrSchedule {
        public OneCycle {
            requireLr("oneCycle", "maxLr", maxLr);
            if (!(pctStart > 0 && pctStart < 1)) {
                throw new IllegalArgumentException("oneCycle schedule: pctStart must be in (0, 1); received "
                        + pctStart);
            }
            if (!(divFactor >= 1) || !(finalDivFactor >= 1) || Double.isInfinite(divFactor)
                    || Double.isInfinite(finalDivFactor)) {
                throw new IllegalArgumentException("oneCycle schedule: divFactor and finalDivFactor must be >= 1; "
                        + "received " + divFactor + " and " + finalDivFactor);
            }
        }

        @Override
        public double lr(Progress progress) {
            double f = progress.iteration() / (double) Math.max(1, progress.totalIterations() - 1);
            double start = maxLr / divFactor;
            double end = start / finalDivFactor;
            if (f < pctStart) {
                return cosineBetween(maxLr, start, 1 - f / pctStart);
            }
            return cosineBetween(maxLr, end, Math.min(1, (f - pctStart) / (1 - pctStart)));
        }

        @Override
        public double peak() {
            return maxLr;
        }
    }

    /** A user lambda; the name is what history and error messages show. */
    record Custom(String name, ToDoubleFunction<Progress> function) implements LrSchedule {
        public Custom {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a custom schedule needs a name (it is shown in the history)");
            }
            Objects.requireNonNull(function, "custom schedule '" + name + "': function is required");
        }

        @Override
        public double lr(Progress progress) {
            double v = function.applyAsDouble(progress);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalStateException("custom schedule '" + name + "' returned " + v + " at epoch "
                        + progress.epoch() + ", batch " + progress.batch() + "; a learning rate must be finite and > 0");
            }
            return v;
        }

        @Override
        public double peak() {
            return lr(Progress.start(1, 1));
        }
    }

    private static double cosineBetween(double from, double to, double fraction) {
        return to + (from - to) * (1 + Math.cos(Math.PI * fraction)) / 2;
    }

    private static void requireLr(String schedule, String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(schedule + " schedule: " + field
                    + " must be a finite learning rate > 0; received " + v);
        }
    }

    private static void requireMin(String schedule, double lr, double minLr) {
        if (!(minLr >= 0) || minLr > lr) {
            throw new IllegalArgumentException(schedule + " schedule: minLr must be in [0, lr=" + lr + "]; received "
                    + minLr);
        }
    }

    private static void requireFactor(String schedule, double gamma) {
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException(schedule + " schedule: gamma must be in (0, 1]; received " + gamma);
        }
    }
}
