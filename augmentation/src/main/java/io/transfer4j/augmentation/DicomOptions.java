package io.transfer4j.augmentation;

import java.util.Objects;

/**
 * How DICOM files are turned into images: the window and which frame of a multi-frame file is used.
 *
 * @param window the VOI window (default: the file's own, {@link DicomWindow#fromFile()})
 * @param frames first, middle or every frame (default first)
 */
public record DicomOptions(DicomWindow window, DicomFrames frames) {

    public DicomOptions {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(frames, "frames");
    }

    /** The file's window, first frame. */
    public static DicomOptions defaults() {
        return new DicomOptions(DicomWindow.fromFile(), DicomFrames.FIRST);
    }
}
