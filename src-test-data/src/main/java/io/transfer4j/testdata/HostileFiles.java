package io.transfer4j.testdata;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * A class folder full of the files real data sets contain and loaders choke on: zero-byte files, truncated JPEG
 * and PNG, text with an image extension, a decompression bomb (a real, valid PNG of 12000x12000 pixels that is
 * ~150 KB on disk), a CMYK JPEG, an unreadable file, a broken symbolic link, a directory link loop, an empty class
 * directory and a non-image file. Each hostile file is described by a {@link Case} with the reason a checker
 * should report (the names of transfer4j's {@code BadFileKind}; this module does not depend on it).
 */
public final class HostileFiles {

    private HostileFiles() {
    }

    /**
     * One generated file.
     *
     * @param relative     path relative to the corpus root ({@code /}-separated)
     * @param expectedKind the reason a checker should report ({@code EMPTY}, {@code TRUNCATED}, ...)
     * @param needsNonRoot true if the case only bites when the process is not root (permissions)
     */
    public record Case(String relative, String expectedKind, boolean needsNonRoot) {
    }

    /** What was generated. */
    public record Corpus(Path root, List<String> goodFiles, List<Case> hostile, List<String> emptyClasses,
                         List<String> ignoredFiles) {
    }

    /** Pixel count of the decompression bomb (12000 x 12000). */
    public static final long BOMB_PIXELS = 12_000L * 12_000L;

    /**
     * Writes the corpus into {@code dir} (new or empty): classes {@code cats} and {@code dogs} with 3 good images
     * each plus the hostile files, and an empty class {@code empty_class}.
     */
    public static Corpus generate(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        Path cats = Files.createDirectories(dir.resolve("cats"));
        Path dogs = Files.createDirectories(dir.resolve("dogs"));
        Files.createDirectories(dir.resolve("empty_class"));
        List<String> good = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Random rng = new Random(seed + i);
            ImageIO.write(ImageFolders.draw("circles", 32, rng), "png", cats.resolve("good_" + i + ".png").toFile());
            good.add("cats/good_" + i + ".png");
            ImageIO.write(ImageFolders.draw("squares", 32, rng), "jpeg", dogs.resolve("good_" + i + ".jpg").toFile());
            good.add("dogs/good_" + i + ".jpg");
        }
        List<Case> cases = new ArrayList<>();
        byte[] jpeg = jpeg(ImageFolders.draw("rings", 64, new Random(seed)));
        byte[] png = png(ImageFolders.draw("stripes", 64, new Random(seed)));

        Files.write(cats.resolve("empty.jpg"), new byte[0]);
        cases.add(new Case("cats/empty.jpg", "EMPTY", false));
        Files.write(cats.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length * 6 / 10));
        cases.add(new Case("cats/truncated.jpg", "TRUNCATED", false));
        Files.write(cats.resolve("truncated.png"), Arrays.copyOf(png, png.length * 6 / 10));
        cases.add(new Case("cats/truncated.png", "TRUNCATED", false));
        Files.writeString(cats.resolve("notes.PNG"), "These are my cat pictures, not a picture.\n",
                StandardCharsets.UTF_8);
        cases.add(new Case("cats/notes.PNG", "NOT_AN_IMAGE", false));
        writeBomb(cats.resolve("bomb.png"), 12_000, 12_000);
        cases.add(new Case("cats/bomb.png", "TOO_MANY_PIXELS", false));
        Files.write(cats.resolve("cmyk.jpg"), cmykJpeg(32, 32));
        cases.add(new Case("cats/cmyk.jpg", "UNSUPPORTED", false));
        Path locked = cats.resolve("locked.png");
        Files.write(locked, png);
        try {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
            cases.add(new Case("cats/locked.png", "UNREADABLE", true));
        } catch (UnsupportedOperationException e) {
            Files.delete(locked);
        }
        List<String> ignored = new ArrayList<>();
        Files.writeString(dogs.resolve("README.txt"), "not an image extension: never listed\n");
        ignored.add("dogs/README.txt");
        try {
            Files.createSymbolicLink(dogs.resolve("gone.jpg"), dogs.resolve("deleted-long-ago.jpg"));
            cases.add(new Case("dogs/gone.jpg", "BROKEN_LINK", false));
            Files.createSymbolicLink(dogs.resolve("loop"), Path.of(".")); // dogs/loop/loop/... forever
            cases.add(new Case("dogs/loop", "LINK_LOOP", false));
        } catch (UnsupportedOperationException | IOException e) {
            // file systems without symbolic links: those cases are simply absent
        }
        return new Corpus(dir, List.copyOf(good), List.copyOf(cases), List.of("empty_class"), List.copyOf(ignored));
    }

    /** JPEG bytes of an RGB image. */
    public static byte[] jpeg(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", out);
        return out.toByteArray();
    }

    /** PNG bytes. */
    public static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /**
     * A valid 8-bit gray PNG of {@code width x height} zero pixels, streamed through a deflater so neither this
     * generator nor the disk holds the pixels (12000 x 12000 is ~140 KB).
     */
    public static void writeBomb(Path file, int width, int height) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9))) {
            byte[] row = new byte[width + 1]; // filter byte 0 + zero pixels
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
            ByteBuffer ihdr = ByteBuffer.allocate(13);
            ihdr.putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
            chunk(out, "IHDR", ihdr.array());
            chunk(out, "IDAT", idat.toByteArray());
            chunk(out, "IEND", new byte[0]);
        }
    }

    private static void chunk(OutputStream out, String type, byte[] data) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A 4-component (CMYK) JPEG, as written by the JDK from a 4-band raster. */
    public static byte[] cmykJpeg(int width, int height) throws IOException {
        WritableRaster r = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                r.setPixel(x, y, new int[] {x * 8 % 256, y * 8 % 256, 40, 10});
            }
        }
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter w = it.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            w.setOutput(out);
            w.write(null, new IIOImage(r, null, null), null);
        } finally {
            w.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * JPEG bytes with an EXIF APP1 segment carrying {@code orientation} (1..8) inserted after the start marker, as
     * cameras write for photos taken in portrait.
     */
    public static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        if (orientation < 1 || orientation > 8) {
            throw new IllegalArgumentException("EXIF orientation must be 1..8; received " + orientation);
        }
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
        tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8); // big-endian header, IFD0 at offset 8
        tiff.putShort((short) 1); // one entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0); // no next IFD
        byte[] exif = new byte[6 + tiff.capacity()];
        System.arraycopy(new byte[] {'E', 'x', 'i', 'f', 0, 0}, 0, exif, 0, 6);
        System.arraycopy(tiff.array(), 0, exif, 6, tiff.capacity());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        int len = exif.length + 2;
        out.write(len >> 8);
        out.write(len & 0xFF);
        out.write(exif, 0, exif.length);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }
}
