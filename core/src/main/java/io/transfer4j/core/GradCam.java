package io.transfer4j.core;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import io.transfer4j.zoo.AtomicFiles;

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
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1]; received " + alpha);
        }
        int h = heatmap.length;
        int w = heatmap[0].length;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                Color base = new Color(image.getRGB(x, y));
                float v = heatmap[y][x];
                Color heat = jet(v);
                double a = alpha * (0.25 + 0.75 * v);
                out.setRGB(x, y, new Color(mix(base.getRed(), heat.getRed(), a), mix(base.getGreen(), heat.getGreen(), a),
                        mix(base.getBlue(), heat.getBlue(), a)).getRGB());
            }
        }
        return out;
    }

    /** Writes {@link #overlay(double)} with alpha 0.5 as a PNG (atomically), enlarged to at least 224 px. */
    public Path writeOverlay(Path png) throws IOException {
        BufferedImage o = overlay(0.5);
        int scale = Math.max(1, 224 / Math.max(o.getWidth(), o.getHeight()));
        BufferedImage big = new BufferedImage(o.getWidth() * scale, o.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = big.createGraphics();
        g.drawImage(o, 0, 0, big.getWidth(), big.getHeight(), null);
        g.dispose();
        return AtomicFiles.write(png, os -> {
            if (!ImageIO.write(big, "png", os)) {
                throw new IOException("no PNG writer available");
            }
        });
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
