package io.transfer4j.core.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Size and compression-ratio limits for the zips a bundle carries, checked while the bytes stream past and
 * before Deeplearning4j sees them: {@code ModelSerializer} reads every entry of its graph zip into one
 * {@code byte[]} (its {@code configuration.json} into one String), so an entry that inflates to gigabytes
 * (a zip bomb) would otherwise end in an {@link OutOfMemoryError}.
 */
public final class ZipLimits {
    /** Largest JSON entry (manifest, history, DL4J configuration) accepted. A ResNet50 configuration is ~1 MB. */
    public static final long MAX_JSON_BYTES = 64L << 20;
    /** Largest binary entry: DL4J reads each entry into one Java array. */
    public static final long MAX_ENTRY_BYTES = Integer.MAX_VALUE - 8L;
    /** Largest sum of a graph zip's entries (parameters + optimiser state). */
    public static final long MAX_TOTAL_BYTES = 6L << 30;
    /** Largest uncompressed/compressed ratio; deflate peaks near 1030:1 on constant data, real weights ~1.1:1. */
    public static final long MAX_RATIO = 200;
    /** Entries smaller than this are never refused for their ratio (small JSON compresses well). */
    public static final long RATIO_FLOOR_BYTES = 4L << 20;

    private ZipLimits() {
    }

    /** Thrown with a message that names the file, the entry, what was found and what is allowed. */
    public static final class LimitExceeded extends IOException {
        private static final long serialVersionUID = 1L;

        LimitExceeded(String message) {
            super(message);
        }
    }

    /**
     * Reads a nested zip (the DL4J graph) to its end, counting the bytes each entry really inflates to, and
     * refuses it at the first limit crossed — without holding more than a buffer in memory.
     *
     * @param in             the nested zip's bytes (already inflated from the outer zip)
     * @param compressedSize the nested zip's compressed size in the outer zip (bounds the outer ratio), or -1
     * @param where          names the nested zip in messages, e.g. {@code "model.t4j!graph.zip"}
     */
    public static void checkNestedZip(InputStream in, long compressedSize, String where) throws IOException {
        Counting outer = new Counting(in, where, MAX_TOTAL_BYTES, compressedSize);
        try (ZipInputStream zip = new ZipInputStream(outer)) {
            byte[] buf = new byte[64 << 10];
            long total = 0;
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                String name = e.getName();
                long cap = name.endsWith(".json") ? MAX_JSON_BYTES : MAX_ENTRY_BYTES;
                long startCompressed = outer.count;
                long size = 0;
                for (int n = zip.read(buf); n > 0; n = zip.read(buf)) {
                    size += n;
                    total += n;
                    if (size > cap) {
                        throw new LimitExceeded(where + ": entry '" + name + "' inflates to more than "
                                + human(cap) + " (the most accepted for " + (cap == MAX_JSON_BYTES ? "a JSON entry"
                                : "one entry") + "); the file is damaged or crafted (a zip bomb). Nothing was loaded;"
                                + " use a bundle written by transfer4j.");
                    }
                    long compressed = Math.max(1, outer.count - startCompressed);
                    if (size > RATIO_FLOOR_BYTES && size > MAX_RATIO * compressed) {
                        throw new LimitExceeded(where + ": entry '" + name + "' inflates more than " + MAX_RATIO
                                + ":1 (" + human(size) + " from " + human(compressed) + " so far); model data never"
                                + " compresses like that, so the file is damaged or crafted (a zip bomb). Nothing was"
                                + " loaded; use a bundle written by transfer4j.");
                    }
                    if (total > MAX_TOTAL_BYTES) {
                        throw new LimitExceeded(where + ": entries inflate to more than " + human(MAX_TOTAL_BYTES)
                                + " in total; the file is damaged or crafted (a zip bomb). Nothing was loaded.");
                    }
                }
            }
        }
    }

    /** An input stream that refuses to deliver more than {@code max} bytes (for JSON entries read whole). */
    public static InputStream bounded(InputStream in, long max, long compressedSize, String where) {
        return new Counting(in, where, max, compressedSize);
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes + " bytes";
    }

    /** Counts bytes read, refusing past a cap and past {@link #MAX_RATIO} against a known compressed size. */
    private static final class Counting extends FilterInputStream {
        private final String where;
        private final long max;
        private final long compressedSize;
        long count;

        Counting(InputStream in, String where, long max, long compressedSize) {
            super(in);
            this.where = where;
            this.max = max;
            this.compressedSize = compressedSize;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            add(s);
            return s;
        }

        private void add(long n) throws LimitExceeded {
            count += n;
            if (count > max) {
                throw new LimitExceeded(where + " inflates to more than " + human(max) + " (the most accepted);"
                        + " the file is damaged or crafted (a zip bomb). Nothing was loaded.");
            }
            if (compressedSize >= 0 && count > RATIO_FLOOR_BYTES && count > MAX_RATIO * Math.max(1, compressedSize)) {
                throw new LimitExceeded(where + " inflates more than " + MAX_RATIO + ":1 (" + human(count) + " from "
                        + human(compressedSize) + "); the file is damaged or crafted (a zip bomb). Nothing was"
                        + " loaded; use a bundle written by transfer4j.");
            }
        }
    }
}
