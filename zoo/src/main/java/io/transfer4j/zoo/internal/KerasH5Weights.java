package io.transfer4j.zoo.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.InputShape;

/**
 * Keras applications weights ({@code .h5}) loaded by layer name into the project's graph. Both ResNet50 naming
 * schemes are understood: the original one ({@code conv1}, {@code bn_conv1}, {@code res2a_branch2a}, BN epsilon
 * 1e-3), which is also this project's, and the current one ({@code conv1_conv}, {@code conv2_block1_1_conv},
 * {@code conv2_block1_0_bn}, {@code predictions}; epsilon 1.001e-5), which is renamed on reading. Conversions:
 * convolution kernels {@code [kh,kw,in,out]} -> {@code [out,in,kh,kw]}; a dense layer fed by a flattened feature
 * map gets its rows reordered from Keras' (h,w,c) flattening to DL4J's (c,h,w); BatchNormalization takes
 * gamma, beta, moving mean and moving variance as they are (the graph uses {@code useLogStd(false)}).
 */
public final class KerasH5Weights {
    private static final Pattern NEW_RESNET = Pattern.compile("conv(\\d)_block(\\d+)_(\\d)_(conv|bn)");
    private static final String[] BRANCH = {"1", "2a", "2b", "2c"};

    private KerasH5Weights() {
    }

    static ComputationGraph load(BackboneSpec spec, InputShape input, boolean top, Path file) throws IOException {
        Map<String, KerasH5File.LayerWeights> layers = KerasH5File.read(file);
        boolean newNames = layers.containsKey("conv1_conv");
        Map<String, KerasH5File.LayerWeights> byName = new LinkedHashMap<>();
        layers.forEach((name, w) -> byName.put(newNames ? fromNewResNetName(name) : name, w));
        ComputationGraph graph = Graphs.build(spec, input, top, 0,
                newNames ? Graphs.KERAS_NEW_BN_EPSILON : Graphs.KERAS_OLD_BN_EPSILON);
        loadInto(graph, byName, file, spec.id());
        return graph;
    }

    /**
     * Fills every layer with weights of {@code graph} from {@code layers} (keyed by the graph's layer names).
     *
     * @throws IOException naming the missing layers or the mismatched shapes
     */
    public static void loadInto(ComputationGraph graph, Map<String, KerasH5File.LayerWeights> layers, Path file,
                                String what) throws IOException {
        List<String> wanted = Dl4jWeights.weightedLayers(graph);
        List<String> missing = wanted.stream().filter(n -> !layers.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new IOException(file + " has no weights for " + missing.size() + " of " + wanted.size()
                    + " layers of " + what + " (first missing: " + missing.subList(0, Math.min(5, missing.size()))
                    + "); the file's layers start with " + layers.values().stream().limit(5)
                    .map(KerasH5File.LayerWeights::layer).toList() + ". Is it a " + what + " weights file?");
        }
        for (String name : wanted) {
            assign(graph, name, layers.get(name), file);
        }
    }

    /** {@code conv2_block1_1_conv} -> {@code res2a_branch2a}; {@code conv1_bn} -> {@code bn_conv1}; others unchanged. */
    public static String fromNewResNetName(String name) {
        switch (name) {
            case "conv1_conv":
                return "conv1";
            case "conv1_bn":
                return "bn_conv1";
            case "predictions":
                return "fc1000";
            default:
                break;
        }
        Matcher m = NEW_RESNET.matcher(name);
        if (!m.matches()) {
            return name;
        }
        char block = (char) ('a' + Integer.parseInt(m.group(2)) - 1);
        String branch = BRANCH[Integer.parseInt(m.group(3))];
        String prefix = m.group(4).equals("conv") ? "res" : "bn";
        return prefix + m.group(1) + block + "_branch" + branch;
    }

    /** The inverse of {@link #fromNewResNetName} for the layers with weights (used to write test files). */
    public static String toNewResNetName(String name) {
        switch (name) {
            case "conv1":
                return "conv1_conv";
            case "bn_conv1":
                return "conv1_bn";
            case "fc1000":
                return "predictions";
            default:
                break;
        }
        Matcher m = Pattern.compile("(res|bn)(\\d)([a-z])_branch(1|2a|2b|2c)").matcher(name);
        if (!m.matches()) {
            return name;
        }
        int k = Arrays.asList(BRANCH).indexOf(m.group(4));
        return "conv" + m.group(2) + "_block" + (m.group(3).charAt(0) - 'a' + 1) + "_" + k + "_"
                + (m.group(1).equals("res") ? "conv" : "bn");
    }

