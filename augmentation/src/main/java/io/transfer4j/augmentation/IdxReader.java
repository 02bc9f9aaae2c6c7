package io.transfer4j.augmentation;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST ({@code *-images-idx3-ubyte}, {@code *-labels-idx1-ubyte}),
 * gzipped or plain; gzip is recognised by its magic bytes, not by the file name.
 *
 * <p>IDX header: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, then one
 * big-endian int per dimension. Images: magic 0x00000803 (2051), dimensions [n, rows, cols]. Labels: magic
 * 0x00000801 (2049), dimension [n]. Everything is checked; a bad file gets a message naming the file, what was
 * found and what was expected.
 */
final class IdxReader {

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    /** Java arrays hold at most this many bytes (a little under Integer.MAX_VALUE). */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8L;

    private IdxReader() {
    }

    /** Pixels of an images file, row-major per image, one unsigned byte per pixel. */
    record Images(int count, int rows, int cols, byte[] pixels) {
    }

    static Images readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw new MnistData.FormatException(file + " is not an IDX images file: magic number " + describeMagic(magic)
                        + ", expected 0x00000803 (2051: unsigned bytes, 3 dimensions)"
                        + (magic == LABELS_MAGIC ? ". It is a labels file: were images and labels swapped?" : "")
                        + ". Pass a *-images-idx3-ubyte[.gz] file.");
            }
            int count = readHeaderInt(in, file, "image count");
            int rows = readHeaderInt(in, file, "row count");
            int cols = readHeaderInt(in, file, "column count");
            if (count <= 0 || rows <= 0 || cols <= 0) {
                throw new MnistData.FormatException(file + ": header says " + count + " images of " + rows + "x" + cols
                        + " pixels; all three must be positive. The file is damaged: download it again.");
            }
            long bytes = (long) count * rows * cols;
            if (bytes > MAX_BYTES) {
                throw new MnistData.FormatException(file + ": header says " + count + " images of " + rows + "x" + cols
                        + " = " + bytes + " bytes, more than one Java array holds (" + MAX_BYTES
                        + "). Split the file or check that it is really an MNIST-style file.");
            }
            byte[] pixels = readBody(in, file, (int) bytes,
                    count + " images of " + rows + "x" + cols + " = " + bytes + " bytes of pixels");
            return new Images(count, rows, cols, pixels);
        }
    }

    /** Labels as unsigned bytes; values are checked by the caller, which knows the number of classes. */
    static byte[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic number");
            if (magic != LABELS_MAGIC) {
                throw new MnistData.FormatException(file + " is not an IDX labels file: magic number " + describeMagic(magic)
                        + ", expected 0x00000801 (2049: unsigned bytes, 1 dimension)"
                        + (magic == IMAGES_MAGIC ? ". It is an images file: were images and labels swapped?" : "")
                        + ". Pass a *-labels-idx1-ubyte[.gz] file.");
            }
            int count = readHeaderInt(in, file, "label count");
            if (count <= 0) {
                throw new MnistData.FormatException(file + ": header says " + count
                        + " labels; it must be positive. The file is damaged: download it again.");
            }
            return readBody(in, file, count, count + " labels");
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException(file + ": no such file (expected an MNIST/Fashion-MNIST IDX file, gzipped or plain)");
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                raw = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            } catch (ZipException | EOFException e) {
                raw.close();
                throw new MnistData.FormatException(file + " starts like a gzip file but its gzip header is damaged ("
                        + e.getMessage() + "). Download it again.", e);
            }
        }
        return new DataInputStream(raw);
    }

    private static int readHeaderInt(DataInputStream in, Path file, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new MnistData.FormatException(file + " ends inside its IDX header (while reading the " + what
                    + "). The file is truncated or empty: download it again.", e);
        } catch (ZipException e) {
            throw corruptGzip(file, e);
        }
    }

    private static byte[] readBody(DataInputStream in, Path file, int expected, String description) throws IOException {
        byte[] body = new byte[expected];
        int read;
        try {
            read = in.readNBytes(body, 0, expected);
        } catch (EOFException e) {
            throw new MnistData.FormatException(file + " is truncated: its gzip stream ends early (" + e.getMessage()
                    + "); the header promised " + description + ". Download it again.", e);
        } catch (ZipException e) {
            throw corruptGzip(file, e);
        }
        if (read < expected) {
            throw new MnistData.FormatException(file + " is truncated: the header promises " + description + ", but only "
                    + read + " bytes follow. Download it again.");
        }
        long extra;
        try {
            extra = in.skip(Long.MAX_VALUE);
        } catch (EOFException | ZipException e) {
            throw corruptGzip(file, e);
        }
        if (extra > 0) {
            throw new MnistData.FormatException(file + " has " + extra + " bytes after the " + description
                    + " its header announces. The header and the data disagree: the file is damaged or not an IDX file.");
        }
        return body;
    }

    private static MnistData.FormatException corruptGzip(Path file, IOException e) {
        return new MnistData.FormatException(file + " is a damaged gzip file (" + e.getMessage() + "). Download it again.", e);
    }

    private static String describeMagic(int magic) {
        return String.format("0x%08X (%d)", magic, magic);
    }
}
