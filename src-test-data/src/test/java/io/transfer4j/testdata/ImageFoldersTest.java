package io.transfer4j.testdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFoldersTest {

    @TempDir
    Path tmp;

    @Test
    void writesClassFoldersInBothFormatsDeterministically() throws Exception {
        ImageFolders.Spec spec = new ImageFolders.Spec(3, 4, 32, List.of("png", "jpg"), 7);
        List<Path> a = ImageFolders.generate(tmp.resolve("a"), spec);
        List<Path> b = ImageFolders.generate(tmp.resolve("b"), spec);
        assertEquals(12, a.size());
        assertEquals(List.of("circles", "squares", "stripes"), listDirs(tmp.resolve("a")));
        assertTrue(a.stream().anyMatch(p -> p.toString().endsWith(".jpg")));
        assertTrue(a.stream().anyMatch(p -> p.toString().endsWith(".png")));
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).toString().endsWith(".png")) {
                assertArrayEquals(Files.readAllBytes(a.get(i)), Files.readAllBytes(b.get(i)));
            }
            BufferedImage img = ImageIO.read(a.get(i).toFile());
            assertEquals(32, img.getWidth());
        }
    }

    @Test
    void classesDifferInColour() throws Exception {
        // mean colour of a circle image is redder than a square image's: the classes are learnable
        ImageFolders.Spec spec = new ImageFolders.Spec(2, 1, 64, List.of("png"), 1);
        List<Path> files = ImageFolders.generate(tmp.resolve("c"), spec);
        double[] circle = meanRgb(ImageIO.read(files.get(0).toFile()));
        double[] square = meanRgb(ImageIO.read(files.get(1).toFile()));
        assertTrue(circle[0] - circle[1] > square[0] - square[1] + 10, "circle red-green must exceed square's");
    }

    @Test
    void ensureReusesACompleteSetAndRefusesForeignContent() throws Exception {
        Path dir = tmp.resolve("data");
        ImageFolders.Spec spec = new ImageFolders.Spec(2, 2, 16, List.of("png"), 3);
        assertTrue(ImageFolders.ensure(dir, spec));
        assertFalse(ImageFolders.ensure(dir, spec), "second call reuses");
        assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir)), "readable by others like any folder the user makes");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no partial directory left behind");
        }
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        assertThrows(FileAlreadyExistsException.class, () -> ImageFolders.ensure(foreign, spec));
        assertEquals("mine", Files.readString(foreign.resolve("notes.txt")), "user's file untouched");
    }

    @Test
    void badSpecSaysWhatWasReceived() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImageFolders.Spec(9, 1, 32, List.of("png"), 0));
        assertTrue(e.getMessage().contains("received 9"), e.getMessage());
    }

    private static List<String> listDirs(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static double[] meanRgb(BufferedImage img) {
        double[] m = new double[3];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                m[0] += (rgb >> 16) & 255;
                m[1] += (rgb >> 8) & 255;
                m[2] += rgb & 255;
            }
        }
        int n = img.getWidth() * img.getHeight();
        return new double[] {m[0] / n, m[1] / n, m[2] / n};
    }
}
