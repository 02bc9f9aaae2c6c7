package io.transfer4j.zoo;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Checksums publishers give for their weight files. Values are lower-case hex, Adler32 is decimal. */
public enum ChecksumAlgorithm {
    /** DL4J's zoo checksum: the decimal value of {@link java.util.zip.Adler32}. */
    @JsonProperty("adler32") ADLER32("adler32"),
    /** Keras' {@code get_file(file_hash=...)} for the applications weights. */
    @JsonProperty("md5") MD5("md5"),
    @JsonProperty("sha256") SHA256("sha256");

    private final String label;

    ChecksumAlgorithm(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
