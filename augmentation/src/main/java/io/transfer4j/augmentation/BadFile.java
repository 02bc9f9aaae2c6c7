package io.transfer4j.augmentation;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file that could not be used, with the reason.
 *
 * @param path     the file (as listed, not resolved)
 * @param relative its path relative to the scanned directory, with {@code /} separators
 * @param kind     the reason class
 * @param detail   what exactly went wrong, for a human
 */
public record BadFile(Path path, String relative, BadFileKind kind, String detail) {
    public BadFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kind, "kind");
        relative = relative == null ? path.toString() : relative;
        detail = detail == null ? kind.description() : detail;
    }

    /** {@code relative: reason - detail}, without saying the reason twice when the detail already does. */
    @Override
    public String toString() {
        boolean saysKind = detail.toLowerCase(java.util.Locale.ROOT).contains(kind.description());
        return relative + ": " + (saysKind ? detail : kind.description() + " - " + detail);
    }
}
