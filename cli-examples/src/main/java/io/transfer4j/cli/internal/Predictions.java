package io.transfer4j.cli.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.transfer4j.core.ImageInput;
import io.transfer4j.core.Prediction;
import io.transfer4j.core.Predictor;

/** Predictions and Grad-CAM overlays through core's {@link Predictor}, as a user of a bundle makes them. */
public final class Predictions {

    private Predictions() {
    }

    /** The top label of one image. */
    public record Row(Path file, String label, double probability) {
    }

    /** Opens {@code bundle} and classifies each file with the preprocessing the bundle records. */
    public static List<Row> predict(Path bundle, List<Path> files) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (Predictor p = Predictor.open(bundle)) {
            for (Path f : files) {
                Prediction best = p.predict(ImageInput.of(f), 1).get(0);
                rows.add(new Row(f, best.label(), best.probability()));
            }
        }
        return rows;
    }

    /** Grad-CAM overlay of an image's predicted class (as the model saw it), or null if it cannot be made. */
    public static Function<Path, BufferedImage> gradCam(Predictor predictor) {
        return gradCam(predictor, io.transfer4j.augmentation.DicomWindow.fromFile());
    }

    /**
     * Grad-CAM overlay of an image's predicted class, a DICOM file windowed with {@code window} first (the overlay
     * is drawn on the windowed image), or null if it cannot be made.
     */
    public static Function<Path, BufferedImage> gradCam(Predictor predictor,
                                                        io.transfer4j.augmentation.DicomWindow window) {
        return file -> {
            try {
                if (!window.fromFileTags() && io.transfer4j.augmentation.ImageDecoder.isDicom(file)) {
                    return predictor.explain(ImageInput.of(Images.read(file, window))).overlay(0.5);
                }
                return predictor.explain(ImageInput.of(file)).overlay(0.5);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        };
    }
}
