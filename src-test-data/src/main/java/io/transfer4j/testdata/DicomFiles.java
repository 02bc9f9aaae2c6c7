package io.transfer4j.testdata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Writes small DICOM Part 10 files (Explicit VR Little Endian) for tests: monochrome 8/16-bit, signed or not,
 * MONOCHROME1/2, RGB, multi-frame, with rescale and window tags and identifying attributes whose values a privacy
 * test can look for. Also the broken kinds a folder meets: no pixel data (a structured report), truncated pixel
 * data, a compressed transfer syntax, a window of width 0.
 *
 * <p>A writer for fixtures only: the project <em>reads</em> DICOM with ImageJ; this writes exactly the elements a
 * test needs, checked against pydicom in {@code DicomDecodeTest} where pydicom is installed.
 */
public final class DicomFiles {

    /** Explicit VR Little Endian. */
    public static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    /** RLE Lossless (not decoded by the reader). */
    public static final String RLE = "1.2.840.10008.1.2.5";
    /** Secondary Capture Image Storage. */
    public static final String SC_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.7";
    /** Basic Text SR. */
    public static final String SR_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.88.11";

    private DicomFiles() {
    }

    /**
     * What to write.
     *
     * @param rows          rows
     * @param columns       columns
     * @param frames        frames (>= 1); {@code pixels} holds them one after another
     * @param bitsAllocated 8 or 16
     * @param signed        pixel representation 1
     * @param photometric   MONOCHROME1, MONOCHROME2 or RGB
     * @param slope         rescale slope (NaN: no tag)
     * @param intercept     rescale intercept (NaN: no tag)
     * @param windowCenter  window centre (NaN: no tag)
     * @param windowWidth   window width (NaN: no tag)
     * @param patientName   (0010,0010)
     * @param patientId     (0010,0020); null: no tag
     * @param birthDate     (0010,0030)
     * @param accession     (0008,0050)
     * @param institution   (0008,0080)
     * @param transferSyntax the transfer syntax UID written in the meta header (pixels are always uncompressed)
     * @param pixels        stored values, frame after frame, row-major, RGB interleaved; null: no pixel data
     */
    public record Spec(int rows, int columns, int frames, int bitsAllocated, boolean signed, String photometric,
                       double slope, double intercept, double windowCenter, double windowWidth, String patientName,
                       String patientId, String birthDate, String accession, String institution,
                       String transferSyntax, int[] pixels) {

        /** A 16-bit signed CT-like image with HU rescale (intercept -1024) and identifying tags. */
        public static Spec ct(int rows, int columns, int[] pixels, String patientId) {
            return new Spec(rows, columns, 1, 16, true, "MONOCHROME2", 1, -1024, Double.NaN, Double.NaN,
                    "DOE^JANE", patientId, "19700101", "ACC0001", "GENERAL HOSPITAL", EXPLICIT_LE, pixels);
        }

        public Spec withWindow(double c, double w) {
            return new Spec(rows, columns, frames, bitsAllocated, signed, photometric, slope, intercept, c, w,
                    patientName, patientId, birthDate, accession, institution, transferSyntax, pixels);
        }

        public Spec withRescale(double s, double i) {
            return new Spec(rows, columns, frames, bitsAllocated, signed, photometric, s, i, windowCenter,
                    windowWidth, patientName, patientId, birthDate, accession, institution, transferSyntax, pixels);
        }

        public Spec withPhotometric(String p) {
            return new Spec(rows, columns, frames, bitsAllocated, signed, p, slope, intercept, windowCenter,
                    windowWidth, patientName, patientId, birthDate, accession, institution, transferSyntax, pixels);
        }

        public Spec withIdentity(String name, String id, String birth, String acc, String inst) {
            return new Spec(rows, columns, frames, bitsAllocated, signed, photometric, slope, intercept, windowCenter,
                    windowWidth, name, id, birth, acc, inst, transferSyntax, pixels);
        }

        public Spec withTransferSyntax(String ts) {
            return new Spec(rows, columns, frames, bitsAllocated, signed, photometric, slope, intercept, windowCenter,
                    windowWidth, patientName, patientId, birthDate, accession, institution, ts, pixels);
        }

        public Spec withFrames(int n, int[] allPixels) {
            return new Spec(rows, columns, n, bitsAllocated, signed, photometric, slope, intercept, windowCenter,
                    windowWidth, patientName, patientId, birthDate, accession, institution, transferSyntax,
                    allPixels);
        }

        public Spec withPixels(int bits, boolean isSigned, int[] p) {
            return new Spec(rows, columns, frames, bits, isSigned, photometric, slope, intercept, windowCenter,
                    windowWidth, patientName, patientId, birthDate, accession, institution, transferSyntax, p);
        }
    }

