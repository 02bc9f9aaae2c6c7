package io.transfer4j.testdata;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

/**
 * Seeded, visually distinct image classes in Keras-style class folders ({@code dir/<class>/<file>}).
 *
 * <p>Each class has its own shape and colour family on a noisy background, so a classifier can learn them from
 * few examples: {@code circles} (warm), {@code squares} (green), {@code stripes} (blue), {@code triangles}
 * (purple), {@code rings} (yellow). Same spec and seed: byte-identical PNG files (JPEG bytes depend on the
 * JDK's encoder, pixels do not depend on anything else).
 */
public final class ImageFolders {

    /** The classes in the order they are drawn from; {@link Spec#classes()} picks the first n. */
    public static final List<String> ALL_CLASSES = List.of("circles", "squares", "stripes", "triangles", "rings");

    /** Name of the marker file that says a folder was fully written by {@link #ensure}. */
    public static final String MARKER = ".transfer4j-sample";

    private ImageFolders() {
    }

    /**
     * What to generate.
     *
     * @param classes  how many classes (1..5)
     * @param perClass images per class (>= 1)
     * @param size     width and height in pixels (>= 8)
     * @param formats  file formats cycled through per image: {@code png}, {@code jpg}
     * @param seed     the seed
     */
    public record Spec(int classes, int perClass, int size, List<String> formats, long seed) {
        public Spec {
            if (classes < 1 || classes > ALL_CLASSES.size()) {
                throw new IllegalArgumentException("classes must be in 1.." + ALL_CLASSES.size() + "; received " + classes);
            }
            if (perClass < 1) {
                throw new IllegalArgumentException("perClass must be >= 1; received " + perClass);
            }
            if (size < 8) {
                throw new IllegalArgumentException("size must be >= 8 pixels; received " + size);
            }
            formats = List.copyOf(formats);
            if (formats.isEmpty() || !formats.stream().allMatch(f -> f.equals("png") || f.equals("jpg"))) {
                throw new IllegalArgumentException("formats must be png and/or jpg; received " + formats);
            }
        }

        /** The quickstart's sample set: 4 classes x 100 images, 96 px, PNG and JPEG. */
        public static Spec quickstart() {
            return new Spec(4, 100, 96, List.of("png", "jpg"), 42);
        }

        public List<String> classNames() {
            return ALL_CLASSES.subList(0, classes);
        }

        String describe() {
            return "classes=" + classes + " perClass=" + perClass + " size=" + size + " formats=" + formats
                    + " seed=" + seed;
        }
    }

    /**
     * Writes the images into {@code dir}, which must not exist or be empty. Returns the files written, in class
     * then file order.
     */
    public static List<Path> generate(Path dir, Spec spec) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw new FileAlreadyExistsException(dir.toString(), null,
                        "directory is not empty; pass a new or empty directory");
            }
        }
        List<Path> written = new ArrayList<>();
        for (int c = 0; c < spec.classes(); c++) {
            String name = ALL_CLASSES.get(c);
            Path classDir = Files.createDirectories(dir.resolve(name));
            for (int i = 0; i < spec.perClass(); i++) {
                // one RNG per image: the image does not depend on how many came before it
                Random rng = new Random(spec.seed() * 1_000_003L + c * 100_003L + i);
                BufferedImage img = draw(name, spec.size(), rng);
                String format = spec.formats().get(i % spec.formats().size());
                Path file = classDir.resolve(String.format("%s_%04d.%s", name, i, format));
                if (!ImageIO.write(img, format.equals("jpg") ? "jpeg" : "png", file.toFile())) {
                    throw new IOException("no ImageIO writer for " + format);
                }
                written.add(file);
            }
        }
        return written;
    }

    /**
     * Makes sure {@code dir} holds the sample set described by {@code spec}: reuses it when a previous call
     * wrote the same spec there, otherwise generates it into a temporary sibling directory and moves that into
     * place, so an interrupted run never leaves a half-written folder that looks complete.
     *
     * @return true if the images were generated now, false if an existing complete set was reused
     */
    public static boolean ensure(Path dir, Spec spec) throws IOException {
        Path marker = dir.resolve(MARKER);
        if (Files.isRegularFile(marker)
                && Files.readString(marker, StandardCharsets.UTF_8).trim().equals(spec.describe())) {
            return false;
        }
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new FileAlreadyExistsException(dir.toString(), null,
                            "exists and is not a complete sample set written by transfer4j (no matching " + MARKER
                                    + "); remove it or choose another directory");
                }
            }
            Files.delete(dir);
        }
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, dir.getFileName() + ".partial-");
        try {
            generate(tmp, spec);
            Files.writeString(tmp.resolve(MARKER), spec.describe() + "\n", StandardCharsets.UTF_8);
            relaxPermissions(tmp); // createTempDirectory makes it owner-only; the data is not secret
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            deleteRecursively(tmp);
            throw e;
        }
    }

    private static void relaxPermissions(Path dir) throws IOException {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms =
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");
            Files.setPosixFilePermissions(dir, perms);
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the ACLs of the parent apply
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Draws one image of the named class. */
    public static BufferedImage draw(String className, int size, Random rng) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        // noisy grey-ish background
        int base = 90 + rng.nextInt(60);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int n = base + rng.nextInt(41) - 20;
                img.setRGB(x, y, new Color(clamp(n), clamp(n + rng.nextInt(11) - 5), clamp(n)).getRGB());
            }
        }
        double s = size / 96.0;
        int cx = (int) (size * (0.3 + 0.4 * rng.nextDouble()));
        int cy = (int) (size * (0.3 + 0.4 * rng.nextDouble()));
        int r = (int) (s * (18 + rng.nextInt(14)));
        switch (className) {
            case "circles" -> {
                g.setColor(jitter(new Color(220, 60, 40), rng));
                g.fillOval(cx - r, cy - r, 2 * r, 2 * r);
            }
            case "squares" -> {
                g.setColor(jitter(new Color(50, 190, 70), rng));
                g.fillRect(cx - r, cy - r, 2 * r, 2 * r);
            }
            case "stripes" -> {
                g.setColor(jitter(new Color(40, 80, 220), rng));
                int period = Math.max(4, (int) (s * (10 + rng.nextInt(6))));
                int offset = rng.nextInt(period);
                for (int y = offset; y < size; y += period) {
                    g.fillRect(0, y, size, Math.max(2, period / 2));
                }
            }
            case "triangles" -> {
                g.setColor(jitter(new Color(150, 50, 190), rng));
                g.fillPolygon(new int[] {cx, cx - r, cx + r}, new int[] {cy - r, cy + r, cy + r}, 3);
            }
            case "rings" -> {
                g.setColor(jitter(new Color(230, 200, 40), rng));
                g.setStroke(new BasicStroke((float) Math.max(2, 6 * s)));
                g.drawOval(cx - r, cy - r, 2 * r, 2 * r);
            }
            default -> throw new IllegalArgumentException("unknown class '" + className + "'; known: " + ALL_CLASSES);
        }
        g.dispose();
        return img;
    }

    private static Color jitter(Color c, Random rng) {
        return new Color(clamp(c.getRed() + rng.nextInt(41) - 20), clamp(c.getGreen() + rng.nextInt(41) - 20),
                clamp(c.getBlue() + rng.nextInt(41) - 20));
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
