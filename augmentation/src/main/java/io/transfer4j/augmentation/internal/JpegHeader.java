package io.transfer4j.augmentation.internal;

/**
 * What transfer4j needs from a JPEG header before decoding: the number of colour components in the frame (4 =
 * CMYK/YCCK, which the JDK decoder refuses), the EXIF orientation (1..8, 1 when absent), and the markers that decide
 * how a decoder interprets three components (JFIF, Adobe's transform flag, component ids, an embedded ICC profile).
 * Reads markers up to the start of scan only; never throws on malformed input (returns what it found).
 *
 * @param adobeTransform the Adobe APP14 transform (0 = RGB/CMYK, 1 = YCbCr, 2 = YCCK), -1 without that marker
 * @param componentIds   the frame's component ids, in order (empty when no frame header was found)
 */
public record JpegHeader(int components, int orientation, boolean adobeTransformYcck, boolean jfif,
                         int adobeTransform, int[] componentIds, boolean iccProfile) {

    /**
     * True when libjpeg (and so the JDK's reader) treats three components as YCbCr and converts them to RGB with
     * its fixed tables: a JFIF file, an Adobe marker with transform 1, or neither marker and ids 1, 2, 3
     * (libjpeg's {@code default_decompress_parms}). Files with an ICC profile are left out: the JDK may apply it.
     */
    public boolean plainYCbCr() {
        if (components != 3 || iccProfile || componentIds.length != 3) {
            return false;
        }
        if (jfif) {
            return adobeTransform == -1 || adobeTransform == 1;
        }
        if (adobeTransform != -1) {
            return adobeTransform == 1;
        }
        return componentIds[0] == 1 && componentIds[1] == 2 && componentIds[2] == 3;
    }

    public static JpegHeader parse(byte[] b) {
        int components = -1;
        int orientation = 1;
        boolean ycck = false;
        boolean jfif = false;
        int adobe = -1;
        int[] ids = new int[0];
        boolean icc = false;
        int i = 2;
        try {
            while (i + 4 <= b.length) {
                if ((b[i] & 0xFF) != 0xFF) {
                    break;
                }
                int marker = b[i + 1] & 0xFF;
                if (marker == 0xFF) {
                    i++;
                    continue;
                }
                if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                    i += 2;
                    continue;
                }
                if (marker == 0xDA || marker == 0xD9) {
                    break; // start of scan / end of image
                }
                int len = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
                int seg = i + 4;
                if (len < 2 || seg + len - 2 > b.length) {
                    break;
                }
                boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
                if (sof && len >= 8) {
                    components = b[seg + 5] & 0xFF;
                    if (len >= 8 + 3 * components) {
                        ids = new int[components];
                        for (int c = 0; c < components; c++) {
                            ids[c] = b[seg + 6 + 3 * c] & 0xFF;
                        }
                    }
                } else if (marker == 0xE0 && len >= 7 && b[seg] == 'J' && b[seg + 1] == 'F' && b[seg + 2] == 'I'
                        && b[seg + 3] == 'F' && b[seg + 4] == 0) {
                    jfif = true;
                } else if (marker == 0xE2 && len >= 14 && new String(b, seg, 11,
                        java.nio.charset.StandardCharsets.ISO_8859_1).equals("ICC_PROFILE")) {
                    icc = true;
                } else if (marker == 0xE1 && len >= 8 && b[seg] == 'E' && b[seg + 1] == 'x' && b[seg + 2] == 'i'
                        && b[seg + 3] == 'f' && b[seg + 4] == 0 && b[seg + 5] == 0) {
                    orientation = exifOrientation(b, seg + 6, seg + len - 2);
                } else if (marker == 0xEE && len >= 14 && b[seg] == 'A' && b[seg + 1] == 'd' && b[seg + 2] == 'o'
                        && b[seg + 3] == 'b' && b[seg + 4] == 'e') {
                    adobe = b[seg + 11] & 0xFF;
                    ycck = adobe == 2;
                }
                i = seg + len - 2;
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            // malformed header: report what was found so far; the decoder will name the real problem
        }
        return new JpegHeader(components, orientation < 1 || orientation > 8 ? 1 : orientation, ycck, jfif, adobe,
                ids, icc);
    }

    /** Orientation tag 0x0112 in IFD0 of the TIFF structure at {@code start} (exclusive end {@code end}). */
    private static int exifOrientation(byte[] b, int start, int end) {
        if (end - start < 8) {
            return 1;
        }
        boolean little = b[start] == 'I' && b[start + 1] == 'I';
        int ifd = start + u32(b, start + 4, little);
        if (ifd < start || ifd + 2 > end) {
            return 1;
        }
        int n = u16(b, ifd, little);
        for (int k = 0; k < n; k++) {
            int e = ifd + 2 + 12 * k;
            if (e + 12 > end) {
                return 1;
            }
            if (u16(b, e, little) == 0x0112) {
                return u16(b, e + 8, little);
            }
        }
        return 1;
    }

    private static int u16(byte[] b, int i, boolean little) {
        return little ? (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 : (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static int u32(byte[] b, int i, boolean little) {
        return little ? u16(b, i, true) | u16(b, i + 2, true) << 16 : u16(b, i, false) << 16 | u16(b, i + 2, false);
    }
}
