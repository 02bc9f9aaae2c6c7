package io.transfer4j.augmentation.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.transfer4j.augmentation.DecodedImage;
import io.transfer4j.augmentation.ImageDecoder;

/**
 * PNGs written here with every row filter (row y uses filter y mod 5) in every colour type the fast decoder takes;
 * its pixels must equal ImageIO's. Files it must leave to ImageIO (16-bit, palette, interlaced, tRNS, truncated)
 * give null.
 */
class PngFastTest {

    @ParameterizedTest(name = "colour type {0}, {1}x{2}")
    @CsvSource({"0,33,17", "2,40,23", "4,7,31", "6,64,48", "2,1,1", "6,1,9"})
    void everyFilterDecodesToImageIoPixels(int colorType, int w, int h) throws Exception {
        int channels = switch (colorType) {
            case 0 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            default -> 4;
        };
        Random rnd = new Random(colorType * 100 + w);
        byte[] pixels = new byte[w * h * channels];
        for (int i = 0; i < pixels.length; i++) {
            // half noise, half smooth ramps, so the predictors see both
            pixels[i] = (byte) (i % 7 < 3 ? rnd.nextInt(256) : (i * 3) % 256);
        }
        byte[] png = png(w, h, 8, colorType, 0, channels, pixels, null);
        int[] ch = new int[1];
        float[] planes = PngFast.decode(png, ch);
        assertNotNull(planes, "the fast decoder should take this file");
        assertEquals(channels, ch[0]);
        DecodedImage viaImageIo = ImageDecoder.decode(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)));
        assertEquals(channels, viaImageIo.channels());
        assertArrayEquals(viaImageIo.planes(), planes);
        // and the public decoder, which uses it, agrees too
        assertArrayEquals(viaImageIo.planes(), ImageDecoder.decode(png).planes());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"16-bit", "palette", "interlaced", "tRNS", "truncated", "bad filter"})
    void filesItDoesNotHandleGoToImageIo(String kind) throws Exception {
        byte[] px = new byte[4 * 4 * 3];
        Arrays.fill(px, (byte) 9);
        byte[] png = switch (kind) {
            case "16-bit" -> png(4, 4, 16, 2, 0, 6, new byte[4 * 4 * 6], null);
            case "palette" -> png(4, 4, 8, 3, 0, 1, new byte[16], null);
            case "interlaced" -> png(4, 4, 8, 2, 1, 3, px, null);
            case "tRNS" -> png(4, 4, 8, 2, 0, 3, px, new byte[] {0, 9, 0, 9, 0, 9});
            case "truncated" -> Arrays.copyOf(png(4, 4, 8, 2, 0, 3, px, null), 45);
            default -> png(4, 4, 8, 2, 0, 3, px, null, 9); // filter type 9 does not exist
        };
        assertNull(PngFast.decode(png, new int[1]), kind);
    }

    static byte[] png(int w, int h, int depth, int colorType, int interlace, int bpp, byte[] pixels, byte[] trns)
            throws IOException {
        return png(w, h, depth, colorType, interlace, bpp, pixels, trns, -1);
    }

    /** A PNG with row y filtered by filter {@code y % 5} (or {@code forceFilter} when >= 0). */
    static byte[] png(int w, int h, int depth, int colorType, int interlace, int bpp, byte[] pixels, byte[] trns,
                      int forceFilter) throws IOException {
        int rowBytes = w * bpp;
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (int y = 0; y < h; y++) {
            int f = forceFilter >= 0 ? forceFilter : y % 5;
            raw.write(f);
            for (int i = 0; i < rowBytes; i++) {
                int x = pixels[y * rowBytes + i] & 0xFF;
                int a = i >= bpp ? pixels[y * rowBytes + i - bpp] & 0xFF : 0;
                int b = y > 0 ? pixels[(y - 1) * rowBytes + i] & 0xFF : 0;
                int c = i >= bpp && y > 0 ? pixels[(y - 1) * rowBytes + i - bpp] & 0xFF : 0;
                int pred = switch (f) {
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) >>> 1;
                    case 4 -> {
                        int p = a + b - c;
                        int pa = Math.abs(p - a);
                        int pb = Math.abs(p - b);
                        int pc = Math.abs(p - c);
                        yield pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    }
                    default -> 0;
                };
                raw.write((x - pred) & 0xFF);
            }
        }
        Deflater d = new Deflater();
        d.setInput(raw.toByteArray());
        d.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            z.write(buf, 0, d.deflate(buf));
        }
        d.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(out);
        o.writeLong(0x89504E470D0A1A0AL);
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream ih = new DataOutputStream(ihdr);
        ih.writeInt(w);
        ih.writeInt(h);
        ih.write(new byte[] {(byte) depth, (byte) colorType, 0, 0, (byte) interlace});
        chunk(o, "IHDR", ihdr.toByteArray());
        if (colorType == 3) {
            chunk(o, "PLTE", new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        }
        if (trns != null) {
            chunk(o, "tRNS", trns);
        }
        byte[] zb = z.toByteArray();
        int half = zb.length / 2; // two IDAT chunks, as encoders that stream do
        chunk(o, "IDAT", Arrays.copyOfRange(zb, 0, half));
        chunk(o, "IDAT", Arrays.copyOfRange(zb, half, zb.length));
        chunk(o, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(DataOutputStream o, String type, byte[] data) throws IOException {
        o.writeInt(data.length);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        o.write(t);
        o.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        o.writeInt((int) crc.getValue());
    }
}
