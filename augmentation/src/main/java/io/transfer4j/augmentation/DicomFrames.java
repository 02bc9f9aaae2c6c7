package io.transfer4j.augmentation;

/** Which frame(s) of a multi-frame DICOM file become samples. */
public enum DicomFrames {
    /** The first frame (the default). */
    FIRST,
    /** The middle frame ({@code frames / 2}, 0-based), e.g. the central slice of a short volume. */
    MIDDLE,
    /**
     * Every frame as a sample of the file's class: flows repeat a multi-frame file once per frame (same file name);
     * {@link ImageDecoder#readFrames} gives them all at once.
     */
    ALL
}
