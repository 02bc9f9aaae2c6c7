package io.transfer4j.augmentation;

import java.io.IOException;
import java.nio.file.Path;

/** A file or byte array that could not be decoded into an image, with the reason as a {@link BadFileKind}. */
public final class ImageDecodeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final BadFileKind kind;
    private final transient Path path;

    public ImageDecodeException(Path path, BadFileKind kind, String message, Throwable cause) {
        super((path == null ? "image" : path.toString()) + ": " + message, cause);
        this.kind = kind;
        this.path = path;
    }

    public BadFileKind kind() {
        return kind;
    }

    /** The file, or null when bytes were decoded. */
    public Path path() {
        return path;
    }

    /** The message without the path prefix. */
    public String detail() {
        String m = getMessage();
        String prefix = (path == null ? "image" : path.toString()) + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
