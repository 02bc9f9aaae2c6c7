package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.transfer4j.augmentation.internal.Dicom;
import io.transfer4j.testdata.DicomFiles;
import io.transfer4j.testdata.DicomFiles.Spec;

/**
 * DICOM decoding: generated files with known values (windowing, MONOCHROME1, rescale, frames, RGB, broken files)
 * and, where Debian's python3-pydicom is installed, its own test files checked value for value against pydicom's
 * decoding.
 */
class DicomDecodeTest {

    /** Debian's python3-pydicom ships its test files here. */
    static final Path PYDICOM_FILES = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");

    @TempDir
    Path tmp;

    static int[] ramp(int n, int start, int step) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = start + i * step;
        }
        return p;
    }

    /** DICOM LINEAR window to 0..65535. */
    static float window(double x, double c, double w) {
        double c0 = c - 0.5;
        double wm1 = w - 1;
        double y = x <= c0 - wm1 / 2 ? 0 : x > c0 + wm1 / 2 ? 1 : (x - c0) / wm1 + 0.5;
        return (float) (y * 65535);
    }

    @Test
    void signedCtIsRescaledToHuAndWindowedFromTheFileAsFloats() throws Exception {
        // stored -24..1000 step 8 -> HU = stored - 1024
        int[] stored = ramp(16 * 8, 0, 8);
        Path f = DicomFiles.write(tmp.resolve("ct.dcm"), Spec.ct(8, 16, stored, "P1").withWindow(40, 400));
        DecodedImage d = ImageDecoder.decode(f);
        assertEquals(16, d.width());
        assertEquals(8, d.height());
        assertEquals(1, d.channels());
        assertEquals(16, d.bitDepth());
        for (int i = 0; i < stored.length; i++) {
            assertEquals(window(stored[i] - 1024, 40, 400), d.planes()[i], 1e-2, "pixel " + i);
        }
        // not rounded to integers: HU values one apart inside the window stay distinct and fractional
        boolean fractional = false;
        for (float v : d.planes()) {
            fractional |= v != Math.rint(v) && v > 0 && v < 65535;
        }
        assertTrue(fractional, "windowed values are kept as floats");
    }

    @Test
    void presetsExplicitAndFullWindowsAndWidthMustBePositive() throws Exception {
        int[] stored = ramp(64, 0, 40);
        Path f = DicomFiles.write(tmp.resolve("ct.dcm"), Spec.ct(8, 8, stored, "P1").withWindow(40, 400));
        ImageDecoder lung = ImageDecoder.standard().withDicom(new DicomOptions(DicomWindow.preset("lung"),
                DicomFrames.FIRST));
        ImageDecoder explicit = ImageDecoder.standard().withDicom(new DicomOptions(DicomWindow.parse("-100,500"),
                DicomFrames.FIRST));
        ImageDecoder full = ImageDecoder.standard().withDicom(new DicomOptions(DicomWindow.fullRange(),
                DicomFrames.FIRST));
        float[] l = lung.read(f).planes();
        float[] e = explicit.read(f).planes();
        float[] m = full.read(f).planes();
        for (int i = 0; i < stored.length; i++) {
            double hu = stored[i] - 1024;
            assertEquals(window(hu, -600, 1500), l[i], 1e-2);
            assertEquals(window(hu, -100, 500), e[i], 1e-2);
            assertEquals((hu + 1024) / (63 * 40) * 65535, m[i], 1e-1);
        }
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> DicomWindow.of(40, 0));
        assertTrue(zero.getMessage().contains("width must be > 0"), zero.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> DicomWindow.parse("lungs"));
        assertTrue(bad.getMessage().contains("lung, mediastinum, bone, brain"), bad.getMessage());
        // a file whose own window has width 0 is a bad file with a way out
        Path zeroFile = DicomFiles.write(tmp.resolve("w0.dcm"), Spec.ct(8, 8, stored, "P1").withWindow(40, 0));
        ImageDecodeException ex = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(zeroFile));
        assertTrue(ex.detail().contains("window width") && ex.detail().contains("preset"), ex.detail());
        assertEquals(65535f, full.read(zeroFile).planes()[63], 1e-3f, "another window still reads it");
    }

    @Test
    void monochrome1IsInvertedAfterWindowing() throws Exception {
        int[] stored = ramp(16, 1000, 10);
        Spec s = Spec.ct(4, 4, stored, "P1").withWindow(40, 400);
        DecodedImage m2 = ImageDecoder.decode(DicomFiles.write(tmp.resolve("m2.dcm"), s));
        DecodedImage m1 = ImageDecoder.decode(DicomFiles.write(tmp.resolve("m1.dcm"),
                s.withPhotometric("MONOCHROME1")));
        for (int i = 0; i < 16; i++) {
            assertEquals(65535 - m2.planes()[i], m1.planes()[i], 1e-2);
        }
        assertTrue(m2.planes()[15] > m2.planes()[0]);
    }

    @Test
    void unsignedEightBitSlopeAndRgb() throws Exception {
        // 8-bit unsigned, no rescale, no window: min..max
        Spec gray8 = Spec.ct(2, 4, new int[] {0, 10, 20, 30, 40, 50, 60, 255}, "P1").withPixels(8, false,
                new int[] {0, 10, 20, 30, 40, 50, 60, 255}).withRescale(Double.NaN, Double.NaN);
        DecodedImage g = ImageDecoder.decode(DicomFiles.write(tmp.resolve("g8.dcm"), gray8));
        assertEquals(0f, g.planes()[0], 1e-3f);
        assertEquals(65535f * 10 / 255, g.planes()[1], 1e-1f);
        // slope 0.5, intercept 100 (ImageJ converts to float for slope != 1): value = 0.5 * stored + 100
        int[] stored = ramp(16, 0, 100);
        Spec sl = Spec.ct(4, 4, stored, "P1").withPixels(16, false, stored).withRescale(0.5, 100)
                .withWindow(400, 800);
        float[] v = ImageDecoder.decode(DicomFiles.write(tmp.resolve("slope.dcm"), sl)).planes();
        for (int i = 0; i < 16; i++) {
            assertEquals(window(0.5 * stored[i] + 100, 400, 800), v[i], 1e-1, "pixel " + i);
        }
        // RGB: 8-bit, 3 planes, not windowed
        int[] rgb = new int[2 * 2 * 3];
        for (int i = 0; i < 4; i++) {
            rgb[3 * i] = 10 * i;
            rgb[3 * i + 1] = 100 + i;
            rgb[3 * i + 2] = 250 - i;
        }
        Spec c = Spec.ct(2, 2, rgb, "P1").withPixels(8, false, rgb).withPhotometric("RGB")
                .withRescale(Double.NaN, Double.NaN);
        DecodedImage d = ImageDecoder.decode(DicomFiles.write(tmp.resolve("rgb.dcm"), c));
        assertEquals(3, d.channels());
        assertEquals(8, d.bitDepth());
        assertArrayEquals(new float[] {0, 10, 20, 30, 100, 101, 102, 103, 250, 249, 248, 247}, d.planes());
    }

    @Test
    void multiFrameFirstMiddleAndEvery() throws Exception {
        int n = 3 * 3;
        int[] all = new int[5 * n];
        for (int f = 0; f < 5; f++) {
            for (int i = 0; i < n; i++) {
                all[f * n + i] = 1024 + f * 100 + i;
            }
        }
        Path file = DicomFiles.write(tmp.resolve("mf.dcm"),
                Spec.ct(3, 3, all, "P1").withFrames(5, all).withWindow(200, 1000));
        DecodedImage first = ImageDecoder.decode(file);
        DecodedImage middle = ImageDecoder.standard().withDicom(new DicomOptions(DicomWindow.fromFile(),
                DicomFrames.MIDDLE)).read(file);
        List<DecodedImage> every = ImageDecoder.standard().readFrames(file);
        assertEquals(5, every.size());
        assertEquals(window(0, 200, 1000), first.planes()[0], 1e-2);
        assertEquals(window(200, 200, 1000), middle.planes()[0], 1e-2);
        assertEquals(window(400 + 8, 200, 1000), every.get(4).planes()[8], 1e-2);
        assertTrue(first.warnings().get(0).contains("frame 1 of 5"), first.warnings().toString());
        assertEquals(new ImageDecoder.ImageHeader("dicom", 3, 3, 5), ImageDecoder.standard().probe(file));
        // every frame as a sample: a class folder with the 5-frame file and a single-frame file yields 6 samples
        Path dir = tmp.resolve("frames");
        Files.createDirectories(dir.resolve("a"));
        Files.copy(file, dir.resolve("a/mf.dcm"));
        DicomFiles.write(dir.resolve("a/single.dcm"), Spec.ct(3, 3, ramp(9, 1024, 1), "P1").withWindow(200, 1000));
        try (DirectoryFlow flow = ImagePipeline.of(io.transfer4j.zoo.Normalization.none()).flowFromDirectory(dir,
                FlowOptions.builder().targetSize(3, 3).batchSize(6).shuffle(false).colorMode(ColorMode.GRAYSCALE)
                        .dicom(new DicomOptions(DicomWindow.fromFile(), DicomFrames.ALL)).build())) {
            assertEquals(6, flow.samples());
            var x = flow.next().getFeatures();
            for (int f = 0; f < 5; f++) {
                assertEquals(window(f * 100 + 4, 200, 1000) * 255 / 65535, x.getDouble(f, 0, 1, 1), 1e-2, "frame " + f);
            }
            assertEquals(window(4, 200, 1000) * 255 / 65535, x.getDouble(5, 0, 1, 1), 1e-2, "the single-frame file");
        }
    }

    @Test
    void brokenDicomFilesAreBadFilesWithActionableMessagesAndNoIdentifyingValues() throws Exception {
        Spec s = Spec.ct(8, 8, ramp(64, 0, 1), "SECRET-ID-42").withIdentity("SECRET^NAME", "SECRET-ID-42",
                "19010101", "SECRETACC", "SECRET HOSPITAL");
        Path sr = DicomFiles.writeReport(tmp.resolve("report.dcm"));
        Path cut = DicomFiles.writeTruncated(tmp.resolve("cut.dcm"), s, 40);
        Path rle = DicomFiles.write(tmp.resolve("rle.dcm"), s.withTransferSyntax(DicomFiles.RLE));
        Path jpeg = DicomFiles.write(tmp.resolve("jpeg.dcm"), s.withTransferSyntax("1.2.840.10008.1.2.4.50"));
        Map<Path, BadFileKind> kinds = Map.of(sr, BadFileKind.NOT_AN_IMAGE, cut, BadFileKind.TRUNCATED,
                rle, BadFileKind.UNSUPPORTED, jpeg, BadFileKind.UNSUPPORTED);
        for (Map.Entry<Path, BadFileKind> e : kinds.entrySet()) {
            for (boolean probe : new boolean[] {false, true}) {
                ImageDecodeException ex = assertThrows(ImageDecodeException.class, () -> {
                    if (probe) {
                        ImageDecoder.standard().probe(e.getKey());
                    } else {
                        ImageDecoder.decode(e.getKey());
                    }
                });
                assertEquals(e.getValue(), ex.kind(), e.getKey() + ": " + ex.detail());
                assertFalse(ex.getMessage().contains("SECRET") || ex.getMessage().contains("19010101"),
                        ex.getMessage());
            }
        }
        assertTrue(messageOf(rle).contains("dcmdrle in.dcm out.dcm") && messageOf(rle).contains("1.2.840.10008.1.2.5"),
                messageOf(rle));
        assertTrue(messageOf(jpeg).contains("dcmdjpeg in.dcm out.dcm"), messageOf(jpeg));
        assertTrue(messageOf(sr).contains("without pixel data"), messageOf(sr));
        assertTrue(messageOf(cut).contains("40 bytes short"), messageOf(cut));
    }

    private static String messageOf(Path f) {
        try {
            ImageDecoder.decode(f);
            return "(decoded)";
        } catch (ImageDecodeException e) {
            return e.detail();
        }
    }

    @Test
    void extensionlessDicomFilesAreListedScannedAndFlowed() throws Exception {
        Path dir = tmp.resolve("data");
        DicomFiles.classFolder(dir, 2, 2, 16, 3, true);
        Files.writeString(dir.resolve("benign/README"), "not an image, no extension");
        DataScan.Result r = DataScan.scan(dir, ScanOptions.thorough());
        assertEquals(Map.of("benign", 4, "malignant", 4), r.counts());
        assertTrue(r.clean(), r.badFiles().toString());
        assertTrue(r.files().contains("benign/p0_0"), r.files().toString());
        try (DirectoryFlow flow = ImagePipeline.of(io.transfer4j.zoo.Normalization.none()).flowFromDirectory(dir, FlowOptions.builder()
                .targetSize(16, 16).batchSize(8).shuffle(false).dicomWindow(DicomWindow.preset("bone")).build())) {
            var ds = flow.next();
            assertEquals(8, ds.getFeatures().size(0));
            // bone window: air (-1000) is 0, soft tissue (40 HU) dark but > 0
            assertEquals(0.0, ds.getFeatures().getDouble(0, 0, 0, 0), 1e-6);
        }
    }

    // ---- real files from Debian's python3-pydicom, compared with pydicom's own decoding ----

    static String pythonAbsent() {
        if (!Files.isDirectory(PYDICOM_FILES)) {
            return "pydicom's test files are not installed (" + PYDICOM_FILES + "; apt-get install python3-pydicom)";
        }
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            return "/usr/bin/python3 is missing";
        }
        return null;
    }

    static JsonNode pydicom(Path tmp, List<Path> files) throws Exception {
        Path script = tmp.resolve("pydicom_values.py");
        try (InputStream in = DicomDecodeTest.class.getResourceAsStream("/dicom/pydicom_values.py")) {
            Files.copy(in, script);
        }
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", script.toString()));
        files.forEach(f -> cmd.add(f.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "pydicom script failed: " + new String(out, StandardCharsets.UTF_8));
        return new ObjectMapper().readTree(out);
    }

    @Test
    void pixelValuesMatchPydicomOnItsRealTestFilesAndOnGeneratedOnes() throws Exception {
        String absent = pythonAbsent();
        assumeTrue(absent == null, absent);
        List<Path> files = new ArrayList<>();
        for (String n : List.of("CT_small.dcm", "MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_implicit.dcm",
                "MR_small_expb.dcm", "MR_small_padded.dcm", "ExplVR_BigEnd.dcm", "SC_rgb_jpeg_dcmd.dcm", "rtdose.dcm",
                "rtdose_expb.dcm",
                "SC_rgb_small_odd.dcm")) {
            Path f = PYDICOM_FILES.resolve(n);
            if (Files.exists(f)) {
                files.add(f);
            }
        }
        assertTrue(files.size() >= 6, "pydicom's test files: " + files);
        int[] stored = ramp(12 * 10, -300, 37);
        files.add(DicomFiles.write(tmp.resolve("gen_signed.dcm"), Spec.ct(10, 12, stored, "P").withWindow(40, 400)));
        files.add(DicomFiles.write(tmp.resolve("gen_slope.dcm"), Spec.ct(10, 12, ramp(120, 0, 500), "P")
                .withPixels(16, false, ramp(120, 0, 500)).withRescale(0.25, -50).withWindow(3000, 6000)));
        // 12 of 16 bits stored: unsigned with garbage above bit 11, and signed values not sign-extended
        int[] garbage = ramp(120, 0, 34);
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] |= (i % 3) << 12;
        }
        Path f12u = tmp.resolve("gen_12u.dcm");
        Files.write(f12u, DicomFiles.bytes(Spec.ct(10, 12, garbage, "P").withPixels(16, false, garbage)
                .withRescale(Double.NaN, Double.NaN), 12));
        int[] unextended = ramp(120, -2000, 33);
        for (int i = 0; i < unextended.length; i++) {
            unextended[i] &= 0xFFF;
        }
        Path f12s = tmp.resolve("gen_12s.dcm");
        Files.write(f12s, DicomFiles.bytes(Spec.ct(10, 12, unextended, "P").withWindow(40, 400), 12));
        // pydicom 2.3 keeps the unused high bits of unsigned samples and does not sign-extend 12-bit signed ones;
        // by the standard (PS3.5 8.1.1, the sign bit is the High Bit) the value is the 12 stored bits, so these two
        // are checked against the values written, not against pydicom
        float[] masked = Dicom.modalityValues(Files.readAllBytes(f12u), f12u);
        float[] extended = Dicom.modalityValues(Files.readAllBytes(f12s), f12s);
        for (int i = 0; i < garbage.length; i++) {
            assertEquals(garbage[i] & 0xFFF, masked[i], 1e-6, "12-bit unsigned pixel " + i);
            assertEquals(-2000 + 33 * i - 1024, extended[i], 1e-6, "12-bit signed pixel " + i);
        }
        JsonNode expected = pydicom(tmp, files);
        int windowed = 0;
        for (Path f : files) {
            JsonNode e = expected.get(f.toString());
            byte[] bytes = Files.readAllBytes(f);
            float[] mine;
            if (e.get("rgb").asBoolean()) {
                mine = ImageDecoder.decode(f).planes();
            } else {
                mine = Dicom.modalityValues(bytes, f);
            }
            JsonNode vals = e.get("values");
            assertEquals(vals.size(), mine.length, f.toString());
            for (int i = 0; i < mine.length; i++) {
                assertEquals(vals.get(i).asDouble(), mine[i], 1e-3, f.getFileName() + " pixel " + i);
            }
            if (e.has("windowed")) {
                float[] w = ImageDecoder.decode(f).planes();
                JsonNode ew = e.get("windowed");
                for (int i = 0; i < w.length; i++) {
                    assertEquals(ew.get(i).asDouble(), w[i], 0.05, f.getFileName() + " windowed pixel " + i);
                }
                windowed++;
            }
        }
        assertTrue(windowed >= 4, "files with a window compared: " + windowed);
    }

    @Test
    void pydicomsCompressedAndBrokenFilesAreReportedNotMisread() throws IOException {
        assumeTrue(Files.isDirectory(PYDICOM_FILES), "pydicom's test files are not installed (" + PYDICOM_FILES
                + "; apt-get install python3-pydicom)");
        Map<String, String> expect = Map.of("MR_small_RLE.dcm", "dcmdrle", "JPEG-lossy.dcm", "dcmdjpeg",
                "MR_small_jpeg_ls_lossless.dcm", "dcmdjpls", "JPEG2000.dcm", "gdcmconv", "image_dfl.dcm", "dcmconv",
                "test-SR.dcm", "without pixel data", "MR_truncated.dcm", "truncated");
        for (Map.Entry<String, String> e : expect.entrySet()) {
            Path f = PYDICOM_FILES.resolve(e.getKey());
            if (!Files.exists(f)) {
                continue;
            }
            String m = messageOf(f);
            assertTrue(m.contains(e.getValue()), e.getKey() + ": " + m);
        }
    }

    @Test
    void theAdvisedDcmtkCommandMakesACompressedFileReadable() throws Exception {
        Path rle = PYDICOM_FILES.resolve("MR_small_RLE.dcm");
        Path plain = PYDICOM_FILES.resolve("MR_small.dcm");
        assumeTrue(Files.exists(rle) && Files.exists(plain), "pydicom's test files are not installed ("
                + PYDICOM_FILES + "; apt-get install python3-pydicom)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dcmdrle")), "dcmtk is not installed (apt-get install dcmtk)");
        String advice = messageOf(rle);
        String command = advice.substring(advice.indexOf("dcmdrle"));
        assertEquals("dcmdrle in.dcm out.dcm", command);
        Path in = tmp.resolve("in.dcm");
        Files.copy(rle, in);
        Process p = new ProcessBuilder("/usr/bin/dcmdrle", "in.dcm", "out.dcm").directory(tmp.toFile())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        // RLE is lossless: the converted file decodes to the uncompressed original's values
        Path out = tmp.resolve("out.dcm");
        assertArrayEquals(Dicom.modalityValues(Files.readAllBytes(plain), plain),
                Dicom.modalityValues(Files.readAllBytes(out), out));
        assertArrayEquals(ImageDecoder.decode(plain).planes(), ImageDecoder.decode(out).planes());
    }
}
