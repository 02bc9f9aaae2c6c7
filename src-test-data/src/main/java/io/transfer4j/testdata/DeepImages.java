package io.transfer4j.testdata;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * 16-bit grayscale images as medical and microscopy users have them: TIFF (uncompressed, via the JDK's TIFF
 * writer), multi-page TIFF, 16-bit PNG, and seeded class folders of them whose classes differ in intensity
 * pattern across the full 16-bit range (values above 255 everywhere, so 8-bit saturation would destroy them).
 */
public final class DeepImages {

    private DeepImages() {
    }

    /** A 16-bit gray image from row-major values (each 0..65535). */
    public static BufferedImage gray16(int width, int height, int[] values) {
        if (values.length != width * height) {
            throw new IllegalArgumentException("need width*height = " + width * height + " values; received "
                    + values.length);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = img.getRaster();
        short[] data = ((DataBufferUShort) r.getDataBuffer()).getData();
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 65535) {
                throw new IllegalArgumentException("16-bit values must be 0..65535; received " + values[i]);
            }
            data[i] = (short) values[i];
        }
        return img;
    }

    /** Writes one or more pages as an uncompressed TIFF. */
    public static void writeTiff(Path file, List<BufferedImage> pages) throws IOException {
        if (pages.isEmpty()) {
            throw new IllegalArgumentException("a TIFF needs at least one page");
        }
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("tiff");
        if (!it.hasNext()) {
            throw new IOException("this JDK has no TIFF ImageIO writer (JDK 9+ has one)");
        }
        ImageWriter w = it.next();
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream os = Files.newOutputStream(file); ImageOutputStream out = ImageIO.createImageOutputStream(os)) {
            w.setOutput(out);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionType("Deflate");
            if (pages.size() == 1) {
                w.write(null, new IIOImage(pages.get(0), null, null), p);
            } else {
                w.prepareWriteSequence(null);
                for (BufferedImage page : pages) {
                    w.writeToSequence(new IIOImage(page, null, null), p);
                }
                w.endWriteSequence();
            }
        } finally {
            w.dispose();
        }
    }

    /** Writes a 16-bit PNG. */
    public static void writePng(Path file, BufferedImage img) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    /**
     * Seeded class folders of 16-bit gray TIFFs: {@code bright} (a bright disc on a mid background),
     * {@code dark} (a dark disc), values spread over 1000..64000. Returns the files written.
     */
    public static List<Path> tiffFolder(Path dir, int perClass, int size, long seed) throws IOException {
        List<Path> out = new ArrayList<>();
        String[] classes = {"bright", "dark"};
        for (int c = 0; c < classes.length; c++) {
            for (int i = 0; i < perClass; i++) {
                Random rng = new Random(seed * 7_919L + c * 104_729L + i);
                int[] v = new int[size * size];
                double cx = size * (0.3 + 0.4 * rng.nextDouble());
                double cy = size * (0.3 + 0.4 * rng.nextDouble());
                double r = size * (0.15 + 0.1 * rng.nextDouble());
                int bg = 20_000 + rng.nextInt(10_000);
                int disc = c == 0 ? 60_000 + rng.nextInt(4_000) : 1_000 + rng.nextInt(4_000);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        boolean in = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
                        int noise = rng.nextInt(1_001) - 500;
                        v[y * size + x] = Math.max(0, Math.min(65535, (in ? disc : bg) + noise));
                    }
                }
                Path f = dir.resolve(classes[c]).resolve(String.format("%s_%03d.tif", classes[c], i));
                writeTiff(f, List.of(gray16(size, size, v)));
                out.add(f);
            }
        }
        return out;
    }
}
