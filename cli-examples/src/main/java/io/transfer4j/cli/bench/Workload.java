package io.transfer4j.cli.bench;

import java.util.Locale;

/** What one benchmark measures. The ids are shared with {@code bench/pytorch_peer.py}. */
public enum Workload {
    SGEMM("sgemm", "fp32 matrix multiply peak (GFLOP/s)"),
    INFER("infer", "inference, batch of random images"),
    HEAD("head", "head-only training, frozen body recomputed every batch (no cache)"),
    HEAD_CACHED("head-cached", "head-only training on cached body features (one epoch of the cache)"),
    FINETUNE("finetune", "full fine-tuning, every layer trainable"),
    TOP("top", "the recipe's phase 2 uncached: prefix frozen, top group (res5 / block5) + head trained"),
    RECIPE("recipe-plain", "time to model: the Keras recipe (5 head + 5 top-group epochs) on the JPEG folder, "
            + "no augmentation"),
    RECIPE_AUG("recipe-aug", "time to model: the same recipe with the seeds' ImageDataGenerator augmentation"),
    PIPELINE_JPEG("pipeline-jpeg", "decode JPEG + resize + random affine + normalise, 1 thread"),
    PIPELINE_PNG("pipeline-png", "decode PNG + resize + random affine + normalise, 1 thread"),
    PIPELINE_FEED("pipeline-feed", "head training fed by the image flow (1 background worker): time the "
            + "trainer waits for data, as % of a step");

    private final String id;
    private final String description;

    Workload(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    public boolean needsModel() {
        return this == INFER || this == HEAD || this == HEAD_CACHED || this == FINETUNE || this == PIPELINE_FEED
                || this == TOP || this == RECIPE || this == RECIPE_AUG;
    }

    /** {@code recipe} stands for both recipe variants; any other id is one workload (see {@link #parse}). */
    public static java.util.List<Workload> parseAll(String id) {
        return id.trim().toLowerCase(Locale.ROOT).equals("recipe") ? java.util.List.of(RECIPE, RECIPE_AUG)
                : java.util.List.of(parse(id));
    }

    /** Parses an id such as {@code head-cached}; the error lists the valid ids. */
    public static Workload parse(String id) {
        for (Workload w : values()) {
            if (w.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                return w;
            }
        }
        StringBuilder valid = new StringBuilder();
        for (Workload w : values()) {
            valid.append(valid.length() == 0 ? "" : ", ").append(w.id);
        }
        throw new IllegalArgumentException("unknown workload '" + id + "'; valid: " + valid
                + " (and recipe = recipe-plain + recipe-aug)");
    }
}