    private static void assign(ComputationGraph graph, String name, KerasH5File.LayerWeights w, Path file)
            throws IOException {
        Layer layer = graph.getLayer(name);
        Object conf = layer.conf().getLayer();
        List<INDArray> v = w.values();
        String where = file + " layer '" + w.layer() + "'";
        if (conf instanceof DepthwiseConvolution2D) {
            // Keras [kh, kw, in, multiplier] is DL4J's depthwise layout already
            boolean bias = layer.paramTable().containsKey("b");
            expect(w, bias ? 2 : 1, where, bias ? "depthwise_kernel, bias" : "depthwise_kernel");
            set(layer, "W", w, 0, layer.getParam("W").shape(), x -> x, where, "[kh, kw, in, multiplier]");
            if (bias) {
                set(layer, "b", w, 1, new long[] {layer.getParam("b").length()}, x -> x, where, "[out]");
            }
        } else if (conf instanceof ConvolutionLayer) {
            boolean bias = layer.paramTable().containsKey("b");
            expect(w, bias ? 2 : 1, where, bias ? "kernel, bias" : "kernel (no bias)");
            long[] oihw = layer.getParam("W").shape();
            set(layer, "W", w, 0, new long[] {oihw[2], oihw[3], oihw[1], oihw[0]}, x -> x.permute(3, 2, 0, 1), where,
                    "[kh, kw, in, out]");
            if (bias) {
                set(layer, "b", w, 1, new long[] {oihw[0]}, x -> x, where, "[out]");
            }
        } else if (conf instanceof DenseLayer) {
            expect(w, 2, where, "kernel, bias");
            int[] hwc = flattenedFeatureMap(graph, name);
            UnaryOperator<INDArray> rows = hwc == null ? x -> x : x -> hwcRowsToChw(x, hwc[0], hwc[1], hwc[2]);
            set(layer, "W", w, 0, layer.getParam("W").shape(), rows, where, "[in, out]");
            set(layer, "b", w, 1, new long[] {layer.getParam("b").length()}, x -> x, where, "[out]");
        } else if (conf instanceof BatchNormalization) {
            expect(w, 4, where, "gamma, beta, moving_mean, moving_variance");
            long n = layer.getParam("gamma").length();
            String[] keys = {"gamma", "beta", "mean", "var"};
            for (int i = 0; i < keys.length; i++) {
                set(layer, keys[i], w, i, new long[] {n}, x -> x, where, "[channels]");
            }
        } else {
            throw new IOException(where + ": no conversion for " + conf.getClass().getSimpleName());
        }
    }

    private static void expect(KerasH5File.LayerWeights w, int n, String where, String expected)
            throws IOException {
        if (w.values().size() != n) {
            throw new IOException(where + " has " + w.values().size() + " weight arrays " + w.weightNames()
                    + "; the network's layer needs " + n + " (" + expected + "). Is the file for this"
                    + " architecture?");
        }
    }

    /**
     * Checks the file's array {@code index} has {@code kerasShape} (the shape Keras stores for the network's
     * parameter, in the order {@code layout} describes), converts it and assigns it to {@code key}.
     */
    private static void set(Layer layer, String key, KerasH5File.LayerWeights w, int index, long[] kerasShape,
                            UnaryOperator<INDArray> convert, String where, String layout) throws IOException {
        INDArray value = w.values().get(index);
        long[] found = value.rank() == 0 ? new long[] {1} : value.shape();
        if (!Arrays.equals(found, kerasShape)) {
            throw new IOException(where + ": weight '" + w.weightNames().get(index) + "' has shape "
                    + Arrays.toString(found) + " in the file, but the network's layer needs "
                    + Arrays.toString(kerasShape) + " (Keras layout " + layout + "). Is the file for this"
                    + " architecture and input?");
        }
        INDArray target = layer.getParam(key);
        target.assign(convert.apply(value).reshape('c', target.shape()).castTo(target.dataType()));
    }

