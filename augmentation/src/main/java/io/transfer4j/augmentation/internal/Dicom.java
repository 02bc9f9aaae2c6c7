package io.transfer4j.augmentation.internal;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ij.ImagePlus;
import ij.ImageStack;
import ij.plugin.DICOM;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

import io.transfer4j.augmentation.BadFileKind;
import io.transfer4j.augmentation.DecodedImage;
import io.transfer4j.augmentation.DicomFrames;
import io.transfer4j.augmentation.DicomOptions;
import io.transfer4j.augmentation.DicomWindow;
import io.transfer4j.augmentation.ImageDecodeException;

/**
 * DICOM decoding through ImageJ's reader ({@code ij.plugin.DICOM}, pure Java): header and pixels come from the
 * library; this class only picks the frame, applies the modality rescale (slope/intercept, through ImageJ's
 * calibration), the VOI window and MONOCHROME1 inversion, and turns failures into {@link ImageDecodeException}s a
 * user can act on.
 *
 * <p>Output: gray images as 16-bit {@link DecodedImage}s whose float values are the windowed values scaled to
 * {@code 0..65535} (not rounded: two HU values one apart stay apart), RGB images as 8-bit RGB.
 *
 * <p><b>Privacy</b>: the header (which names the patient) stays in memory here. Messages and warnings carry only
 * technical attributes (size, transfer syntax, photometric interpretation, SOP class); {@link Header#tag} hands a
 * value to callers that need it in memory (the group key of a patient-level split), never to output.
 */
public final class Dicom {

    /** Offset of the {@code DICM} magic (after the 128-byte preamble). */
    public static final int MAGIC_OFFSET = 128;

    static {
        // ImageJ converts images with a rescale slope != 1 to float through GUI commands (IJ.run "32-bit",
        // "Multiply..."), which fail without a display. Keep its integer path; the rescale is applied here from the
        // header (stored value * slope + intercept), whatever ImageJ's calibration would have been.
        ij.Prefs.ignoreRescaleSlope = true;
        ij.Prefs.openDicomsAsFloat = false;
    }

    private Dicom() {
    }

    /** True when the bytes carry {@code DICM} at offset 128 (DICOM Part 10 files). */
    public static boolean isDicom(byte[] b) {
        return b.length >= MAGIC_OFFSET + 4 && b[MAGIC_OFFSET] == 'D' && b[MAGIC_OFFSET + 1] == 'I'
                && b[MAGIC_OFFSET + 2] == 'C' && b[MAGIC_OFFSET + 3] == 'M';
    }

    /** The header as ImageJ reports it ({@code gggg,eeee} -> value; first occurrence of each tag). */
    public record Header(Map<String, String> tags) {

        /** A tag's value ({@code "0010,0020"}), trimmed; null when absent or empty. */
        public String tag(String tag) {
            String v = tags.get(tag.toUpperCase(Locale.ROOT));
            return v == null || v.isBlank() ? null : v.trim();
        }

        int intTag(String tag, int dflt) {
            String v = tag(tag);
            if (v == null) {
                return dflt;
            }
            try {
                return (int) Double.parseDouble(firstValue(v));
            } catch (NumberFormatException e) {
                return dflt;
            }
        }

        double doubleTag(String tag, double dflt) {
            String v = tag(tag);
            if (v == null) {
                return dflt;
            }
            try {
                return Double.parseDouble(firstValue(v));
            } catch (NumberFormatException e) {
                return dflt;
            }
        }

        public int rows() {
            return intTag("0028,0010", 0);
        }

        public int columns() {
            return intTag("0028,0011", 0);
        }

        public int frames() {
            return Math.max(1, intTag("0028,0008", 1));
        }

        public int samplesPerPixel() {
            return intTag("0028,0002", 1);
        }

        public int bitsAllocated() {
            return intTag("0028,0100", 16);
        }

