package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.testdata.DeepImages;
import io.transfer4j.testdata.HostileFiles;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Normalization;

class ImageDecoderTest {
    @TempDir
    Path tmp;

    @Test
    void sixteenBitTiffKeepsFullPrecisionThroughToTheInput() throws Exception {
        int[] v = {1000, 1001, 40000, 40001, 65535, 0, 256, 257, 12345};
        Path f = tmp.resolve("deep.tif");
        DeepImages.writeTiff(f, List.of(DeepImages.gray16(3, 3, v)));
        DecodedImage d = ImageDecoder.decode(f);
        assertEquals(16, d.bitDepth());
        assertEquals(1, d.channels());
        for (int i = 0; i < v.length; i++) {
            assertEquals(v[i], d.sample(0, i / 3, i % 3), 0, "sample " + i);
        }
        INDArray x = ImagePipeline.toInput(d, new InputShape(1, 3, 3), Normalization.none(), Interpolation.NEAREST);
        // mapped to the 0-255 scale as floats: 255/65535 per level, values 1 apart stay apart
        assertEquals(1000 * 255.0 / 65535, x.getDouble(0, 0, 0, 0), 1e-4);
        assertNotEquals(x.getDouble(0, 0, 0, 0), x.getDouble(0, 0, 0, 1));
        assertNotEquals(x.getDouble(0, 0, 1, 0), x.getDouble(0, 0, 1, 1));
        assertNotEquals(x.getDouble(0, 0, 2, 0), x.getDouble(0, 0, 2, 1), "256 and 257 would both be 1 in 8 bits");
        assertEquals(255.0, x.getDouble(0, 0, 1, 1), 1e-4);
        assertEquals(0.0, x.getDouble(0, 0, 1, 2), 0);
        // RGB input replicates the gray channel
        INDArray rgb = ImagePipeline.toInput(d, InputShape.rgb(3, 3), Normalization.none(), Interpolation.NEAREST);
        assertEquals(rgb.getDouble(0, 0, 1, 1), rgb.getDouble(0, 2, 1, 1), 0);
    }

    @Test
    void sixteenBitPngAndBilinearResizeStayUnrounded() throws Exception {
        int[] v = {30000, 30001, 30002, 30003};
        Path f = tmp.resolve("deep.png");
        DeepImages.writePng(f, DeepImages.gray16(4, 1, v));
        DecodedImage d = ImageDecoder.decode(f);
        assertEquals(16, d.bitDepth());
        INDArray x = ImagePipeline.toInput(d, new InputShape(1, 1, 8), Normalization.none(), Interpolation.BILINEAR);
        // neighbouring output pixels of an upscaled ramp differ by fractions of a 16-bit level
        for (int i = 0; i < 7; i++) {
            assertTrue(x.getDouble(0, 0, 0, i) <= x.getDouble(0, 0, 0, i + 1));
        }
        assertNotEquals(x.getDouble(0, 0, 0, 3), x.getDouble(0, 0, 0, 4));
        assertTrue(x.getDouble(0, 0, 0, 3) % 1 != 0, "16-bit values must not be rounded to 8-bit levels");
    }

