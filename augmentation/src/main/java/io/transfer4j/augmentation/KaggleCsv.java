package io.transfer4j.augmentation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads the Kaggle CSV layout of MNIST and Fashion-MNIST ({@code mnist_train.csv}, {@code fashion-mnist_train.csv}):
 * one image per line, the label first, then the pixels row-major as integers 0..255 (784 of them for 28x28).
 * An optional header line ({@code label,pixel1,...}) is recognised by its first field not being a number.
 *
 * <p>Images are square: the side is derived from the column count, which must be 1 + side^2. Every line must
 * have the same number of columns; a bad value is reported with its line and column.
 */
final class KaggleCsv {

    private KaggleCsv() {
    }

    record Parsed(int count, int rows, int cols, byte[] pixels, byte[] labels) {
    }

    static Parsed read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException(file + ": no such file (expected a Kaggle MNIST/Fashion-MNIST CSV: label then the pixels)");
        }
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(Files.newInputStream(file), StandardCharsets.US_ASCII), 1 << 16)) {
            String line = reader.readLine();
            int lineNo = 1;
            while (line != null && line.isBlank()) {
                line = reader.readLine();
                lineNo++;
            }
            if (line == null) {
                throw new MnistData.FormatException(file + " is empty; expected lines of a label followed by the pixels "
                        + "(785 comma-separated integers for 28x28 images).");
            }
            if (isHeader(line)) {
                checkHeader(file, line);
                line = reader.readLine();
                lineNo++;
            }
            int columns = -1;
            int side = -1;
            int count = 0;
            byte[] pixels = new byte[0];
            byte[] labels = new byte[0];
            int[] values = new int[0];
            for (; line != null; line = reader.readLine(), lineNo++) {
                if (line.isBlank()) {
                    continue;
                }
                if (columns < 0) {
                    columns = countColumns(line);
                    side = sideFor(file, columns);
                    values = new int[columns];
                    pixels = new byte[1024 * side * side];
                    labels = new byte[1024];
                }
                parseLine(file, line, lineNo, values);
                if (count == labels.length) {
                    labels = Arrays.copyOf(labels, labels.length * 2);
                    pixels = Arrays.copyOf(pixels, labels.length * side * side);
                }
                if (values[0] > 255) {
                    throw new MnistData.FormatException(file + " line " + lineNo + ": label " + values[0]
                            + " is out of range; labels are class indices 0.." + (MnistData.NUM_CLASSES - 1) + ".");
                }
                labels[count] = (byte) values[0];
                int base = count * side * side;
                for (int c = 1; c < columns; c++) {
                    if (values[c] > 255) {
                        throw new MnistData.FormatException(file + " line " + lineNo + ", column " + (c + 1) + ": pixel value "
                                + values[c] + " is out of range; pixels are integers 0..255.");
                    }
                    pixels[base + c - 1] = (byte) values[c];
                }
                count++;
            }
            if (count == 0) {
                throw new MnistData.FormatException(file + " has a header but no data lines.");
            }
            return new Parsed(count, side, side, Arrays.copyOf(pixels, count * side * side), Arrays.copyOf(labels, count));
        }
    }

    private static boolean isHeader(String line) {
        char c = line.strip().charAt(0);
        return !(c >= '0' && c <= '9');
    }

    private static void checkHeader(Path file, String line) throws MnistData.FormatException {
        String first = line.split(",", 2)[0].strip().replace("\"", "");
        if (!first.equalsIgnoreCase("label")) {
            throw new MnistData.FormatException(file + " starts with the header '" + abbreviate(line)
                    + "', whose first column is '" + first + "'; the Kaggle layout needs the label first "
                    + "(label,pixel1,...,pixel784). Unlabelled files such as Kaggle's digit-recognizer test.csv cannot be used.");
        }
    }

    private static int countColumns(String line) {
        int n = 1;
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == ',') {
                n++;
            }
        }
        return n;
    }

    private static int sideFor(Path file, int columns) throws MnistData.FormatException {
        int side = (int) Math.round(Math.sqrt(columns - 1.0));
        if (columns < 2 || side * side != columns - 1) {
            throw new MnistData.FormatException(file + ": the first data line has " + columns + " columns; expected the "
                    + "label followed by a square image's pixels (785 = 1 + 28x28 for MNIST/Fashion-MNIST)"
                    + (columns == 784 ? ". 784 columns means no label column (Kaggle's unlabelled test.csv?)" : "") + ".");
        }
        return side;
    }

    /** Parses non-negative integers separated by commas (optional surrounding blanks) into {@code out}. */
    private static void parseLine(Path file, String line, int lineNo, int[] out) throws MnistData.FormatException {
        int col = 0;
        int value = -1;
        boolean closed = false;
        int n = line.length();
        for (int i = 0; i <= n; i++) {
            char ch = i < n ? line.charAt(i) : ',';
            if (ch >= '0' && ch <= '9') {
                if (closed) {
                    throw new MnistData.FormatException(file + " line " + lineNo + ", column " + (col + 1)
                            + ": two numbers without a comma between them; values must be comma-separated.");
                }
                value = value < 0 ? ch - '0' : Math.min(value * 10 + (ch - '0'), 1_000_000);
            } else if (ch == ',') {
                if (value < 0) {
                    throw new MnistData.FormatException(file + " line " + lineNo + ", column " + (col + 1)
                            + ": empty value; every column must be an integer.");
                }
                if (col >= out.length) {
                    throw new MnistData.FormatException(file + " line " + lineNo + " has " + countColumns(line)
                            + " columns; the first data line had " + out.length + ". All lines need the same count.");
                }
                out[col++] = value;
                value = -1;
                closed = false;
            } else if (ch == ' ' || ch == '\t' || ch == '\r') {
                closed = value >= 0;
            } else {
                throw new MnistData.FormatException(file + " line " + lineNo + ", column " + (col + 1)
                        + ": unexpected character '" + ch + "'; values must be non-negative integers (label, then pixels 0..255).");
            }
        }
        if (col != out.length) {
            throw new MnistData.FormatException(file + " line " + lineNo + " has " + col
                    + " columns; the first data line had " + out.length + ". All lines need the same count (is the file truncated?).");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
