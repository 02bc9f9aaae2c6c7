package io.transfer4j.zoo.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.Adler32;

import io.transfer4j.zoo.ChecksumAlgorithm;

/**
 * Computes the publisher's checksum (Adler32, MD5 or SHA-256) and a SHA-256 in one pass over the bytes, so a
 * download is verified while it streams.
 */
public final class Checksums {
    private final ChecksumAlgorithm algorithm;
    private final Adler32 adler = new Adler32();
    private final MessageDigest md5;
    private final MessageDigest sha256;
    private long bytes;

    public Checksums(ChecksumAlgorithm algorithm) {
        this.algorithm = algorithm;
        try {
            this.md5 = algorithm == ChecksumAlgorithm.MD5 ? MessageDigest.getInstance("MD5") : null;
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks MD5 or SHA-256", e);
        }
    }

    public void update(byte[] buffer, int offset, int length) {
        switch (algorithm) {
            case ADLER32 -> adler.update(buffer, offset, length);
            case MD5 -> md5.update(buffer, offset, length);
            case SHA256, SIZE -> { /* the SHA-256 below is the publisher's checksum; SIZE counts bytes below */ }
        }
        sha256.update(buffer, offset, length);
        bytes += length;
    }

    public long bytes() {
        return bytes;
    }

    /** The publisher's checksum of the bytes so far (call once, at the end). */
    public Result finish() {
        String sha = HexFormat.of().formatHex(sha256.digest());
        String publisher = switch (algorithm) {
            case ADLER32 -> Long.toString(adler.getValue());
            case MD5 -> HexFormat.of().formatHex(md5.digest());
            case SHA256 -> sha;
            case SIZE -> Long.toString(bytes);
        };
        return new Result(algorithm, publisher, sha, bytes);
    }

    /** Both checksums of a whole file. */
    public static Result of(Path file, ChecksumAlgorithm algorithm) throws IOException {
        Checksums c = new Checksums(algorithm);
        feed(file, c);
        return c.finish();
    }

    /** Feeds a file's bytes into {@code checksums} (used to resume a partial download). */
    public static void feed(Path file, Checksums checksums) throws IOException {
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                checksums.update(buffer, 0, n);
            }
        }
    }

    /**
     * @param publisher the publisher's checksum value in the catalogue's notation (Adler32 decimal, hex otherwise)
     */
    public record Result(ChecksumAlgorithm algorithm, String publisher, String sha256, long size) {
        public String label() {
            return algorithm + ":" + publisher;
        }
    }
}
