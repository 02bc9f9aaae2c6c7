package io.transfer4j.core;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import io.transfer4j.internal.AtomicFiles;

/**
 * A Grad-CAM explanation of one prediction: where in the input the evidence for a class lies.
 *
 * @param classIndex  the explained class (label index)
 * @param label       its label
 * @param probability the model's probability for it on this input
 * @param layer       the feature-map layer the gradient was taken at (e.g. {@code block5_conv3})
 * @param heatmap     {@code [height][width]} of the model input, values in [0, 1] (1 = strongest evidence)
 * @param coarse      the same map at the feature map's resolution, in [0, 1]
 * @param image       the input as the model saw it (resized, RGB, before normalisation)
 */
public record GradCam(int classIndex, String label, double probability, String layer, float[][] heatmap,
                      float[][] coarse, BufferedImage image) {

    /** The input with the heatmap blended on top ({@code alpha} = heatmap opacity at value 1, e.g. 0.5). */
    public BufferedImage overlay(double alpha) {
        return blend(image, heatmap, alpha);
    }

    /**
     * {@code original} (any size, e.g. the file before it was resized for the model) with the heat map blended on
     * top: the coarse map is upsampled bilinearly straight to the original's pixels, so small inputs give a smooth
     * map instead of blocks, and the original keeps its aspect ratio (the model saw it squeezed to its input
     * size; the map is stretched back the same way).
     */
    public BufferedImage overlayOn(BufferedImage original, double alpha) {
        return blend(original, io.transfer4j.core.internal.GradCamEngine.resize(coarse, original.getHeight(),
                original.getWidth()), alpha);
    }

    private static BufferedImage blend(BufferedImage base, float[][] heat, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1]; received " + alpha);
        }
        int h = heat.length;
        int w = heat[0].length;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                Color b = new Color(base.getRGB(x, y));
                float v = heat[y][x];
                Color c = jet(v);
                double a = alpha * (0.25 + 0.75 * v);
                out.setRGB(x, y, new Color(mix(b.getRed(), c.getRed(), a), mix(b.getGreen(), c.getGreen(), a),
                        mix(b.getBlue(), c.getBlue(), a)).getRGB());
            }
        }
        return out;
    }

    /** {@link #writeOverlay(Path, BufferedImage)} over the input as the model saw it. */
    public Path writeOverlay(Path png) throws IOException {
        return writeOverlay(png, image);
    }

    /**
     * Writes the heat map over {@code original} in its own aspect ratio ({@link #overlayOn}, alpha 0.5), scaled
     * smoothly so its longer side is at least {@value #MIN_SIDE} px, with a colour bar (low to high evidence) on
     * the right, as a PNG (atomically).
     */
    public Path writeOverlay(Path png, BufferedImage original) throws IOException {
        BufferedImage big = withColourBar(scaled(overlayOn(original, 0.5), MIN_SIDE));
        return AtomicFiles.write(png, os -> {
            if (!ImageIO.write(big, "png", os)) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    /** The smallest longer side of a written overlay. */
    static final int MIN_SIDE = 224;
    /** Width of the colour-bar margin, bar and labels. */
    static final int BAR_MARGIN = 64;

    /** {@code img} scaled (bilinear) so that its longer side is at least {@code side}, aspect ratio kept. */
    static BufferedImage scaled(BufferedImage img, int side) {
        double f = Math.max(1.0, side / (double) Math.max(img.getWidth(), img.getHeight()));
        int w = (int) Math.round(img.getWidth() * f);
        int h = (int) Math.round(img.getHeight() * f);
        if (w == img.getWidth() && h == img.getHeight()) {
            return img;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /** {@code img} with a white margin on the right holding the jet colour bar, "high" at the top, "low" below. */
    static BufferedImage withColourBar(BufferedImage img) {
        int h = img.getHeight();
        BufferedImage out = new BufferedImage(img.getWidth() + BAR_MARGIN, h, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), h);
        g.drawImage(img, 0, 0, null);
        int x0 = img.getWidth() + 10;
        int top = 14;
        int bottom = Math.max(top + 2, h - 14);
        for (int y = top; y <= bottom; y++) {
            g.setColor(jet((float) (bottom - y) / (bottom - top)));
            g.drawLine(x0, y, x0 + 12, y);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x0, top, 12, bottom - top);
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING,
                java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
        g.drawString("high", x0 + 16, top + 9);
        g.drawString("low", x0 + 16, bottom);
        g.dispose();
        return out;
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round(a * (1 - t) + b * t);
    }

    /** The classic "jet" colour map: blue (0) - cyan - yellow - red (1). */
    static Color jet(float v) {
        float t = Math.max(0, Math.min(1, v));
        float r = clamp(1.5f - Math.abs(4 * t - 3));
        float g = clamp(1.5f - Math.abs(4 * t - 2));
        float b = clamp(1.5f - Math.abs(4 * t - 1));
        return new Color(r, g, b);
    }

    private static float clamp(float x) {
        return Math.max(0, Math.min(1, x));
    }
}
