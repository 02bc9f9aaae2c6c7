package io.transfer4j.zoo;

import java.net.URI;

/**
 * One place pretrained weights can come from.
 *
 * @param format            {@code dl4j-zip} (a ModelSerializer zip) or {@code keras-h5}
 * @param uri               where the publisher serves it (http, https or file)
 * @param fileName          the file name in the cache
 * @param size              size in bytes, or -1 if unknown
 * @param checksumAlgorithm {@code adler32}, {@code sha256} or {@code md5} (the publisher's own)
 * @param checksum          the publisher's checksum value (never empty: an unverifiable source is not listed)
 * @param licence           the weights' licence
 */
public record WeightSource(String format, URI uri, String fileName, long size, String checksumAlgorithm,
                           String checksum, String licence) {
    public WeightSource {
        if (!"dl4j-zip".equals(format) && !"keras-h5".equals(format)) {
            throw new IllegalArgumentException("weight format must be dl4j-zip or keras-h5; received " + format);
        }
        if (uri == null || fileName == null || fileName.isBlank()) {
            throw new IllegalArgumentException("a weight source needs a uri and a file name");
        }
        if (checksum == null || checksum.isBlank() || checksum.equals("0")) {
            throw new IllegalArgumentException("weight source " + uri + " has no checksum; unverified weights are"
                    + " never used (received '" + checksum + "')");
        }
    }
}
