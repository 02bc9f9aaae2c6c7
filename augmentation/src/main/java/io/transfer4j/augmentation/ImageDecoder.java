package io.transfer4j.augmentation;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.apache.commons.imaging.ImageInfo;
import org.apache.commons.imaging.Imaging;

import io.transfer4j.augmentation.internal.Dicom;
import io.transfer4j.augmentation.internal.JpegHeader;
import io.transfer4j.augmentation.internal.PngFast;

/**
 * Decodes image files at full precision into {@link DecodedImage}s.
 *
 * <ul>
 *   <li>JPEG, PNG, BMP, GIF: the JDK's ImageIO. JPEG EXIF orientation is applied (Keras ignores it). CMYK/YCCK
 *       JPEGs are refused with a message saying how to convert them.</li>
 *   <li>TIFF: the header (size, page count) is read with Apache Commons Imaging; pixels come from the JDK's TIFF
 *       reader, which keeps 16-bit samples as 16-bit (Commons Imaging's {@code getBufferedImage} narrows them to 8
 *       bits); TIFF variants the JDK cannot read fall back to Commons Imaging. Multi-page TIFF: the first page, with
 *       a warning.</li>
 *   <li>PNM (PBM/PGM/PPM/PAM), PSD and the other formats Commons Imaging reads: Commons Imaging.</li>
 *   <li>DICOM (recognised by {@code DICM} at offset 128, whatever the extension): ImageJ's DICOM reader; the
 *       rescale slope/intercept, the window of {@link #dicomOptions()} and MONOCHROME1 inversion are applied and the
 *       result is a 16-bit image whose float values are not rounded (RGB DICOM: 8-bit RGB). Compressed transfer
 *       syntaxes are refused with the command that converts them.</li>
 * </ul>
 *
 * <p>Streams are memory-cached ({@code MemoryCacheImageInputStream}): {@code ImageIO.createImageInputStream} would
 * spool every image through a temporary file when ImageIO's global disk cache is on (its default).
 *
 * <p>Every file's pixel count is read from its header and checked against {@link #maxPixels()} <em>before</em> any
 * pixel memory is allocated (decompression-bomb guard). Failures are {@link ImageDecodeException}s with a
 * {@link BadFileKind}. Instances are immutable and thread-safe.
 */
public final class ImageDecoder {

