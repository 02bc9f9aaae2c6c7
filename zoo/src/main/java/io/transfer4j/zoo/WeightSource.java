package io.transfer4j.zoo;

import java.net.URI;
import java.util.Locale;

/**
 * One place pretrained weights can come from.
 *
 * @param format            the file format
 * @param uri               where the publisher serves it (http, https or file)
 * @param fileName          the file name in the cache (also the name DL4J and Keras use in their own caches)
 * @param size              size in bytes, or -1 if the publisher does not state it
 * @param checksumAlgorithm the publisher's checksum algorithm
 * @param checksum          the publisher's checksum value (never empty: an unverifiable source is not listed)
 * @param includesTop       whether the file holds the ImageNet classifier layers too
 * @param licence           the weights' licence
 */
public record WeightSource(WeightFormat format, URI uri, String fileName, long size,
                           ChecksumAlgorithm checksumAlgorithm, String checksum, boolean includesTop,
                           String licence) {
    public WeightSource {
        if (format == null) {
            throw new IllegalArgumentException("weight source " + uri + " needs a format (dl4j-zip or keras-h5)");
        }
        if (uri == null || fileName == null || fileName.isBlank()) {
            throw new IllegalArgumentException("a weight source needs a uri and a file name; received uri=" + uri
                    + ", fileName=" + fileName);
        }
        if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
            throw new IllegalArgumentException("weight file name must be a plain file name; received '" + fileName
                    + "'");
        }
        if (checksumAlgorithm == null) {
            throw new IllegalArgumentException("weight source " + uri + " needs a checksum algorithm"
                    + " (adler32, md5 or sha256)");
        }
        if (checksum == null || checksum.isBlank() || checksum.equals("0")) {
            throw new IllegalArgumentException("weight source " + uri + " has no checksum; unverified weights are"
                    + " never used (received '" + checksum + "')");
        }
        checksum = checksum.trim().toLowerCase(Locale.ROOT);
        String pattern = switch (checksumAlgorithm) {
            case ADLER32 -> "[0-9]{1,10}";
            case MD5 -> "[0-9a-f]{32}";
            case SHA256 -> "[0-9a-f]{64}";
            case SIZE -> "[1-9][0-9]{0,14}";
        };
        if (!checksum.matches(pattern)) {
            throw new IllegalArgumentException("weight source " + uri + ": '" + checksum + "' is not a valid "
                    + checksumAlgorithm + " value");
        }
        if (size < -1) {
            throw new IllegalArgumentException("weight source " + uri + ": size must be >= 0, or -1 for unknown;"
                    + " received " + size);
        }
        licence = licence == null ? "" : licence;
    }

    /** e.g. {@code adler32:3501732770}. */
    public String checksumLabel() {
        return checksumAlgorithm + ":" + checksum;
    }
}
