package io.transfer4j.augmentation;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import io.transfer4j.augmentation.internal.Images;
import io.transfer4j.zoo.Normalization;

/**
 * A contact sheet of augmented samples, to see what the options do before training: one row per image, the
 * un-augmented image first, then {@code variants} random draws (the draws of epochs 0, 1, ...).
 */
public final class AugmentPreview {
    private static final int GAP = 2;

    private AugmentPreview() {
    }

    /**
     * Builds the grid for {@code images} files of {@code dir}, taken class by class in turn (seeded choice within
     * each class), so every class shows up.
     *
     * @param options  the augmentation to preview
     * @param size     cell size in pixels (images are resized to size x size)
     */
    public static BufferedImage grid(Path dir, AugmentOptions options, int images, int variants, int size, long seed) {
        if (images < 1 || variants < 1 || size < 8) {
            throw new IllegalArgumentException("preview needs images >= 1, variants >= 1 and size >= 8; received "
                    + images + ", " + variants + ", " + size);
        }
        DataScan.Result scan = DataScan.scan(dir, ScanOptions.quick());
        List<List<String>> perClass = new java.util.ArrayList<>();
        for (int c = 0; c < scan.classIndices().size(); c++) {
            List<String> files = new java.util.ArrayList<>();
            for (int i = 0; i < scan.files().size(); i++) {
                if (scan.labels().get(i) == c) {
                    files.add(scan.files().get(i));
                }
            }
            java.util.Collections.shuffle(files, new java.util.Random(seed + c));
            perClass.add(files);
        }
        List<String> chosen = new java.util.ArrayList<>();
        for (int round = 0; chosen.size() < images; round++) {
            boolean any = false;
            for (List<String> files : perClass) {
                if (round < files.size() && chosen.size() < images) {
                    chosen.add(files.get(round));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        List<Path> paths = chosen.stream().map(dir::resolve).toList();
        int[] labels = new int[chosen.size()];
        List<String> classes = List.copyOf(scan.classIndices().keySet());
        FlowOptions flow = FlowOptions.builder().targetSize(size, size).batchSize(chosen.size()).seed(seed)
                .shuffle(false).classMode(ClassMode.NONE).prefetch(0).build();
        ImagePipeline raw = ImagePipeline.of(Normalization.none());
        INDArray original;
        try (DirectoryFlow f = raw.directoryFlow(classes, paths, chosen, labels, flow, false, List.of(), List.of())) {
            original = f.next().getFeatures();
        }
        int rows = (int) original.size(0);
        BufferedImage sheet = new BufferedImage((variants + 1) * (size + GAP) + GAP, rows * (size + GAP) + GAP,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        draw(g, original, 0, size);
        ImagePipeline aug = raw.augment(options.toBuilder().validationSplit(0).build());
        try (DirectoryFlow f = aug.directoryFlow(classes, paths, chosen, labels, flow, true, List.of(), List.of())) {
            for (int v = 0; v < variants; v++) {
                f.setEpoch(v);
                draw(g, f.next().getFeatures(), v + 1, size);
            }
        }
        g.dispose();
        return sheet;
    }

    private static void draw(Graphics2D g, INDArray batch, int column, int size) {
        int c = (int) batch.size(1);
        for (int r = 0; r < batch.size(0); r++) {
            float[] x = batch.get(NDArrayIndex.point(r)).dup('c').data().asFloat();
            g.drawImage(Images.toBufferedImage(x, c, size, size), GAP + column * (size + GAP), GAP + r * (size + GAP),
                    null);
        }
    }

    /** Writes the grid as PNG atomically (temp file beside the target, then a move). */
    public static void write(BufferedImage grid, Path png) throws IOException {
        Images.writeAtomically(grid, "png", png);
    }

    /** The file name extensions a preview can be written as. */
    public static List<String> formats() {
        return List.of("png");
    }
}