    /** [h, w, c] of the feature map flattened into {@code layer}'s input, or null if its input is not one. */
    private static int[] flattenedFeatureMap(ComputationGraph graph, String layer) {
        List<String> inputs = graph.getConfiguration().getVertexInputs().get(layer);
        if (inputs == null || inputs.size() != 1) {
            return null;
        }
        var vertex = graph.getConfiguration().getVertices().get(inputs.get(0));
        if (vertex instanceof PreprocessorVertex pv && pv.getPreProcessor() instanceof CnnToFeedForwardPreProcessor p
                && p.getInputHeight() * p.getInputWidth() > 1) {
            return new int[] {(int) p.getInputHeight(), (int) p.getInputWidth(), (int) p.getNumChannels()};
        }
        return null;
    }

    /** Rows of a dense kernel indexed by Keras' (h,w,c) flattening, reordered for DL4J's (c,h,w). */
    public static INDArray hwcRowsToChw(INDArray kernel, int h, int w, int c) {
        long out = kernel.size(1);
        return kernel.reshape('c', h, w, c, out).permute(2, 0, 1, 3).dup('c').reshape('c', (long) c * h * w, out);
    }

    /** The inverse of {@link #hwcRowsToChw}. */
    public static INDArray chwRowsToHwc(INDArray kernel, int h, int w, int c) {
        long out = kernel.size(1);
        return kernel.reshape('c', c, h, w, out).permute(1, 2, 0, 3).dup('c').reshape('c', (long) h * w * c, out);
    }

    /**
     * Writes {@code graph}'s weights as a Keras {@code save_weights} file: every vertex in topological order, the
     * layers with weights in Keras' shapes and order, named by {@code rename}; {@code keras1WeightNames} uses the
     * flat {@code <layer>_W_1:0} names of Keras 1 files (e.g. the published VGG16 notop), otherwise
     * {@code <layer>/kernel:0}.
     */
    public static void export(ComputationGraph graph, Path file, UnaryOperator<String> rename,
                              boolean keras1WeightNames) throws IOException {
        List<KerasH5File.LayerWeights> out = new ArrayList<>();
        for (String name : Groups.topologicalNames(graph)) {
            String kerasName = rename.apply(name);
            var vertex = graph.getVertex(name);
            if (!vertex.hasLayer() || vertex.numParams() == 0) {
                out.add(new KerasH5File.LayerWeights(kerasName, List.of(), List.of()));
                continue;
            }
            Layer layer = graph.getLayer(name);
            Object conf = layer.conf().getLayer();
            List<INDArray> values = new ArrayList<>();
            List<String> keys;
            if (conf instanceof DepthwiseConvolution2D) {
                values.add(layer.getParam("W").dup('c'));
                keys = List.of("depthwise_kernel");
                if (layer.paramTable().containsKey("b")) {
                    values.add(layer.getParam("b").reshape(-1));
                    keys = List.of("depthwise_kernel", "bias");
                }
            } else if (conf instanceof ConvolutionLayer) {
                values.add(layer.getParam("W").permute(2, 3, 1, 0).dup('c'));
                keys = List.of("kernel");
                if (layer.paramTable().containsKey("b")) {
                    values.add(layer.getParam("b").reshape(-1));
                    keys = List.of("kernel", "bias");
                }
            } else if (conf instanceof DenseLayer) {
                INDArray kernel = layer.getParam("W");
                int[] hwc = flattenedFeatureMap(graph, name);
                values.add(hwc == null ? kernel.dup('c') : chwRowsToHwc(kernel, hwc[0], hwc[1], hwc[2]));
                values.add(layer.getParam("b").reshape(-1));
                keys = List.of("kernel", "bias");
            } else if (conf instanceof BatchNormalization) {
                for (String k : List.of("gamma", "beta", "mean", "var")) {
                    values.add(layer.getParam(k).reshape(-1));
                }
                keys = List.of("gamma", "beta", "moving_mean", "moving_variance");
            } else {
                throw new IOException("no Keras conversion for " + conf.getClass().getSimpleName() + " '" + name + "'");
            }
            List<String> names = new ArrayList<>();
            for (String k : keys) {
                String keras1 = k.equals("kernel") ? "W" : k.equals("bias") ? "b" : k;
                names.add(keras1WeightNames ? kerasName + "_" + keras1 + "_1:0" : kerasName + "/" + k + ":0");
            }
            out.add(new KerasH5File.LayerWeights(kerasName, names, values));
        }
        KerasH5File.write(file, out);
    }
}
