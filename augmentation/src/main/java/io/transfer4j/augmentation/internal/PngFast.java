package io.transfer4j.augmentation.internal;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A decoder for the PNGs photo folders are made of: 8-bit gray, gray+alpha, RGB or RGBA, not interlaced, no ICC
 * profile, no transparency chunk. The JDK's reader inflates row by row through a stream stack; this one inflates
 * the whole image in one native call, undoes the row filters in place and writes planar floats, about twice as
 * fast. Everything else - other depths, palettes, interlacing, and any file that is malformed in any way - gets
 * {@code null}, and the caller decodes it with ImageIO, which also names what is wrong. The pixels equal
 * ImageIO's ({@code PngFastTest}).
 */
public final class PngFast {
    private static final long SIGNATURE = 0x89504E470D0A1A0AL;

    private PngFast() {
    }

    /** Width and height from IHDR, or null if the bytes do not start like a PNG. */
    public static int[] size(byte[] b) {
        if (b.length < 33 || readLong(b, 0) != SIGNATURE || readInt(b, 12) != 0x49484452) { // "IHDR"
            return null;
        }
        return new int[] {readInt(b, 16), readInt(b, 20)};
    }

    /**
     * Planar float samples (gray, gray+alpha, RGB or RGBA, 0..255) or null when this decoder does not handle the
     * file. The caller has checked {@link #size} against its pixel limit.
     */
    public static float[] decode(byte[] b, int[] channelsOut) {
        int[] wh = size(b);
        if (wh == null) {
            return null;
        }
        int w = wh[0];
        int h = wh[1];
        int depth = b[24] & 0xFF;
        int colorType = b[25] & 0xFF;
        int interlace = b[28] & 0xFF;
        int channels = switch (colorType) {
            case 0 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> -1;
        };
        if (depth != 8 || channels < 0 || interlace != 0 || w <= 0 || h <= 0) {
            return null;
        }
        long rowBytes = (long) w * channels;
        long rawSize = (rowBytes + 1) * h;
        if (rawSize > Integer.MAX_VALUE - 16) {
            return null;
        }
        // gather IDAT; anything that would change the pixels ImageIO reports sends the file the general way
        int pos = 8;
        int idatTotal = 0;
        int[] idatStart = new int[16];
        int[] idatLen = new int[16];
        int idats = 0;
        boolean ended = false;
        while (pos + 12 <= b.length) {
            int len = readInt(b, pos);
            int type = readInt(b, pos + 4);
            if (len < 0 || pos + 12L + len > b.length) {
                return null;
            }
            if (type == 0x49444154) { // IDAT
                if (idats == idatStart.length) {
                    idatStart = java.util.Arrays.copyOf(idatStart, idats * 2);
                    idatLen = java.util.Arrays.copyOf(idatLen, idats * 2);
                }
                idatStart[idats] = pos + 8;
                idatLen[idats++] = len;
                idatTotal += len;
            } else if (type == 0x69434350 || type == 0x74524E53) { // iCCP, tRNS
                return null;
            } else if (type == 0x49454E44) { // IEND
                ended = true;
                break;
            }
            pos += 12 + len;
        }
        if (!ended || idats == 0) {
            return null;
        }
        byte[] raw = new byte[(int) rawSize];
        Inflater inf = new Inflater();
        try {
            int got = 0;
            for (int i = 0; i < idats && got < raw.length; i++) {
                inf.setInput(b, idatStart[i], idatLen[i]);
                while (!inf.needsInput() && got < raw.length) {
                    int n = inf.inflate(raw, got, raw.length - got);
                    if (n == 0 && (inf.finished() || inf.needsDictionary())) {
                        break;
                    }
                    got += n;
                }
            }
            if (got != raw.length) {
                return null;
            }
        } catch (DataFormatException e) {
            return null;
        } finally {
            inf.end();
        }
        if (!unfilter(raw, (int) rowBytes, h, channels)) {
            return null;
        }
        int n = w * h;
        float[] planes = new float[channels * n];
        for (int y = 0; y < h; y++) {
            int src = y * ((int) rowBytes + 1) + 1;
            int o = y * w;
            for (int c = 0; c < channels; c++) {
                int base = c * n + o;
                for (int x = 0, s = src + c; x < w; x++, s += channels) {
                    planes[base + x] = raw[s] & 0xFF;
                }
            }
        }
        channelsOut[0] = channels;
        return planes;
    }

    /** Undoes PNG's per-row filters in place (each row: one filter-type byte, then the filtered bytes). */
    private static boolean unfilter(byte[] raw, int rowBytes, int h, int bpp) {
        int stride = rowBytes + 1;
        for (int y = 0; y < h; y++) {
            int row = y * stride;
            int cur = row + 1;
            int prev = cur - stride; // valid only for y > 0
            switch (raw[row]) {
                case 0 -> {
                }
                case 1 -> {
                    for (int i = bpp; i < rowBytes; i++) {
                        raw[cur + i] += raw[cur + i - bpp];
                    }
                }
                case 2 -> {
                    if (y > 0) {
                        for (int i = 0; i < rowBytes; i++) {
                            raw[cur + i] += raw[prev + i];
                        }
                    }
                }
                case 3 -> {
                    for (int i = 0; i < rowBytes; i++) {
                        int left = i >= bpp ? raw[cur + i - bpp] & 0xFF : 0;
                        int up = y > 0 ? raw[prev + i] & 0xFF : 0;
                        raw[cur + i] += (byte) ((left + up) >>> 1);
                    }
                }
                case 4 -> {
                    for (int i = 0; i < rowBytes; i++) {
                        int a = i >= bpp ? raw[cur + i - bpp] & 0xFF : 0;
                        int bb = y > 0 ? raw[prev + i] & 0xFF : 0;
                        int c = i >= bpp && y > 0 ? raw[prev + i - bpp] & 0xFF : 0;
                        int p = a + bb - c;
                        int pa = Math.abs(p - a);
                        int pb = Math.abs(p - bb);
                        int pc = Math.abs(p - c);
                        int pred = pa <= pb && pa <= pc ? a : pb <= pc ? bb : c;
                        raw[cur + i] += (byte) pred;
                    }
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    private static int readInt(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    private static long readLong(byte[] b, int i) {
        return (long) readInt(b, i) << 32 | (readInt(b, i + 4) & 0xFFFFFFFFL);
    }
}
