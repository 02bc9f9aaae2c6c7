package io.transfer4j.core;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a trainer adds to a bundle beyond the model itself. Every field may be null.
 *
 * @param plan          the fine-tuning plan (as JSON)
 * @param seeds         seeds used (split, shuffle, augmentation, ...)
 * @param data          a data fingerprint
 * @param metrics       best/test metrics
 * @param history       the epoch history (stored as {@code history.json})
 * @param saveUpdater   whether to store the optimiser state (needed to resume training exactly; larger file)
 */
public record BundleExtras(JsonNode plan, JsonNode seeds, JsonNode data, JsonNode metrics, JsonNode history,
                           boolean saveUpdater) {

    /** Nothing extra, no updater state. */
    public static BundleExtras none() {
        return new BundleExtras(null, null, null, null, null, false);
    }
}