        public String transferSyntax() {
            String t = tag("0002,0010");
            return t == null ? "1.2.840.10008.1.2" : t.replace("\0", "").trim();
        }

        public String photometric() {
            String p = tag("0028,0004");
            return p == null ? "MONOCHROME2" : p.toUpperCase(Locale.ROOT);
        }

        /** Byte offset of the pixel data value, or -1 without pixel data. */
        public long pixelDataOffset() {
            String v = tag("7FE0,0010");
            if (v == null) {
                return -1;
            }
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        /** Bytes the pixel data needs for the declared size (uncompressed). */
        public long expectedPixelBytes() {
            long samples = (long) rows() * columns() * frames() * samplesPerPixel();
            int bits = bitsAllocated();
            return bits == 1 ? (samples + 7) / 8 : samples * (bits / 8);
        }
    }

    private static String firstValue(String v) {
        int b = v.indexOf('\\');
        return (b >= 0 ? v.substring(0, b) : v).trim();
    }

    private static String name(Path file) {
        return file == null || file.getFileName() == null ? "image.dcm" : file.getFileName().toString();
    }

    /** Reads the header (ImageJ's tag listing). Never fails on a readable DICOM prefix. */
    public static Header header(byte[] bytes, Path file) throws ImageDecodeException {
        String info;
        try {
            info = new DICOM(new ByteArrayInputStream(bytes)).getInfo(name(file));
        } catch (RuntimeException e) {
            String syntax = syntaxInMeta(bytes);
            String unsupported = syntax == null ? null : unsupportedSyntax(syntax);
            if (unsupported != null) {
                throw new ImageDecodeException(file, BadFileKind.UNSUPPORTED,
                        "DICOM transfer syntax not supported by the reader: " + unsupported, e);
            }
            throw new ImageDecodeException(file, BadFileKind.CORRUPT, "DICOM header cannot be read ("
                    + e.getClass().getSimpleName() + "); re-export the file or remove it", e);
        }
        if (info == null || info.isBlank()) {
            throw new ImageDecodeException(file, BadFileKind.CORRUPT,
                    "DICOM header cannot be read; re-export the file or remove it", null);
        }
        Map<String, String> tags = new HashMap<>();
        for (String line : info.split("\n")) {
            // "0028,0010  Rows: 128"
            if (line.length() < 11 || line.charAt(4) != ',') {
                continue;
            }
            String tag = line.substring(0, 9).toUpperCase(Locale.ROOT);
            int colon = line.indexOf(':', 9);
            if (colon < 0) {
                continue;
            }
            tags.putIfAbsent(tag, line.substring(colon + 1));
        }
        return new Header(Map.copyOf(tags));
    }

