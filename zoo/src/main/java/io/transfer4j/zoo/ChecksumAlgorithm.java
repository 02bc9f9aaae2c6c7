package io.transfer4j.zoo;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Checksums publishers give for their weight files. Values are lower-case hex, Adler32 is decimal. */
public enum ChecksumAlgorithm {
    /** DL4J's zoo checksum: the decimal value of {@link java.util.zip.Adler32}. */
    @JsonProperty("adler32") ADLER32("adler32"),
    /** Keras' {@code get_file(file_hash=...)} for the applications weights. */
    @JsonProperty("md5") MD5("md5"),
    @JsonProperty("sha256") SHA256("sha256"),
    /**
     * For publishers that give no checksum at all (Keras' MobileNetV2 files: {@code get_file} is called without
     * {@code file_hash}): the exact byte size Keras reports when it downloads the file. Weaker than a digest, so a
     * file verified this way must also load with every layer and shape of the architecture, and its SHA-256 is
     * recorded on first use and checked on every later use like any other file's.
     */
    @JsonProperty("size") SIZE("size");

    private final String label;

    ChecksumAlgorithm(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
