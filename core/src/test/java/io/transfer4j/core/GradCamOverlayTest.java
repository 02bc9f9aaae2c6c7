package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The written Grad-CAM: smooth at small inputs, in the image's aspect ratio, with a colour bar. */
class GradCamOverlayTest {

    /** A 2x2 map (what a 32-64 px input gives at the last conv block): hot top-left, cold elsewhere. */
    private static GradCam cam() {
        float[][] coarse = {{1f, 0f}, {0f, 0f}};
        BufferedImage input = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        return new GradCam(0, "cat", 0.9, "block5_conv3", io.transfer4j.core.internal.GradCamEngine.resize(coarse,
                32, 32), coarse, input);
    }

    private static BufferedImage gray(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, new Color(128, 128, 128).getRGB());
            }
        }
        return img;
    }

    @Test
    void theMapIsUpsampledSmoothlyOntoTheOriginalInItsOwnSize() {
        BufferedImage original = gray(300, 150);
        BufferedImage o = cam().overlayOn(original, 0.5);
        assertEquals(300, o.getWidth());
        assertEquals(150, o.getHeight());
        // along the middle row, red falls off gradually: no step larger than a few levels between neighbours
        int y = 37;
        int maxStep = 0;
        int distinct = 0;
        int prev = new Color(o.getRGB(0, y)).getRed();
        for (int x = 1; x < 300; x++) {
            int r = new Color(o.getRGB(x, y)).getRed();
            maxStep = Math.max(maxStep, Math.abs(r - prev));
            distinct += r != prev ? 1 : 0;
            prev = r;
        }
        assertTrue(maxStep <= 6, "bilinear, not 2x2 blocks: largest step " + maxStep);
        assertTrue(distinct > 30, "many shades across the row: " + distinct);
    }

    @Test
    void theWrittenPngKeepsTheAspectRatioAndHasAColourBar(@TempDir Path dir) throws Exception {
        Path png = cam().writeOverlay(dir.resolve("cam.png"), gray(90, 30));
        BufferedImage img = ImageIO.read(png.toFile());
        int imageWidth = img.getWidth() - GradCam.BAR_MARGIN;
        assertEquals(224, imageWidth, "the longer side scaled to 224 px");
        assertEquals(75, img.getHeight(), "3:1 kept (224 x 75), not squeezed to a square");
        // the bar: red (high) near the top, blue (low) near the bottom, in the right margin
        int bx = imageWidth + 16;
        Color high = new Color(img.getRGB(bx, 16));
        Color low = new Color(img.getRGB(bx, img.getHeight() - 16));
        assertTrue(high.getRed() > 150 && high.getBlue() < 80, "top of the bar is hot: " + high);
        assertTrue(low.getBlue() > 150 && low.getRed() < 80, "bottom of the bar is cold: " + low);
    }
}
