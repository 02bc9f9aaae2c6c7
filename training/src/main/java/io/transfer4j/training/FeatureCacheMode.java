package io.transfer4j.training;

/** Whether head-only phases train on cached body outputs. */
public enum FeatureCacheMode {
    /**
     * Cache when a phase trains only the head and its training data is known not to be randomly augmented (an
     * augmentation flow that reports {@code isAugmented() == false}). Other iterators are not cached, because
     * caching augmented data would silently train on one frozen augmentation.
     */
    AUTO,
    /** Cache every head-only phase: the caller asserts the training iterator is deterministic. */
    ALWAYS,
    /** Never cache. */
    OFF
}
