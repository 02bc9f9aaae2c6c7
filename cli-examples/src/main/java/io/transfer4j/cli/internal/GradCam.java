package io.transfer4j.cli.internal;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.augmentation.ImageDecodeException;
import io.transfer4j.augmentation.ImageDecoder;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.augmentation.Interpolation;
import io.transfer4j.core.TransferModel;

/**
 * Grad-CAM (Selvaraju et al. 2017) for heads made of global pooling and one dense output layer, the head
 * {@code fit} and {@code quickstart} build. For such a head the class score is
 * {@code y_c = sum_k W[k,c] * pool(A_k) + b_c}, so the spatial mean of {@code dy_c/dA_k} is {@code W[k,c] / (h*w)}
 * for average and for max pooling alike, and Grad-CAM is {@code ReLU(sum_k W[k,c] * A_k)}: the feature maps at the
 * cut weighted by the output layer's weights of the class (identical to CAM, Zhou et al. 2016). Heads with hidden
 * dense layers are not supported ({@link #of} returns empty).
 */
public final class GradCam {

    private final TransferModel model;
    private final String outputLayer;

    private GradCam(TransferModel model, String outputLayer) {
        this.model = model;
        this.outputLayer = outputLayer;
    }

    /** A Grad-CAM for the model, or empty when its cut is a vector or its head has hidden dense layers. */
    public static Optional<GradCam> of(TransferModel model) {
        if (model.featureShape().length != 3 || !model.head().dense().isEmpty()) {
            return Optional.empty();
        }
        List<String> withParams = model.headVertices().stream()
                .filter(v -> model.graph().getLayer(v) != null && model.graph().getLayer(v).numParams() > 0).toList();
        return withParams.size() == 1 ? Optional.of(new GradCam(model, withParams.get(0))) : Optional.empty();
    }

    /** The heat map {@code [h, w]} at the cut's resolution for class {@code c}, scaled to [0, 1]. */
    public float[][] heatMap(INDArray input, int c) {
        return scaled(raw(activations(input), c));
    }

    /** One forward pass: every vertex's activation (the cut's feature map and the output among them). */
    private Map<String, INDArray> activations(INDArray input) {
        return model.graph().feedForward(new INDArray[] {input}, false, false);
    }

    private static float[][] scaled(INDArray cam) {
        int h = (int) cam.size(0);
        int wd = (int) cam.size(1);
        float[][] m = new float[h][wd];
        float max = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < wd; x++) {
                m[y][x] = Math.max(0, cam.getFloat(y, x));
                max = Math.max(max, m[y][x]);
            }
        }
        if (max > 0) {
            for (float[] row : m) {
                for (int x = 0; x < row.length; x++) {
                    row[x] /= max;
                }
            }
        }
        return m;
    }

    /** {@code sum_k W[k,c] * A_k} before ReLU and scaling: {@code [h, w]}. */
    INDArray raw(INDArray input, int c) {
        return raw(activations(input), c);
    }

    private INDArray raw(Map<String, INDArray> acts, int c) {
        INDArray a = acts.get(model.bodyOutputName());
        if (a == null || a.rank() != 4) {
            throw new IllegalStateException("no feature map at the cut '" + model.bodyOutputName() + "'");
        }
        INDArray w = weights(); // [k, classes]
        long k = a.size(1);
        long h = a.size(2);
        long wd = a.size(3);
        INDArray maps = a.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).dup().reshape(k, h * wd);
        return w.getColumn(c).dup().reshape(1, k).mmul(maps).reshape(h, wd);
    }

    INDArray weights() {
        return model.graph().getLayer(outputLayer).getParam("W");
    }

    INDArray bias() {
        return model.graph().getLayer(outputLayer).getParam("b");
    }

    /** The image with the heat map of its predicted class blended over it (blue = 0 ... red = 1). */
    public BufferedImage overlay(Path file) throws IOException {
        INDArray x;
        try {
            x = ImagePipeline.toInput(ImageDecoder.decode(file), model.input(), model.normalization(),
                    Interpolation.BILINEAR);
        } catch (ImageDecodeException e) {
            throw new IOException("cannot decode " + file + ": " + e.getMessage(), e);
        }
        Map<String, INDArray> acts = activations(x);
        ComputationGraph g = model.graph();
        float[] p = acts.get(g.getConfiguration().getNetworkOutputs().get(0)).toFloatVector();
        return overlay(Images.read(file), scaled(raw(acts, FitRun.argmax(p))));
    }

    static BufferedImage overlay(BufferedImage image, float[][] heat) {
        int h = heat.length;
        int w = heat[0].length;
        BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                small.setRGB(x, y, jet(heat[y][x]));
            }
        }
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.5f));
        g.drawImage(small, 0, 0, image.getWidth(), image.getHeight(), null);
        g.dispose();
        return out;
    }

    /** The "jet" colour map: 0 blue, 0.5 green-yellow, 1 red. */
    static int jet(float v) {
        float t = Math.max(0, Math.min(1, v));
        int r = clamp(1.5f - Math.abs(4 * t - 3));
        int g = clamp(1.5f - Math.abs(4 * t - 2));
        int b = clamp(1.5f - Math.abs(4 * t - 1));
        return (r << 16) | (g << 8) | b;
    }

    private static int clamp(float v) {
        return Math.round(Math.max(0, Math.min(1, v)) * 255);
    }
}
