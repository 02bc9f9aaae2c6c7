package io.transfer4j.augmentation.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import javax.imageio.ImageIO;

/** Planar 0-255 floats to viewable images, and atomic image writes. */
public final class Images {
    private Images() {
    }

    /** Rounds and clips planar 0-255 values ({@code c} = 1, 3 or 4) into an 8-bit image. */
    public static BufferedImage toBufferedImage(float[] x, int c, int h, int w) {
        int n = h * w;
        BufferedImage img = new BufferedImage(w, h, c == 4 ? BufferedImage.TYPE_INT_ARGB
                : c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        if (c == 1) {
            byte[] data = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < n; i++) {
                data[i] = (byte) to8(x[i]);
            }
            return img;
        }
        int[] argb = new int[n];
        for (int i = 0; i < n; i++) {
            int a = c == 4 ? to8(x[3 * n + i]) : 255;
            argb[i] = a << 24 | to8(x[i]) << 16 | to8(x[n + i]) << 8 | to8(x[2 * n + i]);
        }
        img.setRGB(0, 0, w, h, argb, 0, w);
        return img;
    }

    private static int to8(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Writes through a temporary file beside the target and an atomic move. */
    public static void writeAtomically(BufferedImage img, String format, Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
        try {
            BufferedImage out = img;
            if (format.equals("jpeg") && img.getColorModel().hasAlpha()) {
                out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
                out.getGraphics().drawImage(img, 0, 0, null);
            }
            if (!ImageIO.write(out, format, tmp.toFile())) {
                throw new IOException("no ImageIO writer for format '" + format + "'");
            }
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Moves a finished temporary file over its target, atomically where the file system allows. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * A 64-bit difference hash (dHash) of an image: gray (channel mean), box-averaged to 9x8, one bit per
     * horizontally adjacent pair (left brighter than right). Near-identical images (re-encoded, slightly resized,
     * brightness-shifted) differ in few bits. Never 0 for an image with any horizontal structure; a flat image
     * hashes to 0 and is not compared.
     */
    public static long differenceHash(io.transfer4j.augmentation.DecodedImage d) {
        int w = d.width();
        int h = d.height();
        int ch = Math.min(d.channels(), 3);
        float[] p = d.planes();
        double[] cells = new double[9 * 8];
        int[] n = new int[9 * 8];
        for (int y = 0; y < h; y++) {
            int cy = Math.min(7, y * 8 / h);
            for (int x = 0; x < w; x++) {
                int cx = Math.min(8, x * 9 / w);
                double v = 0;
                for (int c = 0; c < ch; c++) {
                    v += p[(c * h + y) * w + x];
                }
                cells[cy * 9 + cx] += v;
                n[cy * 9 + cx]++;
            }
        }
        long bits = 0;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                double a = n[y * 9 + x] == 0 ? 0 : cells[y * 9 + x] / n[y * 9 + x];
                double b = n[y * 9 + x + 1] == 0 ? 0 : cells[y * 9 + x + 1] / n[y * 9 + x + 1];
                bits = (bits << 1) | (a > b ? 1 : 0);
            }
        }
        return bits;
    }
}
