package io.transfer4j.augmentation;

/** Why a file in an image folder cannot be used. */
public enum BadFileKind {
    /** The file has zero bytes. */
    EMPTY("empty file (0 bytes)"),
    /** The data ends before the image does. */
    TRUNCATED("truncated image data"),
    /** The bytes are not an image format any decoder recognises, whatever the extension says. */
    NOT_AN_IMAGE("not an image"),
    /** The header declares more pixels than allowed (decompression bomb guard); refused before decoding. */
    TOO_MANY_PIXELS("too many pixels"),
    /** The process may not read the file. */
    UNREADABLE("permission denied"),
    /** A symbolic link whose target does not exist. */
    BROKEN_LINK("broken symbolic link"),
    /** A directory link that leads back into a directory already visited (only with follow_links). */
    LINK_LOOP("symbolic link loop"),
    /** A real image in a variant no decoder here supports (e.g. CMYK JPEG). */
    UNSUPPORTED("unsupported image variant"),
    /** The decoder failed for another reason. */
    CORRUPT("corrupt image data");

    private final String description;

    BadFileKind(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