    /** The bytes of a file. */
    public static byte[] bytes(Spec s) {
        return bytes(s, s.bitsAllocated());
    }

    /**
     * The bytes of a file whose samples use only {@code bitsStored} of their bits (e.g. 12 of 16); the pixel words
     * are written as given, so a test can put garbage above the stored bits or leave signed values unextended.
     */
    public static byte[] bytes(Spec s, int bitsStored) {
        ByteArrayOutputStream ds = new ByteArrayOutputStream();
        String sop = s.pixels() == null ? SR_SOP_CLASS : SC_SOP_CLASS;
        String instance = "1.2.826.0.1.3680043.8.498." + Math.abs(Arrays.hashCode(s.pixels()) % 1_000_000_000L);
        str(ds, 0x0008, 0x0016, "UI", sop);
        str(ds, 0x0008, 0x0018, "UI", instance);
        str(ds, 0x0008, 0x0050, "SH", s.accession());
        str(ds, 0x0008, 0x0060, "CS", s.pixels() == null ? "SR" : "OT");
        str(ds, 0x0008, 0x0080, "LO", s.institution());
        str(ds, 0x0010, 0x0010, "PN", s.patientName());
        if (s.patientId() != null) {
            str(ds, 0x0010, 0x0020, "LO", s.patientId());
        }
        str(ds, 0x0010, 0x0030, "DA", s.birthDate());
        if (s.pixels() != null) {
            boolean rgb = s.photometric().equals("RGB");
            us(ds, 0x0028, 0x0002, rgb ? 3 : 1);
            str(ds, 0x0028, 0x0004, "CS", s.photometric());
            if (rgb) {
                us(ds, 0x0028, 0x0006, 0);
            }
            if (s.frames() > 1) {
                str(ds, 0x0028, 0x0008, "IS", Integer.toString(s.frames()));
            }
            us(ds, 0x0028, 0x0010, s.rows());
            us(ds, 0x0028, 0x0011, s.columns());
            us(ds, 0x0028, 0x0100, s.bitsAllocated());
            us(ds, 0x0028, 0x0101, bitsStored);
            us(ds, 0x0028, 0x0102, bitsStored - 1);
            us(ds, 0x0028, 0x0103, s.signed() ? 1 : 0);
            if (!Double.isNaN(s.windowCenter())) {
                str(ds, 0x0028, 0x1050, "DS", ds(s.windowCenter()));
                str(ds, 0x0028, 0x1051, "DS", ds(s.windowWidth()));
            }
            if (!Double.isNaN(s.intercept())) {
                str(ds, 0x0028, 0x1052, "DS", ds(s.intercept()));
                str(ds, 0x0028, 0x1053, "DS", ds(s.slope()));
            }
            byte[] px = pixelBytes(s);
            header(ds, 0x7FE0, 0x0010, s.bitsAllocated() == 8 ? "OB" : "OW", px.length);
            ds.writeBytes(px);
        } else {
            str(ds, 0x0040, 0xA040, "CS", "CONTAINER");
        }
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        header(meta, 0x0002, 0x0001, "OB", 2);
        meta.writeBytes(new byte[] {0, 1});
        str(meta, 0x0002, 0x0002, "UI", sop);
        str(meta, 0x0002, 0x0003, "UI", instance);
        str(meta, 0x0002, 0x0010, "UI", s.transferSyntax());
        str(meta, 0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.8.498.1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        header(out, 0x0002, 0x0000, "UL", 4);
        out.writeBytes(le(4, meta.size()));
        out.writeBytes(meta.toByteArray());
        out.writeBytes(ds.toByteArray());
        return out.toByteArray();
    }

    /** Writes a file (creating parent directories). */
    public static Path write(Path file, Spec s) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, bytes(s));
        return file;
    }

    /** A structured report: a DICOM file with identifying tags and no pixel data. */
    public static Path writeReport(Path file) throws IOException {
        return write(file, Spec.ct(1, 1, null, "SR-PATIENT-7"));
    }

    /** A valid image cut {@code missing} bytes short. */
    public static Path writeTruncated(Path file, Spec s, int missing) throws IOException {
        byte[] b = bytes(s);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Arrays.copyOf(b, b.length - missing));
        return file;
    }

    /**
     * A class folder of CT-like 16-bit signed images: {@code patients} patients per class, {@code imagesPerPatient}
     * images each, file names {@code <class>/p<k>_<i>.dcm} (or without extension when {@code noExtension}); class
     * 0 ("benign") is a uniform soft-tissue disc, class 1 ("malignant", the positive class) adds a dense spot. Patient IDs are
     * {@code PID-<class>-<k>}, names {@code SECRET^NAME<class><k>}, so a test can grep outputs for them.
     */
    public static List<Path> classFolder(Path dir, int patients, int imagesPerPatient, int size, long seed,
                                         boolean noExtension) throws IOException {
        Random r = new Random(seed);
        List<Path> out = new ArrayList<>();
        String[] classes = {"benign", "malignant"};
        for (int c = 0; c < classes.length; c++) {
            for (int k = 0; k < patients; k++) {
                for (int i = 0; i < imagesPerPatient; i++) {
                    int[] px = new int[size * size];
                    double cx = size / 2.0 + r.nextGaussian() * size / 16;
                    double cy = size / 2.0 + r.nextGaussian() * size / 16;
                    double sx = size * (0.25 + 0.5 * r.nextDouble());
                    double sy = size * (0.25 + 0.5 * r.nextDouble());
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            double d = Math.hypot(x - cx, y - cy);
                            int hu = d < size * 0.4 ? 40 : -1000; // soft tissue disc in air
                            if (c == 1 && Math.hypot(x - sx, y - sy) < size * 0.12) {
                                hu = 700; // dense spot
                            }
                            hu += (int) Math.round(r.nextGaussian() * 20);
                            px[y * size + x] = hu + 1024; // stored value, intercept -1024
                        }
                    }
                    String name = "p" + k + "_" + i + (noExtension ? "" : ".dcm");
                    Spec s = Spec.ct(size, size, px, "PID-" + c + "-" + k)
                            .withIdentity("SECRET^NAME" + c + k, "PID-" + c + "-" + k, "19500" + (100 + k),
                                    "ACCN" + c + k + i, "SECRET INSTITUTE " + c)
                            .withWindow(40, 400);
                    out.add(write(dir.resolve(classes[c]).resolve(name), s));
                }
            }
        }
        return out;
    }

    private static byte[] pixelBytes(Spec s) {
        int[] p = s.pixels();
        if (s.bitsAllocated() == 8) {
            byte[] b = new byte[p.length + (p.length & 1)];
            for (int i = 0; i < p.length; i++) {
                b[i] = (byte) p[i];
            }
            return b;
        }
        ByteBuffer bb = ByteBuffer.allocate(p.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : p) {
            bb.putShort((short) v);
        }
        return bb.array();
    }

    private static String ds(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }

    private static void str(ByteArrayOutputStream o, int group, int element, String vr, String value) {
        byte[] b = (value == null ? "" : value).getBytes(StandardCharsets.US_ASCII);
        if ((b.length & 1) == 1) {
            b = Arrays.copyOf(b, b.length + 1);
            b[b.length - 1] = (byte) (vr.equals("UI") ? 0 : ' ');
        }
        header(o, group, element, vr, b.length);
        o.writeBytes(b);
    }

    private static void us(ByteArrayOutputStream o, int group, int element, int v) {
        header(o, group, element, "US", 2);
        o.writeBytes(le(2, v));
    }

    private static void header(ByteArrayOutputStream o, int group, int element, String vr, int length) {
        o.writeBytes(le(2, group));
        o.writeBytes(le(2, element));
        o.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
        if (vr.equals("OB") || vr.equals("OW") || vr.equals("SQ") || vr.equals("UN") || vr.equals("UT")) {
            o.writeBytes(new byte[2]);
            o.writeBytes(le(4, length));
        } else {
            o.writeBytes(le(2, length));
        }
    }

    private static byte[] le(int n, long v) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >> (8 * i));
        }
        return b;
    }
}
