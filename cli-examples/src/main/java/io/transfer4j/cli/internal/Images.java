package io.transfer4j.cli.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import io.transfer4j.augmentation.DecodedImage;
import io.transfer4j.augmentation.ImageDecodeException;
import io.transfer4j.augmentation.ImageDecoder;

/** Images for people to look at (report thumbnails), decoded like the training data. */
public final class Images {

    private Images() {
    }

    /** The file as an 8-bit RGB image (16-bit and float images scaled to their maximum, gray replicated). */
    public static BufferedImage read(Path file) throws IOException {
        return read(file, io.transfer4j.augmentation.DicomWindow.fromFile());
    }

    /** The file as an 8-bit RGB image, a DICOM file shown through {@code window}. */
    public static BufferedImage read(Path file, io.transfer4j.augmentation.DicomWindow window) throws IOException {
        try {
            return toRgb(ImageDecoder.standard().withDicom(new io.transfer4j.augmentation.DicomOptions(window,
                    io.transfer4j.augmentation.DicomFrames.FIRST)).read(file));
        } catch (ImageDecodeException e) {
            throw new IOException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
    }

    public static BufferedImage toRgb(DecodedImage d) {
        BufferedImage img = new BufferedImage(d.width(), d.height(), BufferedImage.TYPE_INT_RGB);
        float max = d.maxValue() <= 0 ? 255f : d.maxValue();
        boolean color = d.channels() >= 3;
        for (int y = 0; y < d.height(); y++) {
            for (int x = 0; x < d.width(); x++) {
                int r = scale(d.sample(0, y, x), max);
                int g = color ? scale(d.sample(1, y, x), max) : r;
                int b = color ? scale(d.sample(2, y, x), max) : r;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static int scale(float v, float max) {
        return Math.max(0, Math.min(255, Math.round(v / max * 255f)));
    }
}
