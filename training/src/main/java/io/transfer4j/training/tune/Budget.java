package io.transfer4j.training.tune;

import java.time.Duration;

/**
 * How much a search may spend: at most {@code maxTrials} trials (counting those already in a resumed search
 * directory) and/or {@code maxTime} of wall time for this call. When the time runs out, the running trial stops
 * after its current epoch and is not recorded (a resume runs it again). At least one limit must be given.
 */
public record Budget(Integer maxTrials, Duration maxTime) {
    public Budget {
        if (maxTrials == null && maxTime == null) {
            throw new IllegalArgumentException("a budget needs a number of trials and/or a wall time, e.g. "
                    + "Budget.trials(20) or Budget.time(Duration.ofHours(1))");
        }
        if (maxTrials != null && maxTrials < 1) {
            throw new IllegalArgumentException("budget: maxTrials must be >= 1 (one trial at least); received "
                    + maxTrials);
        }
        if (maxTime != null && (maxTime.isNegative() || maxTime.compareTo(Duration.ofSeconds(1)) < 0)) {
            throw new IllegalArgumentException("budget: maxTime must be at least 1 s, enough for one trial; "
                    + "received " + maxTime);
        }
    }

    public static Budget trials(int n) {
        return new Budget(n, null);
    }

    public static Budget time(Duration d) {
        return new Budget(null, d);
    }

    public static Budget of(int trials, Duration time) {
        return new Budget(trials, time);
    }
}
