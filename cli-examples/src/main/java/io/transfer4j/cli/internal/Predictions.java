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

    /** Image file name endings looked for in directories (case-insensitive). */
    public static final List<String> EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff", "ppm",
            "pgm", "pnm");

    /** The files named, with directories expanded to their image files (recursively, sorted). */
    public static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (java.nio.file.Files.isDirectory(p)) {
                try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(p)) {
                    s.filter(java.nio.file.Files::isRegularFile).filter(Predictions::isImage).sorted()
                            .forEach(files::add);
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && !n.startsWith(".") && EXTENSIONS.contains(n.substring(dot + 1));
    }

    /** The {@code k} most probable labels of one image, most probable first. */
    public static List<io.transfer4j.core.Prediction> topK(TransferModel m, Path file, int k) throws IOException {
        INDArray x;
        try {
            x = ImagePipeline.toInput(ImageDecoder.decode(file), m.input(), m.normalization(), Interpolation.BILINEAR);
        } catch (ImageDecodeException e) {
            throw new IOException("cannot decode " + file + ": " + e.getMessage(), e);
        }
        float[] p = m.graph().output(false, x)[0].toFloatVector();
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
        List<io.transfer4j.core.Prediction> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, p.length); i++) {
            out.add(new io.transfer4j.core.Prediction(m.labels().get(order[i]), order[i], p[order[i]]));
        }
        return out;
    }

    /** Loads {@code bundle} and classifies each file with the preprocessing the bundle records. */
    public static List<Row> predict(Path bundle, List<Path> files) throws IOException {
        TransferModel m = ModelBundle.load(bundle);
        List<Row> rows = new ArrayList<>();
        for (Path f : files) {
            io.transfer4j.core.Prediction best = topK(m, f, 1).get(0);
            rows.add(new Row(f, best.label(), best.probability()));
        }
        return rows;
    }

    /**
     * Grad-CAM overlays of a model for the report, or null when its head does not allow it (see {@link GradCam});
     * an image that cannot be explained gets no overlay.
     */
    public static Function<Path, BufferedImage> gradCam(TransferModel m) {
        return GradCam.of(m).<Function<Path, BufferedImage>>map(cam -> file -> {
            try {
                return cam.overlay(file);
            } catch (IOException e) {
                return null;
            }
        }).orElse(null);
    }
}
