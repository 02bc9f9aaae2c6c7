package io.transfer4j.cli.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.augmentation.ImageDecodeException;
import io.transfer4j.augmentation.ImageDecoder;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.augmentation.Interpolation;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;

/** Predictions from a saved bundle, as a user of the bundle would make them (load, preprocess, classify). */
public final class Predictions {

    private Predictions() {
    }

    /** The top label of one image. */
    public record Row(Path file, String label, double probability) {
    }

    /** Loads {@code bundle} and classifies each file with the preprocessing the bundle records. */
    public static List<Row> predict(Path bundle, List<Path> files) throws IOException {
        TransferModel m = ModelBundle.load(bundle);
        List<Row> rows = new ArrayList<>();
        for (Path f : files) {
            INDArray x;
            try {
                x = ImagePipeline.toInput(ImageDecoder.decode(f), m.input(), m.normalization(),
                        Interpolation.BILINEAR);
            } catch (ImageDecodeException e) {
                throw new IOException("cannot decode " + f + ": " + e.getMessage(), e);
            }
            float[] p = m.graph().output(false, x)[0].toFloatVector();
            int best = FitRun.argmax(p);
            rows.add(new Row(f, m.labels().get(best), p[best]));
        }
        return rows;
    }

    /**
     * Grad-CAM overlays from a saved bundle for the report, or null when the model's head does not allow it (see
     * {@link GradCam}); an image that cannot be explained gets no overlay.
     */
    public static Function<Path, BufferedImage> gradCam(Path bundle) {
        TransferModel m;
        try {
            m = ModelBundle.load(bundle);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return GradCam.of(m).<Function<Path, BufferedImage>>map(cam -> file -> {
            try {
                return cam.overlay(file);
            } catch (IOException e) {
                return null;
            }
        }).orElse(null);
    }
}