    /**
     * The transfer syntax UID when the reader cannot walk the header (e.g. a deflated data set): the UID text as it
     * stands in the uncompressed file meta group right after the magic; null when none of the known ones is there.
     */
    static String syntaxInMeta(byte[] bytes) {
        int from = MAGIC_OFFSET + 4;
        int to = Math.min(bytes.length, from + 1024);
        if (to <= from) {
            return null;
        }
        String meta = new String(bytes, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("1\\.2\\.840\\.10008\\.1\\.2(\\.[0-9]+)*")
                .matcher(meta);
        String best = null;
        while (m.find()) {
            if (unsupportedSyntax(m.group()) != null) {
                best = m.group();
            }
        }
        return best;
    }

    /** Transfer syntaxes ImageJ's reader does not decode, with the dcmtk (or other) command that converts them. */
    static String unsupportedSyntax(String uid) {
        if (uid.startsWith("1.2.840.10008.1.2.4.5") || uid.startsWith("1.2.840.10008.1.2.4.6")
                || uid.startsWith("1.2.840.10008.1.2.4.70")) {
            return "JPEG (" + uid + "); convert it with dcmtk: dcmdjpeg in.dcm out.dcm";
        }
        if (uid.startsWith("1.2.840.10008.1.2.4.8")) {
            return "JPEG-LS (" + uid + "); convert it with dcmtk: dcmdjpls in.dcm out.dcm";
        }
        if (uid.startsWith("1.2.840.10008.1.2.4.9") || uid.startsWith("1.2.840.10008.1.2.4.20")) {
            return "JPEG 2000 / HTJ2K (" + uid + "), which dcmtk's free tools do not decode; convert it with GDCM: "
                    + "gdcmconv --raw in.dcm out.dcm";
        }
        if (uid.equals("1.2.840.10008.1.2.5")) {
            return "RLE Lossless (" + uid + "); convert it with dcmtk: dcmdrle in.dcm out.dcm";
        }
        if (uid.equals("1.2.840.10008.1.2.1.99")) {
            return "Deflated Explicit VR Little Endian (" + uid + "); convert it with dcmtk: "
                    + "dcmconv +te in.dcm out.dcm";
        }
        if (uid.startsWith("1.2.840.10008.1.2.4.")) {
            return "compressed transfer syntax " + uid + "; convert it to Explicit VR Little Endian, e.g. with "
                    + "dcmtk: dcmconv +te in.dcm out.dcm, or gdcmconv --raw in.dcm out.dcm";
        }
        return null;
    }

    /**
     * Checks what can be known without decoding pixels: pixel data present, transfer syntax supported, the size
     * within {@code maxPixels}, the pixel data complete ({@code fileSize} bytes in the file).
     */
    public static Header check(byte[] bytes, Path file, long maxPixels, long fileSize) throws ImageDecodeException {
        Header h = header(bytes, file);
        String unsupported = unsupportedSyntax(h.transferSyntax());
        if (unsupported != null) {
            throw new ImageDecodeException(file, BadFileKind.UNSUPPORTED,
                    "DICOM transfer syntax not supported by the reader: " + unsupported, null);
        }
        if (h.pixelDataOffset() < 0 || h.rows() < 1 || h.columns() < 1) {
            String sop = h.tag("0008,0016");
            String modality = h.tag("0008,0060");
            throw new ImageDecodeException(file, BadFileKind.NOT_AN_IMAGE, "DICOM file without pixel data"
                    + (modality == null ? "" : " (modality " + modality + ")")
                    + (sop == null ? "" : " (SOP class " + sop.trim() + ")")
                    + ", e.g. a structured report; remove it from the image folder", null);
        }
        long pixels = (long) h.rows() * h.columns();
        if (pixels > maxPixels) {
            throw new ImageDecodeException(file, BadFileKind.TOO_MANY_PIXELS, "DICOM header declares "
                    + h.columns() + "x" + h.rows() + " = " + pixels + " pixels, above the limit of " + maxPixels
                    + "; raise maxPixels if the image is genuine", null);
        }
        String pi = h.photometric();
        if (pi.startsWith("YBR") || pi.startsWith("PALETTE")) {
            throw new ImageDecodeException(file, BadFileKind.UNSUPPORTED, "DICOM photometric interpretation " + pi
                    + " is not supported (MONOCHROME1, MONOCHROME2 and RGB are); convert it to RGB first, e.g. "
                    + "with dcmtk: dcmconv --write-xfer-little in.dcm out.dcm after dcmdjpeg --conv-always", null);
        }
        long need = h.pixelDataOffset() + h.expectedPixelBytes();
        if (need > fileSize) {
            throw new ImageDecodeException(file, BadFileKind.TRUNCATED, "truncated DICOM: the header declares "
                    + h.columns() + "x" + h.rows() + "x" + h.frames() + " frame(s) of " + h.bitsAllocated()
                    + "-bit samples (" + h.expectedPixelBytes() + " bytes of pixel data) but the file ends "
                    + (need - fileSize) + " bytes short; re-copy or re-export the file", null);
        }
        return h;
    }

    /**
     * Decodes the frame(s) {@code options} ask for. {@code all} returns every frame, otherwise one (first or
     * middle).
     */
    public static List<DecodedImage> decode(byte[] bytes, Path file, DicomOptions options, long maxPixels,
                                            boolean all) throws ImageDecodeException {
        return decode(bytes, file, options, maxPixels, all, -1);
    }

    /** Frame {@code frame} (0-based) of a file. */
    public static DecodedImage decodeFrame(byte[] bytes, Path file, DicomOptions options, long maxPixels, int frame)
            throws ImageDecodeException {
        return decode(bytes, file, options, maxPixels, false, frame).get(0);
    }

    private static List<DecodedImage> decode(byte[] bytes, Path file, DicomOptions options, long maxPixels,
                                             boolean all, int only) throws ImageDecodeException {
        Header h = check(bytes, file, maxPixels, bytes.length);
        ImagePlus imp;
        try {
            DICOM d = new DICOM(new ByteArrayInputStream(bytes));
            d.open(name(file));
            imp = d;
        } catch (RuntimeException e) {
            throw new ImageDecodeException(file, BadFileKind.CORRUPT, "DICOM pixel data cannot be decoded ("
                    + e.getClass().getSimpleName() + "); re-export the file or remove it", e);
        }
        if (imp.getWidth() < 1 || imp.getStack() == null) {
            throw new ImageDecodeException(file, BadFileKind.CORRUPT, "DICOM pixel data cannot be decoded ("
                    + h.columns() + "x" + h.rows() + ", " + h.bitsAllocated() + "-bit, " + h.photometric()
                    + ", transfer syntax " + h.transferSyntax() + "); re-export the file or remove it", null);
        }
        ImageStack stack = imp.getStack();
        int n = stack.getSize();
        List<String> warnings = new ArrayList<>();
        int[] frames;
        if (only >= 0) {
            if (only >= n) {
                throw new ImageDecodeException(file, BadFileKind.CORRUPT, "frame " + (only + 1) + " asked for but the "
                        + "file has " + n + " frame(s); was it replaced while being read?", null);
            }
            frames = new int[] {only};
        } else if (all || options.frames() == DicomFrames.ALL) {
            frames = new int[n];
            for (int i = 0; i < n; i++) {
                frames[i] = i;
            }
        } else {
            int f = options.frames() == DicomFrames.MIDDLE ? n / 2 : 0;
            frames = new int[] {f};
            if (n > 1) {
                warnings.add("multi-frame DICOM: frame " + (f + 1) + " of " + n + " used");
            }
        }
        List<DecodedImage> out = new ArrayList<>(frames.length);
        for (int f : frames) {
            out.add(frame(stack.getProcessor(f + 1), h, options.window(), warnings, file));
        }
        return out;
    }

    private static DecodedImage frame(ImageProcessor ip, Header h, DicomWindow window,
                                      List<String> warnings, Path file) throws ImageDecodeException {
        int w = ip.getWidth();
        int hh = ip.getHeight();
        int n = w * hh;
        if (ip instanceof ColorProcessor cp) {
            float[] planes = new float[3 * n];
            int[] px = (int[]) cp.getPixels();
            for (int i = 0; i < n; i++) {
                int p = px[i];
                planes[i] = (p >> 16) & 0xFF;
                planes[n + i] = (p >> 8) & 0xFF;
                planes[2 * n + i] = p & 0xFF;
            }
            return new DecodedImage(w, hh, 3, 8, planes, warnings);
        }
        float[] v = modalityValues(ip, h);
        double lo;
        double hi;
        boolean linear;
        double c = Double.NaN;
        double width = Double.NaN;
        if (window.fromFileTags()) {
            c = h.doubleTag("0028,1050", Double.NaN);
            width = h.doubleTag("0028,1051", Double.NaN);
            if (Double.isFinite(width) && width <= 0) {
                throw new ImageDecodeException(file, BadFileKind.CORRUPT, "the file's window width (0028,1051) is "
                        + width + "; a width must be > 0. Choose a window for the flow (a preset such as lung, "
                        + "or CENTRE,WIDTH) or 'full'", null);
            }
        } else if (!window.full()) {
            c = window.center();
            width = window.width();
        }
        linear = Double.isFinite(c) && Double.isFinite(width);
        float[] out = new float[n];
        if (linear) {
            // DICOM PS3.3 C.11.2.1.2.1, LINEAR, output range 0..65535
            double c0 = c - 0.5;
            double wm1 = width - 1;
            for (int i = 0; i < n; i++) {
                double x = v[i];
                double y;
                if (wm1 <= 0) {
                    y = x <= c0 ? 0 : 1;
                } else if (x <= c0 - wm1 / 2) {
                    y = 0;
                } else if (x > c0 + wm1 / 2) {
                    y = 1;
                } else {
                    y = (x - c0) / wm1 + 0.5;
                }
                out[i] = (float) (y * 65535.0);
            }
        } else {
            lo = Double.POSITIVE_INFINITY;
            hi = Double.NEGATIVE_INFINITY;
            for (float x : v) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            double range = hi - lo;
            for (int i = 0; i < n; i++) {
                out[i] = range > 0 ? (float) ((v[i] - lo) / range * 65535.0) : 0f;
            }
        }
        if (h.photometric().startsWith("MONOCHROME1")) {
            for (int i = 0; i < n; i++) {
                out[i] = 65535f - out[i];
            }
        }
        return new DecodedImage(w, hh, 1, 16, out, warnings);
    }

    /**
     * The values after the modality rescale: stored value (ImageJ keeps 16-bit signed samples offset by +32768)
     * times the rescale slope plus the intercept (0028,1053 / 0028,1052; 1 and 0 when absent).
     */
    static float[] modalityValues(ImageProcessor ip, Header h) {
        int n = ip.getWidth() * ip.getHeight();
        double slope = h.doubleTag("0028,1053", 1);
        double intercept = h.doubleTag("0028,1052", 0);
        boolean signed = h.intTag("0028,0103", 0) == 1;
        boolean signed16 = signed && ip instanceof ij.process.ShortProcessor;
        // samples using fewer bits than allocated (12 of 16): only the stored bits count (as pydicom reads them);
        // ImageJ keeps whatever the unused high bits hold
        int stored = h.intTag("0028,0101", 0);
        int allocated = ip instanceof ij.process.ShortProcessor ? 16 : ip instanceof ij.process.ByteProcessor ? 8 : 0;
        boolean mask = stored > 0 && stored < allocated;
        int bitsMask = mask ? (1 << stored) - 1 : -1;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double x;
            if (ip instanceof FloatProcessor) {
                x = ip.getf(i);
            } else {
                int word = signed16 ? (ip.get(i) - 32768) & 0xFFFF : ip.get(i);
                if (mask) {
                    word &= bitsMask;
                    if (signed && (word & (1 << (stored - 1))) != 0) {
                        word -= 1 << stored;
                    }
                } else if (signed16) {
                    word = (short) word;
                }
                x = word;
            }
            v[i] = (float) (x * slope + intercept);
        }
        return v;
    }

    /** The first frame's modality values (for comparisons with other decoders). */
    public static float[] modalityValues(byte[] bytes, Path file) throws ImageDecodeException {
        check(bytes, file, Long.MAX_VALUE, bytes.length);
        DICOM d = new DICOM(new ByteArrayInputStream(bytes));
        d.open(name(file));
        if (d.getWidth() < 1) {
            throw new ImageDecodeException(file, BadFileKind.CORRUPT, "DICOM pixel data cannot be decoded", null);
        }
        return modalityValues(d.getStack().getProcessor(1), header(bytes, file));
    }

}
