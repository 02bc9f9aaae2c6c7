package io.transfer4j.zoo.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.imageio.ImageIO;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.SelfTestResult;

/**
 * The preprocessing self-test: scikit-image's chelsea photo (CC0, a tabby cat; see
 * {@code selftest/README.md}) through a pretrained backbone with its ImageNet top. A cat class in the top 5 proves
 * weights, layer order, channel order and normalisation are right together; a swapped BGR/RGB or a wrong scale
 * typically drops it out.
 */
public final class SelfTests {
    public static final String IMAGE = "chelsea_224.png";
    /** ImageNet-1k indices of the domestic cats a classifier may call Chelsea. */
    public static final Set<Integer> CATS = Set.of(281, 282, 285);
    private static final Map<Integer, String> NAMES = Map.of(281, "tabby", 282, "tiger cat", 283, "Persian cat",
            284, "Siamese cat", 285, "Egyptian cat", 287, "lynx");

    private SelfTests() {
    }

    /** The photo as an NCHW RGB batch of one, 0-255, 224x224 (not normalised). */
    public static INDArray photo() {
        try (InputStream in = SelfTests.class.getResourceAsStream("/io/transfer4j/zoo/selftest/" + IMAGE)) {
            if (in == null) {
                throw new IllegalStateException("the self-test photo " + IMAGE + " is missing from the zoo jar");
            }
            return rgb(ImageIO.read(in));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the self-test photo " + IMAGE + ": " + e.getMessage(), e);
        }
    }

    public static INDArray rgb(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        float[] x = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int i = 0; i < w; i++) {
                int p = img.getRGB(i, y);
                x[y * w + i] = (p >> 16) & 0xff;
                x[h * w + y * w + i] = (p >> 8) & 0xff;
                x[2 * h * w + y * w + i] = p & 0xff;
            }
        }
        return Nd4j.create(x, new long[] {1, 3, h, w}, 'c');
    }

    /**
     * Classifies {@code rgb} (NCHW, 0-255) with {@code backbone} (which must have its top) after the backbone's own
     * normalisation, and checks one of {@code expected} is in the top 5.
     */
    public static SelfTestResult run(Backbone backbone, INDArray rgb, String image, Set<Integer> expected) {
        if (!backbone.hasTop()) {
            throw new IllegalArgumentException(backbone.spec().id() + " was loaded without its ImageNet top; the"
                    + " self-test needs weights with the top at " + backbone.spec().defaultInput());
        }
        if (backbone.input().height() != rgb.size(2) || backbone.input().width() != rgb.size(3)) {
            throw new IllegalArgumentException("the self-test image is " + rgb.size(2) + "x" + rgb.size(3) + " but "
                    + backbone.spec().id() + "'s top takes " + backbone.input());
        }
        INDArray x = backbone.normalization().applyInPlace(rgb.castTo(DataType.FLOAT).dup());
        INDArray probs = backbone.graph().outputSingle(false, x).castTo(DataType.DOUBLE).reshape(-1);
        List<SelfTestResult.Ranked> top = new ArrayList<>();
        boolean[] taken = new boolean[(int) probs.length()];
        for (int k = 0; k < Math.min(5, taken.length); k++) {
            int best = -1;
            for (int i = 0; i < taken.length; i++) {
                if (!taken[i] && (best < 0 || probs.getDouble(i) > probs.getDouble(best))) {
                    best = i;
                }
            }
            taken[best] = true;
            top.add(new SelfTestResult.Ranked(best, NAMES.getOrDefault(best, ""), probs.getDouble(best)));
        }
        boolean passed = top.stream().anyMatch(r -> expected.contains(r.index()));
        return new SelfTestResult(backbone.spec().id(), image, backbone.weights().source(), top, expected, passed);
    }
}