    @Test
    void sixteenBitRgbTiffKeepsEveryChannel() throws Exception {
        java.awt.image.ComponentColorModel cm = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB), new int[] {16, 16, 16},
                false, false, java.awt.Transparency.OPAQUE, java.awt.image.DataBuffer.TYPE_USHORT);
        java.awt.image.WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {1000, 30000, 65535});
        r.setPixel(1, 0, new int[] {1001, 30001, 0});
        Path f = tmp.resolve("rgb48.tif");
        DeepImages.writeTiff(f, List.of(new BufferedImage(cm, r, false, null)));
        DecodedImage d = ImageDecoder.decode(f);
        assertEquals(16, d.bitDepth());
        assertEquals(3, d.channels());
        assertEquals(30001, d.sample(1, 0, 1), 0);
        assertEquals(65535, d.sample(2, 0, 0), 0);
        assertEquals(1001, d.sample(0, 0, 1), 0);
    }

    @Test
    void multiPageTiffGivesTheFirstPageWithAWarning() throws Exception {
        Path f = tmp.resolve("pages.tif");
        DeepImages.writeTiff(f, List.of(DeepImages.gray16(2, 2, new int[] {1, 2, 3, 4}),
                DeepImages.gray16(2, 2, new int[] {9, 9, 9, 9}), DeepImages.gray16(2, 2, new int[] {7, 7, 7, 7})));
        DecodedImage d = ImageDecoder.decode(f);
        assertEquals(4, d.sample(0, 1, 1), 0);
        assertEquals(List.of("multi-page TIFF: first page of 3 used"), d.warnings());
    }

    @Test
    void tiffFolderGeneratorMakesTwoSixteenBitClasses() throws Exception {
        DeepImages.tiffFolder(tmp.resolve("tiffs"), 3, 24, 1);
        FlowOptions o = FlowOptions.builder().targetSize(24, 24).colorMode(ColorMode.GRAYSCALE).shuffle(false)
                .batchSize(6).build();
        try (DirectoryFlow flow = ImagePipeline.of(Normalization.none()).flowFromDirectory(tmp.resolve("tiffs"), o)) {
            INDArray x = flow.next().getFeatures();
            assertArrayEquals(new long[] {6, 1, 24, 24}, x.shape());
            assertEquals(List.of("bright", "dark"), flow.getLabels());
            // the bright class has a disc near 60000/65535*255 = 233; no value is saturated at 255
            assertTrue(x.maxNumber().doubleValue() < 255 && x.maxNumber().doubleValue() > 230, x.maxNumber().toString());
        }
    }

    @Test
    void probeFindsAHeaderBeyondItsFirstReadBehindLargeMetadata() throws Exception {
        byte[] jpeg = HostileFiles.jpeg(new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        for (int k = 0; k < 5; k++) { // 5 APP2 segments of 64 KB (e.g. an ICC profile) before the frame header
            out.write(0xFF);
            out.write(0xE2);
            out.write(0xFF);
            out.write(0xFF);
            out.write(new byte[0xFFFF - 2]);
        }
        out.write(jpeg, 2, jpeg.length - 2);
        Path f = tmp.resolve("metadata-heavy.jpg");
        Files.write(f, out.toByteArray());
        assertTrue(Files.size(f) > ImageDecoder.PROBE_BYTES);
        ImageDecoder.ImageHeader h = ImageDecoder.standard().probe(f);
        assertEquals(30, h.width());
        assertEquals(20, h.height());
        assertEquals(30, ImageDecoder.decode(f).width());
    }

    @Test
    void exifOrientationIsApplied() throws Exception {
        BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, x < 10 ? Color.RED.getRGB() : Color.BLUE.getRGB());
            }
        }
        byte[] jpeg = HostileFiles.jpeg(img);
        DecodedImage upright = ImageDecoder.decode(jpeg);
        assertEquals(40, upright.width());
        // orientation 6: the camera was turned, the viewer rotates 90 degrees clockwise: red ends up on top
        DecodedImage rotated = ImageDecoder.decode(HostileFiles.withExifOrientation(jpeg, 6));
        assertEquals(20, rotated.width());
        assertEquals(40, rotated.height());
        assertTrue(rotated.sample(0, 2, 10) > 200 && rotated.sample(2, 2, 10) < 80, "top should be red");
        assertTrue(rotated.sample(2, 37, 10) > 200, "bottom should be blue");
        DecodedImage mirrored = ImageDecoder.decode(HostileFiles.withExifOrientation(jpeg, 2));
        assertTrue(mirrored.sample(0, 10, 37) > 200, "orientation 2 mirrors: red on the right");
    }

    @Test
    void pnmAndBmpAndGifAndRgbaDecode() throws Exception {
        // a binary PPM (P6) written by hand, read by Commons Imaging
        ByteArrayOutputStream ppm = new ByteArrayOutputStream();
        ppm.write("P6\n2 1\n255\n".getBytes(StandardCharsets.US_ASCII));
        ppm.write(new byte[] {(byte) 255, 0, 0, 0, (byte) 128, (byte) 255});
        Path p = tmp.resolve("x.ppm");
        Files.write(p, ppm.toByteArray());
        DecodedImage d = ImageDecoder.decode(p);
        assertEquals(3, d.channels());
        assertEquals(255, d.sample(0, 0, 0), 0);
        assertEquals(128, d.sample(1, 0, 1), 0);

        BufferedImage rgb = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 1; x < 16; x++) {
                rgb.setRGB(x, y, new Color(200, 20, 30).getRGB());
            }
        }
        for (String fmt : List.of("bmp", "gif")) {
            Path f = tmp.resolve("x." + fmt);
            BufferedImage src = rgb;
            if (fmt.equals("gif")) { // the JDK's GIF writer would quantise an RGB image to 1 bit
                src = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_INDEXED);
                src.getGraphics().drawImage(rgb, 0, 0, null);
            }
            ImageIO.write(src, fmt, f.toFile());
            DecodedImage e = ImageDecoder.decode(f);
            assertEquals(16, e.width(), fmt);
            assertEquals(0, e.sample(0, 5, 0), 0, fmt);
            // GIF goes through a palette: close, not exact
            assertEquals(200, e.sample(0, 1, 1), fmt.equals("gif") ? 30 : 0, fmt);
        }

        BufferedImage rgba = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, new Color(200, 100, 50, 10).getRGB());
        Path f = tmp.resolve("a.png");
        ImageIO.write(rgba, "png", f.toFile());
        DecodedImage a = ImageDecoder.decode(f);
        assertEquals(4, a.channels());
        INDArray x = ImagePipeline.toInput(a, InputShape.rgb(2, 2), Normalization.none(), Interpolation.NEAREST);
        assertEquals(200, x.getDouble(0, 0, 0, 0), 0, "RGBA -> RGB drops alpha, as PIL's convert('RGB')");
        INDArray g = ImagePipeline.toInput(a, new InputShape(1, 2, 2), Normalization.none(), Interpolation.NEAREST);
        assertEquals((200 * 19595 + 100 * 38470 + 50 * 7471 + 0x8000) >> 16, g.getDouble(0, 0, 0, 0), 0);
    }

    /**
     * The raw-raster JPEG path (libjpeg's YCbCr tables applied in Java) gives exactly the pixels of the JDK's own
     * conversion, on noise (where any table difference shows), odd sizes, progressive, gray and EXIF-rotated files,
     * and on every photo of the shared data set when it is present.
     */
    @Test
    void rawJpegPathEqualsTheJdkConversion() throws Exception {
        java.util.Random rnd = new java.util.Random(5);
        List<byte[]> files = new java.util.ArrayList<>();
        for (int[] size : new int[][] {{37, 23}, {64, 48}, {1, 1}, {17, 300}}) {
            BufferedImage img = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    img.setRGB(x, y, rnd.nextInt(1 << 24));
                }
            }
            byte[] jpeg = HostileFiles.jpeg(img);
            files.add(jpeg);
            files.add(HostileFiles.withExifOrientation(jpeg, 6));
            files.add(writeJpeg(img, true));
            BufferedImage gray = new BufferedImage(size[0], size[1], BufferedImage.TYPE_BYTE_GRAY);
            gray.getGraphics().drawImage(img, 0, 0, null);
            files.add(HostileFiles.jpeg(gray));
        }
        Path photos = Path.of("..", "..", "shared", "datasets", "dl4j-animals");
        if (Files.isDirectory(photos)) {
            try (var walk = Files.walk(photos)) {
                for (Path p : walk.filter(f -> f.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jpg")).toList()) {
                    files.add(Files.readAllBytes(p));
                }
            }
        }
        ImageDecoder dec = ImageDecoder.standard();
        for (int i = 0; i < files.size(); i++) {
            DecodedImage fast = dec.read(files.get(i), null);
            DecodedImage jdk = dec.readViaBufferedImage(files.get(i), null);
            assertEquals(jdk.width(), fast.width(), "file " + i);
            assertEquals(jdk.height(), fast.height(), "file " + i);
            assertEquals(jdk.channels(), fast.channels(), "file " + i);
            assertArrayEquals(jdk.planes(), fast.planes(), "file " + i + " pixels");
        }
    }

    private static byte[] writeJpeg(BufferedImage img, boolean progressive) throws Exception {
        javax.imageio.ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        javax.imageio.ImageWriteParam p = w.getDefaultWriteParam();
        if (progressive) {
            p.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (var out = ImageIO.createImageOutputStream(bos)) {
            w.setOutput(out);
            w.write(null, new javax.imageio.IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
        return bos.toByteArray();
    }
}
