package io.transfer4j.core;

/**
 * What a trainer adds to a bundle beyond the model itself.
 *
 * @param training    what trained the model (its non-null parts are recorded in the manifest), or null
 * @param history     the run's history as JSON text, stored as {@code history.json}, or null. Its one type is
 *                    training's {@code History} (a list of {@code EpochRecord}s), which writes this text and reads it
 *                    back ({@code History.fromBundle}); core, below training, stores the entry without interpreting it
 * @param saveUpdater whether to store the optimiser state (needed to resume training exactly; larger file)
 */
public record BundleExtras(TrainingProvenance training, String history, boolean saveUpdater) {

    /** Nothing extra, no updater state. */
    public static BundleExtras none() {
        return new BundleExtras(null, null, false);
    }
}
