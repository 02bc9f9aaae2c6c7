package io.transfer4j.training;

/** What a callback wants after an epoch or a batch. The strongest decision of all callbacks wins. */
public enum Decision {
    /** Go on. */
    CONTINUE,
    /** End the current phase (early stopping); the plan goes on with the next phase. */
    STOP_PHASE,
    /** End the whole run (e.g. a NaN loss). */
    STOP_TRAINING;

    /** The stronger of two decisions. */
    public Decision and(Decision other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
