package io.transfer4j.augmentation;

/** What a flow does with a file it cannot decode. */
public enum BadFilePolicy {
    /** Leave the file out, count it and log it once with its reason (the default). */
    SKIP,
    /** Stop with an {@link ImageDecodeException} naming the file and the reason. */
    FAIL
}
