package io.transfer4j.core;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Objects;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One image for {@link Predictor#predict}, {@link Predictor#embed} and {@link Predictor#explain}, in any of the forms
 * a batch application holds it. Resize, colour mode and normalisation are the predictor's business, whatever the
 * form.
 *
 * <pre>{@code
 * p.predict(ImageInput.of(Path.of("cat.jpg")), 3);
 * p.predict(ImageInput.of(bytesFromAQueue), 3);
 * p.embed(ImageInput.of(bufferedImage));
 * p.explain(ImageInput.of(rawPixels0to255));
 * }</pre>
 */
public sealed interface ImageInput {

    /** An image file (any format {@code ImageDecoder} reads, DICOM included). */
    static ImageInput of(Path file) {
        return new File(file);
    }

    /** An encoded image in memory (PNG, JPEG, TIFF, DICOM, ...). */
    static ImageInput of(byte[] encoded) {
        return new Bytes(encoded);
    }

    /** A decoded Java image. */
    static ImageInput of(BufferedImage image) {
        return new Image(image);
    }

    /**
     * Raw pixel values 0-255 in RGB (or gray) order, {@code [c,h,w]} or {@code [1,c,h,w]}, at the model's input
     * size; the channel count is converted and the normalisation applied by the predictor.
     */
    static ImageInput of(INDArray pixels) {
        return new Pixels(pixels);
    }

    /** @param path the file */
    record File(Path path) implements ImageInput {
        public File {
            Objects.requireNonNull(path, "image file path must not be null");
        }
    }

    /** @param encoded the file's bytes (not copied: do not change them while a call runs) */
    record Bytes(byte[] encoded) implements ImageInput {
        public Bytes {
            Objects.requireNonNull(encoded, "image bytes must not be null");
        }
    }

    /** @param image the decoded image */
    record Image(BufferedImage image) implements ImageInput {
        public Image {
            Objects.requireNonNull(image, "image must not be null");
        }
    }

    /** @param pixels raw 0-255 values, {@code [c,h,w]} or {@code [1,c,h,w]} */
    record Pixels(INDArray pixels) implements ImageInput {
        public Pixels {
            Objects.requireNonNull(pixels, "pixel array must not be null");
        }
    }
}