    /** Pillow's {@code MAX_IMAGE_PIXELS} (it warns above this, and refuses above twice this). */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    /**
     * The one list of file name extensions (lower case, matched in any case) taken as images, for training
     * ({@code flow_from_directory}, {@code data check}, splits) and for prediction ({@code Predictor.predictAll},
     * {@code predict}, Spark): Keras' white list (png, jpg, jpeg, bmp, ppm, tif, tiff) plus what this decoder also
     * reads. Files without any extension count when they are DICOM files ({@code DICM} at offset 128).
     *
     * <p>A deliberate difference from Keras: Keras matches {@code fname.lower().endswith(ext)} without the dot, so
     * {@code noext_png} and {@code x12.xpng} are images to Keras; here the text after the last dot must equal an
     * entry, so they are not.
     */
    public static final List<String> IMAGE_EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff",
            "gif", "dcm", "pgm", "pbm", "pnm", "pam", "psd", "wbmp");

    /** True if the text after the last dot of {@code fileName} is one of {@link #IMAGE_EXTENSIONS} (any case). */
    public static boolean hasImageExtension(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        int dot = lower.lastIndexOf('.');
        return dot >= 0 && IMAGE_EXTENSIONS.contains(lower.substring(dot + 1));
    }

    private static final ImageDecoder DEFAULT = new ImageDecoder(DEFAULT_MAX_PIXELS, DicomOptions.defaults());

    private final long maxPixels;
    private final DicomOptions dicom;

    private ImageDecoder(long maxPixels, DicomOptions dicom) {
        this.maxPixels = maxPixels;
        this.dicom = dicom;
    }

    /** The decoder with the default pixel limit. */
    public static ImageDecoder standard() {
        return DEFAULT;
    }

    /** A decoder that refuses images with more than {@code maxPixels} pixels (width x height). */
    public static ImageDecoder withMaxPixels(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1; received " + maxPixels);
        }
        return new ImageDecoder(maxPixels, DicomOptions.defaults());
    }

    /** This decoder with other DICOM options (window, frame). */
    public ImageDecoder withDicom(DicomOptions options) {
        return new ImageDecoder(maxPixels, java.util.Objects.requireNonNull(options, "options"));
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** How DICOM files are windowed and which frame is used. */
    public DicomOptions dicomOptions() {
        return dicom;
    }

    /** True when the file starts like a DICOM Part 10 file ({@code DICM} at offset 128). */
    public static boolean isDicom(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return Dicom.isDicom(in.readNBytes(Dicom.MAGIC_OFFSET + 4));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Frame {@code frame} (0-based) of a multi-frame DICOM file, with this decoder's window; any other file's one
     * image for frame 0. (ImageJ decodes the whole file for each frame.)
     */
    public DecodedImage readFrame(Path file, int frame) throws ImageDecodeException {
        byte[] bytes = readBytes(file);
        if (Dicom.isDicom(bytes)) {
            return Dicom.decodeFrame(bytes, file, dicom, maxPixels, frame);
        }
        return read(bytes, file);
    }

    /**
     * Every frame of a file as an image: all frames of a multi-frame DICOM (with this decoder's window), the one
     * image of any other file.
     */
    public List<DecodedImage> readFrames(Path file) throws ImageDecodeException {
        byte[] bytes = readBytes(file);
        if (Dicom.isDicom(bytes)) {
            return Dicom.decode(bytes, file, dicom, maxPixels, true);
        }
        return List.of(read(bytes, file));
    }

    /** Decodes a file with the default decoder. */
    public static DecodedImage decode(Path file) throws ImageDecodeException {
        return DEFAULT.read(file);
    }

    /** Decodes bytes with the default decoder. */
    public static DecodedImage decode(byte[] bytes) throws ImageDecodeException {
        return DEFAULT.read(bytes, null);
    }

    /** Converts an in-memory image (8-bit or 16-bit component images keep their depth). */
    public static DecodedImage decode(BufferedImage image) {
        return fromBufferedImage(image, List.of());
    }

    /** Reads and decodes a file. */
    public DecodedImage read(Path file) throws ImageDecodeException {
        byte[] bytes = readBytes(file);
        return read(bytes, file);
    }

    /** Header-only check: the file exists, can be read, is an image this decoder accepts, within the pixel limit. */
    public ImageHeader probe(Path file) throws ImageDecodeException {
        byte[] bytes = readBytes(file, PROBE_BYTES);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            size = bytes.length;
        }
        Format f = sniff(bytes);
        if (f == Format.DICOM) {
            Dicom.Header h = Dicom.check(bytes, file, maxPixels, size);
            return new ImageHeader("dicom", h.columns(), h.rows(), h.frames());
        }
        boolean partial = bytes.length < size;
        if (partial && (f == Format.TIFF || f == Format.PSD || f == Format.PNM || f == Format.OTHER)) {
            // these keep their directory anywhere in the file (TIFF IFDs often at the end): read it all
            return header(readBytes(file), file);
        }
        try {
            return header(bytes, file);
        } catch (ImageDecodeException e) {
            if (partial && e.kind() != BadFileKind.TOO_MANY_PIXELS && e.kind() != BadFileKind.UNSUPPORTED) {
                // the header may lie beyond the prefix (large EXIF, ICC profiles, thumbnails): judge the whole file
                return header(readBytes(file), file);
            }
            throw e;
        }
    }

    /** How much of a file {@link #probe} reads first: enough for the headers of JPEG, PNG, GIF and BMP files. */
    static final int PROBE_BYTES = 256 * 1024;

    /** What the header says. */
    public record ImageHeader(String format, int width, int height, int pages) {
    }

    static byte[] readBytes(Path file) throws ImageDecodeException {
        return readBytes(file, Integer.MAX_VALUE);
    }

    /** The first {@code limit} bytes (all of a smaller file), with the path-level checks. */
    static byte[] readBytes(Path file, int limit) throws ImageDecodeException {
        if (Files.isSymbolicLink(file) && !Files.exists(file)) {
            String target;
            try {
                target = Files.readSymbolicLink(file).toString();
            } catch (IOException e) {
                target = "?";
            }
            throw new ImageDecodeException(file, BadFileKind.BROKEN_LINK,
                    "symbolic link to '" + target + "', which does not exist; fix or remove the link", null);
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // a FIFO or device named like an image would block or never end
            throw new ImageDecodeException(file, BadFileKind.NOT_AN_IMAGE, Files.isDirectory(file)
                    ? "a directory, not an image file" : "not a regular file (a pipe, socket or device); remove it",
                    null);
        }
        try {
            byte[] bytes;
            if (limit == Integer.MAX_VALUE) {
                bytes = Files.readAllBytes(file);
            } else {
                try (java.io.InputStream in = Files.newInputStream(file)) {
                    bytes = in.readNBytes(limit);
                }
            }
            if (bytes.length == 0) {
                throw new ImageDecodeException(file, BadFileKind.EMPTY,
                        "empty file (0 bytes); remove it or replace it with the real image", null);
            }
            return bytes;
        } catch (AccessDeniedException e) {
            throw new ImageDecodeException(file, BadFileKind.UNREADABLE,
                    "permission denied; make it readable (chmod +r) or remove it", e);
        } catch (NoSuchFileException e) {
            throw new ImageDecodeException(file, BadFileKind.BROKEN_LINK, "file vanished or dangling link", e);
        } catch (FileSystemException e) {
            String reason = e.getReason() == null ? "" : e.getReason();
            BadFileKind kind = reason.contains("symbolic links") ? BadFileKind.LINK_LOOP : BadFileKind.UNREADABLE;
            throw new ImageDecodeException(file, kind, "cannot read: " + reason, e);
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageDecodeException(file, BadFileKind.UNREADABLE, "cannot read: " + e.getMessage(), e);
        }
    }

    private enum Format {
        JPEG, PNG, GIF, BMP, TIFF, PNM, PSD, DICOM, OTHER
    }

    private static Format sniff(byte[] b) {
        if (Dicom.isDicom(b)) {
            return Format.DICOM;
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return Format.JPEG;
        }
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return Format.PNG;
        }
        if (b.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return Format.GIF;
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return Format.BMP;
        }
        if (b.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
                || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) {
            return Format.TIFF;
        }
        if (b.length >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7') {
            return Format.PNM;
        }
        if (b.length >= 4 && b[0] == '8' && b[1] == 'B' && b[2] == 'P' && b[3] == 'S') {
            return Format.PSD;
        }
        return Format.OTHER;
    }

    private ImageHeader header(byte[] bytes, Path file) throws ImageDecodeException {
        Format f = sniff(bytes);
        if (f == Format.DICOM) {
            Dicom.Header h = Dicom.check(bytes, file, maxPixels, bytes.length);
            return new ImageHeader("dicom", h.columns(), h.rows(), h.frames());
        }
        if (f == Format.JPEG) {
            JpegHeader jh = JpegHeader.parse(bytes);
            if (jh.components() == 4) {
                throw cmyk(file, jh);
            }
        }
        if (f == Format.PNM || f == Format.PSD || f == Format.TIFF || f == Format.OTHER) {
            ImageHeader h = commonsHeader(bytes, file, f);
            if (h != null) {
                return checkSize(h, file);
            }
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = firstReader(in, bytes, file);
            try {
                reader.setInput(in, true, true);
                return checkSize(new ImageHeader(reader.getFormatName().toLowerCase(Locale.ROOT),
                        reader.getWidth(0), reader.getHeight(0), 1), file);
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw classify(file, e, "reading the header");
        }
    }

    /** Commons Imaging's header for the formats it owns; null when it does not know the format. */
    private static ImageHeader commonsHeader(byte[] bytes, Path file, Format f) throws ImageDecodeException {
        try {
            ImageInfo info = Imaging.getImageInfo(bytes);
            return new ImageHeader(info.getFormat().getName().toLowerCase(Locale.ROOT), info.getWidth(),
                    info.getHeight(), Math.max(1, info.getNumberOfImages()));
        } catch (IOException | RuntimeException e) {
            if (f == Format.OTHER) {
                return null;
            }
            throw classify(file, e, "reading the " + f + " header");
        }
    }

    private ImageHeader checkSize(ImageHeader h, Path file) throws ImageDecodeException {
        long pixels = (long) h.width() * h.height();
        if (h.width() < 1 || h.height() < 1) {
            throw new ImageDecodeException(file, BadFileKind.CORRUPT,
                    "header declares an empty image (" + h.width() + "x" + h.height() + ")", null);
        }
        if (pixels > maxPixels) {
            throw new ImageDecodeException(file, BadFileKind.TOO_MANY_PIXELS,
                    "header declares " + h.width() + "x" + h.height() + " = " + pixels + " pixels, more than the limit of "
                            + maxPixels + " (decompression-bomb guard); refused before decoding. If the image is genuine, "
                            + "downscale it or raise the limit: --max-pixels " + pixels + " (transfer4j fit, predict, "
                            + "data check; config key maxPixels), or in Java maxPixels in FlowOptions, ScanOptions, "
                            + "Predictor.Options or ImageDecoder.withMaxPixels", null);
        }
        return h;
    }

    private static ImageReader firstReader(ImageInputStream in, byte[] bytes, Path file) throws ImageDecodeException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw notAnImage(bytes, file);
        }
        return readers.next();
    }

    private static ImageDecodeException notAnImage(byte[] bytes, Path file) {
        StringBuilder hex = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            hex.append(String.format("%02x ", bytes[i] & 0xFF));
            char c = (char) (bytes[i] & 0xFF);
            text.append(c >= 32 && c < 127 ? c : '.');
        }
        return new ImageDecodeException(file, BadFileKind.NOT_AN_IMAGE,
                "not a recognised image (first bytes: " + hex.toString().trim() + " '" + text
                        + "'); readable formats: JPEG, PNG, BMP, GIF, TIFF, PNM/PPM, PSD, DICOM. Remove the file or give "
                        + "it its real extension", null);
    }

    private static ImageDecodeException cmyk(Path file, JpegHeader jh) {
        return new ImageDecodeException(file, BadFileKind.UNSUPPORTED,
                (jh.adobeTransformYcck() ? "YCCK" : "CMYK") + " JPEG (4 colour components) is not supported; convert "
                        + "it to RGB first, e.g. 'convert in.jpg -colorspace sRGB out.jpg' (ImageMagick)", null);
    }

    /** Decodes bytes; {@code file} is only used in messages and may be null. */
    public DecodedImage read(byte[] bytes, Path file) throws ImageDecodeException {
        if (bytes.length == 0) {
            throw new ImageDecodeException(file, BadFileKind.EMPTY, "empty input (0 bytes)", null);
        }
        Format f = sniff(bytes);
        if (f == Format.DICOM) {
            return Dicom.decode(bytes, file, dicom, maxPixels, false).get(0);
        }
        List<String> warnings = new ArrayList<>();
        int orientation = 1;
        if (f == Format.JPEG) {
            JpegHeader jh = JpegHeader.parse(bytes);
            if (jh.components() == 4) {
                throw cmyk(file, jh);
            }
            orientation = jh.orientation();
            if (jh.components() == 1 || jh.plainYCbCr()) {
                return decodeJpegRaw(bytes, file, warnings, orientation);
            }
        }
        if (f == Format.PNG) {
            int[] wh = PngFast.size(bytes);
            if (wh != null) {
                checkSize(new ImageHeader("png", wh[0], wh[1], 1), file);
                int[] channels = new int[1];
                float[] planes = PngFast.decode(bytes, channels);
                if (planes != null) {
                    return new DecodedImage(wh[0], wh[1], channels[0], 8, planes, warnings);
                }
            }
        }
        if (f == Format.PNM || f == Format.PSD || f == Format.OTHER) {
            ImageHeader h = commonsHeader(bytes, file, f);
            if (h != null) {
                checkSize(h, file);
                return decodeCommons(bytes, file, h, warnings);
            }
        }
        if (f == Format.TIFF) {
            ImageHeader h = checkSize(commonsHeader(bytes, file, f), file);
            if (h.pages() > 1) {
                warnings.add("multi-page TIFF: first page of " + h.pages() + " used");
            }
            try {
                return decodeImageIo(bytes, file, warnings, 1);
            } catch (ImageDecodeException e) {
                if (e.kind() != BadFileKind.NOT_AN_IMAGE && e.kind() != BadFileKind.UNSUPPORTED) {
                    throw e;
                }
                return decodeCommons(bytes, file, h, warnings);
            }
        }
        return decodeImageIo(bytes, file, warnings, orientation);
    }

    /**
     * One JDK JPEG reader per thread, reused: looking a reader up through ImageIO's service registry for every
     * file costs about as much as decoding a small photo's header.
     */
    private static final ThreadLocal<ImageReader> JPEG_READER = new ThreadLocal<>();

    /** libjpeg's YCbCr->RGB tables (jdcolor.c, 16-bit fixed point), so the result equals the JDK's conversion. */
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        final int scale = 16;
        final int half = 1 << (scale - 1);
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + half) >> scale;
            CB_B[i] = (fix(1.77200) * x + half) >> scale;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + half;
        }
    }

    private static int fix(double v) {
        return (int) (v * (1 << 16) + 0.5);
    }

    /**
     * Baseline/progressive JPEGs that libjpeg reads as gray or plain YCbCr: the reader's raw raster (no colour
     * conversion, no BufferedImage), converted to planar RGB floats here with libjpeg's own tables in the same
     * pass. Pixels are identical to {@link #decodeImageIo}'s (checked by {@code ImageDecoderTest}) and the decode
     * costs about a third less. Anything unusual (ICC profile, Adobe RGB, odd sample layout) goes the general way.
     */
    private DecodedImage decodeJpegRaw(byte[] bytes, Path file, List<String> warnings, int orientation)
            throws ImageDecodeException {
        ImageReader reader = JPEG_READER.get();
        if (reader == null) {
            Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg");
            if (!it.hasNext()) {
                return decodeImageIo(bytes, file, warnings, orientation);
            }
            reader = it.next();
            JPEG_READER.set(reader);
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            checkSize(new ImageHeader("jpeg", reader.getWidth(0), reader.getHeight(0), 1), file);
            List<String> readerWarnings = new ArrayList<>();
            reader.addIIOReadWarningListener((src, w) -> readerWarnings.add(w));
            Raster r = reader.readRaster(0, null);
            keepWarnings(readerWarnings, file, warnings);
            DecodedImage d = fromJpegRaster(r, warnings);
            if (d == null) {
                return decodeImageIo(bytes, file, warnings, orientation);
            }
            return orientation == 1 ? d : orient(d, orientation);
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw classify(file, e, "decoding");
        } finally {
            try {
                reader.reset(); // drops the input and the listeners; the native decoder is kept for the next file
            } catch (RuntimeException e) {
                JPEG_READER.remove();
                reader.dispose();
            }
        }
    }

    /** Gray or YCbCr raw samples to planar floats; null for a layout this fast path does not handle. */
    private static DecodedImage fromJpegRaster(Raster r, List<String> warnings) {
        int bands = r.getNumBands();
        if ((bands != 1 && bands != 3) || !(r.getDataBuffer() instanceof DataBufferByte db)
                || !(r.getSampleModel() instanceof PixelInterleavedSampleModel sm) || db.getNumBanks() != 1
                || r.getParent() != null || r.getMinX() != 0 || r.getMinY() != 0) {
            return null;
        }
        int w = r.getWidth();
        int h = r.getHeight();
        int n = w * h;
        byte[] data = db.getData();
        int[] off = sm.getBandOffsets();
        int ps = sm.getPixelStride();
        int ss = sm.getScanlineStride();
        int base = db.getOffset();
        float[] planes = new float[bands * n];
        if (bands == 1) {
            for (int y = 0; y < h; y++) {
                int row = base + y * ss + off[0];
                int o = y * w;
                for (int x = 0; x < w; x++) {
                    planes[o + x] = data[row + x * ps] & 0xFF;
                }
            }
            return new DecodedImage(w, h, 1, 8, planes, warnings);
        }
        for (int y = 0; y < h; y++) {
            int row = base + y * ss;
            int o = y * w;
            for (int x = 0; x < w; x++) {
                int p = row + x * ps;
                int yy = data[p + off[0]] & 0xFF;
                int cb = data[p + off[1]] & 0xFF;
                int cr = data[p + off[2]] & 0xFF;
                planes[o + x] = clamp8(yy + CR_R[cr]);
                planes[n + o + x] = clamp8(yy + ((CB_G[cb] + CR_G[cr]) >> 16));
                planes[2 * n + o + x] = clamp8(yy + CB_B[cb]);
            }
        }
        return new DecodedImage(w, h, 3, 8, planes, warnings);
    }

    /** The reader's warnings, kept; one that says the data ended early makes the file TRUNCATED. */
    private static void keepWarnings(List<String> readerWarnings, Path file, List<String> warnings)
            throws ImageDecodeException {
        for (String w : readerWarnings) {
            String lw = w.toLowerCase(Locale.ROOT);
            if (lw.contains("premature end") || lw.contains("truncat") || lw.contains("unexpected end")) {
                throw new ImageDecodeException(file, BadFileKind.TRUNCATED,
                        "truncated image data (" + w + "); re-copy or re-export the file", null);
            }
            warnings.add(w);
        }
    }

    private static int clamp8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** The general ImageIO way (a BufferedImage), for tests comparing it with the raw JPEG path. */
    DecodedImage readViaBufferedImage(byte[] bytes, Path file) throws ImageDecodeException {
        JpegHeader jh = JpegHeader.parse(bytes);
        return decodeImageIo(bytes, file, new ArrayList<>(), jh.orientation());
    }

    private DecodedImage decodeImageIo(byte[] bytes, Path file, List<String> warnings, int orientation)
            throws ImageDecodeException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = firstReader(in, bytes, file);
            try {
                reader.setInput(in, true, true);
                checkSize(new ImageHeader(reader.getFormatName(), reader.getWidth(0), reader.getHeight(0), 1), file);
                List<String> readerWarnings = new ArrayList<>();
                reader.addIIOReadWarningListener((src, w) -> readerWarnings.add(w));
                BufferedImage img = reader.read(0);
                keepWarnings(readerWarnings, file, warnings);
                DecodedImage d = fromBufferedImage(img, warnings);
                return orientation == 1 ? d : orient(d, orientation);
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw classify(file, e, "decoding");
        }
    }

    private static DecodedImage decodeCommons(byte[] bytes, Path file, ImageHeader h, List<String> warnings)
            throws ImageDecodeException {
        try {
            BufferedImage img = Imaging.getBufferedImage(bytes);
            return fromBufferedImage(img, warnings);
        } catch (IOException | RuntimeException e) {
            throw classify(file, e, "decoding " + h.format());
        }
    }

    private static ImageDecodeException classify(Path file, Throwable e, String doing) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof EOFException || m.contains("premature end") || m.contains("unexpected end")
                    || m.contains("end of stream") || m.contains("truncat") || m.contains("not enough")
                    || m.contains("unexpected eof") || m.contains("insufficient data")
                    || (t instanceof ZipException && m.contains("end"))) {
                return new ImageDecodeException(file, BadFileKind.TRUNCATED,
                        "truncated image data while " + doing + " (" + t.getMessage()
                                + "); re-copy or re-export the file", e);
            }
            if (t instanceof OutOfMemoryError) {
                return new ImageDecodeException(file, BadFileKind.TOO_MANY_PIXELS, "out of memory while " + doing, e);
            }
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (msg.toLowerCase(Locale.ROOT).contains("unsupported")) {
            return new ImageDecodeException(file, BadFileKind.UNSUPPORTED,
                    "unsupported image variant while " + doing + ": " + msg, e);
        }
        return new ImageDecodeException(file, BadFileKind.CORRUPT, "corrupt image data while " + doing + ": " + msg
                + "; re-export the file or remove it", e);
    }

    /** Planar float samples from any BufferedImage; component images keep their bit depth (e.g. 16-bit gray). */
    static DecodedImage fromBufferedImage(BufferedImage img, List<String> warnings) {
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        int type = cm.getColorSpace().getType();
        boolean plain = (cm instanceof ComponentColorModel || cm instanceof DirectColorModel)
                && (type == ColorSpace.TYPE_RGB || type == ColorSpace.TYPE_GRAY)
                && r.getNumBands() == cm.getNumComponents();
        if (plain) {
            int bands = r.getNumBands();
            int bits = 0;
            for (int c = 0; c < bands; c++) {
                bits = Math.max(bits, cm.getComponentSize(c));
            }
            if (bits <= 16 && (bands >= 1 && bands <= 4)) {
                float[] planes = new float[bands * w * h];
                if (r.getDataBuffer() instanceof DataBufferByte db && r.getSampleModel() instanceof PixelInterleavedSampleModel sm
                        && r.getParent() == null && db.getNumBanks() == 1) {
                    byte[] data = db.getData();
                    int[] offsets = sm.getBandOffsets();
                    int ps = sm.getPixelStride();
                    int ss = sm.getScanlineStride();
                    for (int c = 0; c < bands; c++) {
                        int base = c * w * h;
                        int off = offsets[c];
                        for (int y = 0; y < h; y++) {
                            int row = y * ss + off;
                            int o = base + y * w;
                            for (int x = 0; x < w; x++) {
                                planes[o + x] = data[row + x * ps] & 0xFF;
                            }
                        }
                    }
                } else {
                    float[] tmp = new float[w * h];
                    for (int c = 0; c < bands; c++) {
                        r.getSamples(0, 0, w, h, c, tmp);
                        System.arraycopy(tmp, 0, planes, c * w * h, w * h);
                    }
                }
                int depth = bits <= 8 ? 8 : 16;
                if (bits < 8) {
                    // 1/2/4-bit gray: stretch to 8-bit levels so 1 means white
                    float s = 255f / ((1 << bits) - 1);
                    for (int i = 0; i < planes.length; i++) {
                        planes[i] *= s;
                    }
                } else if (bits > 8 && bits < 16) {
                    depth = bits;
                }
                return new DecodedImage(w, h, bands, depth, planes, warnings);
            }
        }
        // palette, packed or unusual colour spaces: the colour model's 8-bit sRGB view
        boolean alpha = cm.hasAlpha();
        int channels = alpha ? 4 : 3;
        float[] planes = new float[channels * w * h];
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        int n = w * h;
        for (int i = 0; i < n; i++) {
            int p = argb[i];
            planes[i] = (p >> 16) & 0xFF;
            planes[n + i] = (p >> 8) & 0xFF;
            planes[2 * n + i] = p & 0xFF;
            if (alpha) {
                planes[3 * n + i] = (p >>> 24) & 0xFF;
            }
        }
        return new DecodedImage(w, h, channels, 8, planes, warnings);
    }

    /** Applies an EXIF orientation (2..8) so the image is upright. */
    static DecodedImage orient(DecodedImage d, int orientation) {
        int w = d.width();
        int h = d.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        float[] src = d.planes();
        float[] out = new float[src.length];
        for (int c = 0; c < d.channels(); c++) {
            int sb = c * w * h;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int sx;
                    int sy;
                    switch (orientation) {
                        case 2 -> { sx = w - 1 - ox; sy = oy; }
                        case 3 -> { sx = w - 1 - ox; sy = h - 1 - oy; }
                        case 4 -> { sx = ox; sy = h - 1 - oy; }
                        case 5 -> { sx = oy; sy = ox; }
                        case 6 -> { sx = oy; sy = h - 1 - ox; }
                        case 7 -> { sx = w - 1 - oy; sy = h - 1 - ox; }
                        case 8 -> { sx = w - 1 - oy; sy = ox; }
                        default -> { sx = ox; sy = oy; }
                    }
                    out[sb + oy * ow + ox] = src[sb + sy * w + sx];
                }
            }
        }
        List<String> warnings = new ArrayList<>(d.warnings());
        return new DecodedImage(ow, oh, d.channels(), d.bitDepth(), out, warnings);
    }
}
