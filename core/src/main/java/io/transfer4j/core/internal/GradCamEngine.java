package io.transfer4j.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Grad-CAM (Selvaraju et al. 2017): the gradient of a class score (the output layer's pre-activation) with respect
 * to a convolutional feature map A, averaged over positions to channel weights alpha_k, then
 * {@code ReLU(sum_k alpha_k A_k)}, scaled to [0, 1].
 *
 * <p>The gradient comes from a "tail" graph: the vertices after the target, rebuilt for exact inference-mode
 * derivatives — the output layer becomes an identity dense layer (so the score is the logit), BatchNorm in the
 * head becomes its inference-time affine map, dropout becomes identity — with the model's parameters. DL4J's
 * own backprop on the model cannot be used: frozen layers stop gradients and BatchNorm backprop assumes batch
 * statistics. One instance per thread (not thread-safe).
 */
public final class GradCamEngine {

    private final String target;
    private final TailGraph tail;
    private final String output;

    /** The gradient of the tail's output w.r.t. its input, for given output errors. */
    static final class TailGraph extends ComputationGraph {
        private static final long serialVersionUID = 1L;

        TailGraph(ComputationGraphConfiguration conf) {
            super(conf);
        }

        INDArray inputGradient(String input, INDArray activations, INDArray outputError) {
            feedForward(new INDArray[] {activations}, false, false);
            calcBackpropGradients(false, false, outputError);
            INDArray g = getVertex(input).getEpsilon().dup();
            clear();
            return g;
        }
    }

    /**
     * Result at feature-map resolution.
     *
     * @param cam    ReLU(sum_k alpha_k A_k), not yet normalised
     * @param alpha  the channel weights: mean over positions of d(score)/dA
     * @param logits the output layer's pre-activations for the input
     */
    public record Raw(float[][] cam, double[] alpha, INDArray logits) {
    }

    /** The output layer's pre-activations for a feature map at the target layer (for checks). */
    public INDArray logits(INDArray featureMap) {
        return tail.outputSingle(false, featureMap);
    }

    public GradCamEngine(ComputationGraphConfiguration plain, ComputationGraph model, String target, InputType input) {
        this.target = target;
        plain = plain.clone();
        GraphSurgery.setLayout(plain, CNN2DFormat.NCHW);   // a channels-last inference graph: the tail runs NCHW
        Map<String, InputType> types = plain.getLayerActivationTypes(false, false, input);
        this.output = plain.getNetworkOutputs().get(0);
        Set<String> tailVertices = GraphSurgery.descendants(plain, target);
        String leak = sideInput(plain, target);
        if (leak != null) {
            throw new IllegalArgumentException("Grad-CAM layer '" + target + "' is not a bottleneck: " + leak
                    + "; choose a layer every path to the output passes through");
        }
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
                .dataType(plain.getDataType() == null ? DataType.FLOAT : plain.getDataType())
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE)
                .graphBuilder().addInputs(target);
        List<String> foldedBn = new ArrayList<>();
        for (String name : GraphSurgery.topologicalOrder(plain)) {
            if (!tailVertices.contains(name)) {
                continue;
            }
            List<String> in = plain.getVertexInputs().get(name);
            GraphVertex v = plain.getVertices().get(name);
            if (!(v instanceof LayerVertex lv)) {
                gb.addVertex(name, v.clone(), in.toArray(String[]::new));
                continue;
            }
            Layer layer = GraphSurgery.layerConf(plain, name).clone();
            Layer replacement;
            if (layer instanceof BatchNormalization) {
                InputType t = types.get(in.get(0));
                if (t instanceof InputType.InputTypeFeedForward ff) {
                    replacement = new ElementWiseMultiplicationLayer.Builder().nIn(ff.getSize()).nOut(ff.getSize())
                            .activation(Activation.IDENTITY).build();
                } else if (t instanceof InputType.InputTypeConvolutional conv) {
                    // per-channel affine map = 1x1 depthwise convolution with bias
                    replacement = new DepthwiseConvolution2D.Builder(1, 1).depthMultiplier(1)
                            .nIn(conv.getChannels()).nOut(conv.getChannels()).hasBias(true)
                            .dataFormat(conv.getFormat()).activation(Activation.IDENTITY).build();
                } else {
                    throw new IllegalArgumentException("Grad-CAM: BatchNorm '" + name + "' on input " + t
                            + " is not supported; choose a layer after it");
                }
                foldedBn.add(name);
            } else if (layer instanceof DropoutLayer) {
                replacement = new ActivationLayer.Builder().activation(Activation.IDENTITY).build();
            } else if (layer instanceof BaseOutputLayer out) {
                replacement = new DenseLayer.Builder().nIn(out.getNIn()).nOut(out.getNOut())
                        .activation(Activation.IDENTITY).build();
            } else {
                replacement = layer;
            }
            replacement.setIDropout(null);
            gb.addLayer(name, replacement, lv.getPreProcessor() == null ? null : lv.getPreProcessor().clone(),
                    in.toArray(String[]::new));
        }
        gb.setOutputs(output);
        gb.setInputTypes(types.get(target));
        TailGraph t = new TailGraph(gb.build());
        t.init();
        List<String> copied = new ArrayList<>();
        for (String name : tailVertices) {
            if (t.getLayer(name) != null && !foldedBn.contains(name)) {
                copied.add(name);
            }
        }
        GraphSurgery.copyParams(model, t, copied);
        for (String name : foldedBn) {
            BatchNormAffine bn = BatchNormAffine.of(model.getLayer(name));
            org.deeplearning4j.nn.api.Layer dst = t.getLayer(name);
            INDArray w = dst.getParam("W");
            INDArray b = dst.getParam("b");
            w.assign(bn.scale().reshape(w.shape()).castTo(w.dataType()));
            b.assign(bn.shift().reshape(b.shape()).castTo(b.dataType()));
        }
        this.tail = t;
    }

    public String target() {
        return target;
    }

    /**
     * The default Grad-CAM layer: walking back from the cut, the last convolution or activation layer whose output
     * is a feature map and after which every path to the output passes (VGG16: {@code block5_conv3}, ResNet50:
     * {@code res5c_relu}).
     */
    public static String defaultTarget(ComputationGraphConfiguration plain, InputType input, List<String> body) {
        Map<String, InputType> types = plain.getLayerActivationTypes(false, false, input);
        for (int i = body.size() - 1; i >= 0; i--) {
            String name = body.get(i);
            Layer l = GraphSurgery.layerConf(plain, name);
            if ((l instanceof ConvolutionLayer || l instanceof ActivationLayer)
                    && types.get(name) instanceof InputType.InputTypeConvolutional
                    && isBottleneck(plain, name)) {
                return name;
            }
        }
        throw new IllegalArgumentException("no convolutional feature map found before the cut for Grad-CAM;"
                + " Grad-CAM needs a convolutional backbone");
    }

    private static boolean isBottleneck(ComputationGraphConfiguration plain, String name) {
        return sideInput(plain, name) == null;
    }

    /** Why {@code name} is not a bottleneck (a vertex after it also reads a vertex not after it), or null. */
    private static String sideInput(ComputationGraphConfiguration plain, String name) {
        Set<String> tail = GraphSurgery.descendants(plain, name);
        for (String v : tail) {
            for (String i : plain.getVertexInputs().get(v)) {
                if (!i.equals(name) && !tail.contains(i)) {
                    return "'" + v + "' also reads '" + i + "'";
                }
            }
        }
        return null;
    }

    /**
     * Grad-CAM for one normalised input {@code [1, c, h, w]} and a class.
     *
     * @param sign +1 for the logit of {@code outputIndex}, -1 for its negation (binary task, class 0)
     */
    public Raw compute(ComputationGraph model, INDArray input, int outputIndex, double sign) {
        Map<String, INDArray> acts = model.feedForward(input, false);
        return compute(acts.get(target), outputIndex, sign);
    }

    /** Grad-CAM on a derived inference graph (any layout; its {@code output} is NCHW). */
    public Raw compute(io.transfer4j.core.InferenceGraph model, INDArray input, int outputIndex, double sign) {
        return compute(model.output(List.of(target), input)[0], outputIndex, sign);
    }

    private Raw compute(INDArray a, int outputIndex, double sign) {
        if (a == null || a.rank() != 4 || a.size(0) != 1) {
            throw new IllegalStateException("Grad-CAM layer '" + target + "' gave no [1,c,h,w] feature map");
        }
        a = a.dup();
        INDArray logits = tail.outputSingle(false, a);
        INDArray err = Nd4j.zeros(logits.dataType(), logits.shape());
        err.putScalar(0, outputIndex, sign);
        INDArray grad = tail.inputGradient(target, a, err);
        INDArray alpha = grad.mean(2, 3); // [1, c]
        int c = (int) a.size(1);
        int h = (int) a.size(2);
        int w = (int) a.size(3);
        float[][] cam = new float[h][w];
        for (int k = 0; k < c; k++) {
            double ak = alpha.getDouble(0, k);
            if (ak == 0) {
                continue;
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    cam[y][x] += (float) (ak * a.getDouble(0, k, y, x));
                }
            }
        }
        for (float[] row : cam) {
            for (int x = 0; x < w; x++) {
                row[x] = Math.max(0, row[x]);
            }
        }
        return new Raw(cam, alpha.toDoubleVector(), logits);
    }

    /** Scales a map to [0, 1] by its maximum (all zeros stays zeros). */
    public static float[][] normalise(float[][] m) {
        float max = 0;
        for (float[] row : m) {
            for (float v : row) {
                max = Math.max(max, v);
            }
        }
        float[][] out = new float[m.length][];
        for (int y = 0; y < m.length; y++) {
            out[y] = m[y].clone();
            if (max > 0) {
                for (int x = 0; x < out[y].length; x++) {
                    out[y][x] /= max;
                }
            }
        }
        return out;
    }

    /** Bilinear resize (pixel centres aligned, as OpenCV's {@code resize}). */
    public static float[][] resize(float[][] m, int height, int width) {
        int h = m.length;
        int w = m[0].length;
        float[][] out = new float[height][width];
        for (int y = 0; y < height; y++) {
            double sy = Math.min(Math.max((y + 0.5) * h / height - 0.5, 0), h - 1);
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < width; x++) {
                double sx = Math.min(Math.max((x + 0.5) * w / width - 0.5, 0), w - 1);
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                double top = m[y0][x0] * (1 - fx) + m[y0][x1] * fx;
                double bottom = m[y1][x0] * (1 - fx) + m[y1][x1] * fx;
                out[y][x] = (float) (top * (1 - fy) + bottom * fy);
            }
        }
        return out;
    }
}
