package io.transfer4j.augmentation;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes small MNIST-format files for tests. Image i has label i % 10; its first two pixels hold i (low byte,
 * high byte) so tests can tell which image they got; the others are (i * 7 + r * 3 + c) % 256.
 */
final class MnistFiles {

    private MnistFiles() {
    }

    static int pixel(int i, int r, int c) {
        if (r == 0 && c < 2) {
            return c == 0 ? i & 0xff : (i >> 8) & 0xff;
        }
        return (i * 7 + r * 3 + c) % 256;
    }

    /** Which generated image this is (inverse of the first two pixels). */
    static int id(MnistData d, int position) {
        return d.pixel(position, 0, 0) + 256 * d.pixel(position, 0, 1);
    }

    static byte[] imagesIdx(int magic, int count, int rows, int cols) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            out.writeInt(count);
            out.writeInt(rows);
            out.writeInt(cols);
            for (int i = 0; i < count; i++) {
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        out.writeByte(pixel(i, r, c));
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    static byte[] labelsIdx(int magic, int count) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            out.writeInt(count);
            for (int i = 0; i < count; i++) {
                out.writeByte(i % 10);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(plain);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    static Path write(Path dir, String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    /** A good pair of gzipped train files with {@code count} 28x28 images. */
    static void writeTrainPair(Path dir, String part, int count) throws IOException {
        write(dir, part + "-images-idx3-ubyte.gz", gzip(imagesIdx(IdxReader.IMAGES_MAGIC, count, 28, 28)));
        write(dir, part + "-labels-idx1-ubyte.gz", gzip(labelsIdx(IdxReader.LABELS_MAGIC, count)));
    }

    /** A Kaggle CSV line: label, then rows*cols pixels following {@link #pixel}. */
    static String csvLine(int i, int rows, int cols) {
        StringBuilder sb = new StringBuilder().append(i % 10);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                sb.append(',').append(pixel(i, r, c));
            }
        }
        return sb.toString();
    }

    /** Where the shared real data sets are: -Dtransfer4j.datasets, else ../shared/datasets from the repository root. */
    static Path sharedDatasets() {
        String prop = System.getProperty("transfer4j.datasets");
        if (prop != null) {
            return Path.of(prop);
        }
        Path moduleDir = Path.of("").toAbsolutePath();
        return moduleDir.getParent().getParent().resolve("shared").resolve("datasets");
    }
}
