package io.transfer4j.zoo.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Loads a DL4J {@code ModelSerializer} zip (DL4J's pretrained zoo files) and copies its parameters into the
 * project's Keras-faithful graph: by layer name when every layer is found (DL4J's converted VGG16/ResNet50 keep
 * the Keras names), otherwise by order of the layers with weights when the shapes agree (graphs whose names
 * differ). Layers the target does not have (the classifier top at other input sizes) are skipped.
 */
public final class Dl4jWeights {
    private Dl4jWeights() {
    }

    public static ComputationGraph restore(Path zip) throws IOException {
        try {
            return ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        } catch (RuntimeException e) {
            throw new IOException(zip + " is not a DL4J ComputationGraph zip (" + e.getMessage() + ")", e);
        }
    }

    /** The BatchNormalization epsilon used in {@code graph}, or {@code fallback} if it has none. */
    public static double bnEpsilon(ComputationGraph graph, double fallback) {
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            if (l.conf().getLayer() instanceof BatchNormalization bn) {
                return bn.getEps();
            }
        }
        return fallback;
    }

    /** Layers with parameters, in topological order. */
    public static List<String> weightedLayers(ComputationGraph graph) {
        List<String> names = new ArrayList<>();
        for (String n : Groups.topologicalNames(graph)) {
            GraphVertex v = graph.getVertex(n);
            if (v.hasLayer() && v.numParams() > 0) {
                names.add(n);
            }
        }
        return names;
    }

    /**
     * Copies every parameter of {@code target}'s layers from {@code source}.
     *
     * @throws IllegalArgumentException if a layer is missing or a shape disagrees, naming the layer
     */
    public static void copy(ComputationGraph source, ComputationGraph target, String what) {
        List<String> dst = weightedLayers(target);
        List<String> src = weightedLayers(source);
        List<String> missing = dst.stream().filter(n -> source.getVertex(n) == null
                || !source.getVertex(n).hasLayer() || source.getVertex(n).numParams() == 0).toList();
        List<String> from;
        if (missing.isEmpty()) {
            from = dst;
        } else if (src.size() >= dst.size()) {
            from = src.subList(0, dst.size());
            for (int i = 0; i < dst.size(); i++) {
                if (!sameShapes(source.getLayer(from.get(i)), target.getLayer(dst.get(i)))) {
                    throw new IllegalArgumentException(what + ": layers " + missing + " are not in the file, and"
                            + " matching by order fails at '" + dst.get(i) + "' vs the file's '" + from.get(i)
                            + "' (parameter shapes " + shapes(target.getLayer(dst.get(i))) + " vs "
                            + shapes(source.getLayer(from.get(i))) + ")");
                }
            }
        } else {
            throw new IllegalArgumentException(what + ": the file has " + src.size() + " layers with weights, the"
                    + " network needs " + dst.size() + "; missing by name: " + missing);
        }
        for (int i = 0; i < dst.size(); i++) {
            copyLayer(source.getLayer(from.get(i)), target.getLayer(dst.get(i)), what);
        }
    }

    private static boolean sameShapes(Layer a, Layer b) {
        return shapes(a).equals(shapes(b));
    }

    private static List<String> shapes(Layer l) {
        List<String> s = new ArrayList<>();
        l.paramTable().forEach((k, v) -> s.add(java.util.Arrays.toString(v.shape())));
        return s;
    }

    private static void copyLayer(Layer from, Layer to, String what) {
        Map<String, INDArray> src = from.paramTable();
        for (Map.Entry<String, INDArray> e : to.paramTable().entrySet()) {
            String key = e.getKey();
            INDArray value = src.get(key);
            if (value == null && key.equals("var") && src.containsKey("log10stdev")) {
                // DL4J's default BatchNormalization stores log10(std) with std = sqrt(var + eps)
                double eps = ((BatchNormalization) from.conf().getLayer()).getEps();
                INDArray std = Transforms.exp(src.get("log10stdev").castTo(DataType.DOUBLE).mul(Math.log(10)), false);
                value = std.muli(std).subi(eps);
            }
            if (value == null) {
                throw new IllegalArgumentException(what + ": layer '" + from.conf().getLayer().getLayerName()
                        + "' in the file has no parameter '" + key + "' (it has " + src.keySet() + ")");
            }
            if (!java.util.Arrays.equals(value.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException(what + ": parameter '" + key + "' of layer '"
                        + to.conf().getLayer().getLayerName() + "' has shape "
                        + java.util.Arrays.toString(value.shape()) + " in the file but "
                        + java.util.Arrays.toString(e.getValue().shape()) + " in the network");
            }
            e.getValue().assign(value.castTo(e.getValue().dataType()));
        }
    }
}
