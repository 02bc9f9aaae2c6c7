package io.transfer4j.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.core.internal.AddActivationVertex;
import io.transfer4j.core.internal.BatchNormAffine;
import io.transfer4j.core.internal.DirectInference;
import io.transfer4j.core.internal.GraphSurgery;
import io.transfer4j.internal.Names;

/**
 * A graph derived from a model for inference only: every BatchNormalization that directly follows a convolution
 * (plain, or depthwise with one filter per channel) or dense layer is folded into that layer's weights and bias
 * ({@code W' = W * g / sqrt(var + eps)}, {@code b' = (b - mean) * g / sqrt(var + eps) + beta}, per output channel;
 * a convolution without bias gains one), and an activation layer that directly follows becomes the layer's own
 * activation; a residual add read only by an activation layer becomes one vertex with it ({@code act(a + b)},
 * {@link AddActivationVertex}). Frozen wrappers are dropped (everything here runs in inference mode). The model
 * keeps its original parameters; this is a copy, computed in float64 and stored in the model's data type.
 *
 * <p>Names: a fused chain (e.g. {@code res2a_branch2a} -> {@code bn2a_branch2a} -> {@code res2a_branch2a_relu})
 * becomes one vertex named after its <em>last</em> member, so every vertex whose value the derived graph still
 * computes keeps its name and every consumer is wired unchanged. Only the values inside a chain (the raw
 * convolution, the BatchNorm output before its activation, a sum before its ReLU) are gone; {@link #computes(String)}
 * says which names can be asked for. A name passed in {@code keep} (or as an output) is never absorbed.
 *
 * <p>Execution: {@link #output(INDArray)} and {@link #outputs(INDArray)} run the derived graph as a fixed list of
 * ND4J ops (the same native ops DL4J's layers call, argument contexts built once, buffers reused between calls and
 * written in place where a value is dead) instead of through DL4J's {@code ComputationGraph} executor, when every
 * vertex is of a kind that executor supports (convolution, pooling, dense, activation, add, reshape/flatten; not
 * depthwise convolution or zero padding); {@code -Dtransfer4j.inference.executor=dl4j} keeps DL4J's executor.
 * {@link #graph()} and {@link #output(List, INDArray)} always use DL4J's.
 *
 * <p>Not thread-safe (as a DL4J graph): use one per thread, or {@link #copy()}.
 *
 * <pre>{@code
 * InferenceGraph fast = InferenceGraph.derive(model.graph());            // whole model, its outputs
 * INDArray probabilities = fast.output(batch);
 * InferenceGraph prefix = InferenceGraph.derive(model.graph(), "res4f_relu");   // a frozen prefix
 * INDArray features = prefix.output(batch);
 * if (!fast.isCurrentFor(model.graph())) fast = InferenceGraph.derive(model.graph());  // after training
 * }</pre>
 */
public final class InferenceGraph {

    /** One fused chain: a convolution or dense layer, optionally the BatchNorm and activation layer after it. */
    private record Chain(String head, String batchNorm, String activation, String tail) {
    }

    /**
     * How the derived graph's convolutional layers hold their activations. The API is NCHW either way: inputs
     * and rank-4 outputs are transposed at the boundary.
     */
    public enum Layout {
        /** DL4J's default: the model's own layout. */
        NCHW,
        /**
         * Channels last: oneDNN's fast convolutions work in NHWC, so libnd4j transposes every NCHW activation
         * into NHWC before a convolution and back after it; in NHWC those reorders disappear
         * (docs/performance.md). Not used where a vertex could depend on the layout: anything but convolution,
         * max/average/global pooling, BatchNorm, activation, dense, dropout, element-wise vertices, a reshape
         * after global pooling, and a flatten of a feature map read only by one dense layer (VGG16's top: that
         * layer's weight rows are reordered from the c,h,w to the h,w,c feature order, an exact permutation).
         */
        NHWC
    }

    private final ComputationGraph graph;
    private final Layout layout;
    private final List<String> outputs;
    /** Model vertex -> the derived vertex it was folded into. */
    private final Map<String, String> absorbed;
    private final int foldedBatchNorms;
    private final int fusedActivations;
    private final int fusedAdds;
    private final ComputationGraph source;
    private final long sourceFingerprint;
    /** Graphs whose outputs are vertices near the input (see {@link #output(List, INDArray)}). */
    private final Map<List<String>, InferenceGraph> prefixes = new HashMap<>();
    /**
     * The direct executor ({@link DirectInference}) for {@link #output}/{@link #outputs}, compiled on first use; null
     * when the graph has a vertex it does not run, when it failed once, or when
     * {@code -Dtransfer4j.inference.executor=dl4j} asks for DL4J's own executor.
     */
    private DirectInference direct;
    private boolean directChecked;

    private InferenceGraph(ComputationGraph graph, Layout layout, List<String> outputs, Map<String, String> absorbed, int foldedBatchNorms,
                           int fusedActivations, int fusedAdds, ComputationGraph source, long sourceFingerprint) {
        this.graph = graph;
        this.layout = layout;
        this.outputs = List.copyOf(outputs);
        this.absorbed = Map.copyOf(absorbed);
        this.foldedBatchNorms = foldedBatchNorms;
        this.fusedActivations = fusedActivations;
        this.fusedAdds = fusedAdds;
        this.source = source;
        this.sourceFingerprint = sourceFingerprint;
    }

    /** The whole model, with the model's outputs. */
    public static InferenceGraph derive(ComputationGraph source) {
        return derive(source, source.getConfiguration().getNetworkOutputs(), Set.of());
    }

    /** The prefix of the model that computes {@code upTo} (e.g. a frozen body up to a freeze boundary). */
    public static InferenceGraph derive(ComputationGraph source, String upTo) {
        return derive(source, List.of(upTo), Set.of());
    }

    /**
     * The part of the model that computes {@code outputs}, with the vertices in {@code keep} left unfused so that
     * their values can still be read (e.g. a Grad-CAM layer or an embedding vertex).
     */
    public static InferenceGraph derive(ComputationGraph source, List<String> outputs, Collection<String> keep) {
        return derive(source, outputs, keep, Layout.NHWC);
    }

    /**
     * As {@link #derive(ComputationGraph, List, Collection)}, with the layout to use where it is safe
     * ({@link Layout#NCHW} for code that reads the derived {@link #graph()} directly, e.g. Grad-CAM).
     */
    public static InferenceGraph derive(ComputationGraph source, List<String> outputs, Collection<String> keep,
                                        Layout preferred) {
        if (source == null) {
            throw new IllegalArgumentException("source graph is required");
        }
        if (outputs == null || outputs.isEmpty()) {
            throw new IllegalArgumentException("at least one output vertex is required; received " + outputs);
        }
        ComputationGraphConfiguration conf = GraphSurgery.unwrapAll(source.getConfiguration());
        List<String> known = new ArrayList<>(conf.getVertices().keySet());
        for (String name : concat(outputs, keep)) {
            if (!conf.getVertices().containsKey(name)) {
                throw new IllegalArgumentException("Unknown vertex '" + name + "'; vertices: "
                        + String.join(", ", known) + "." + Names.didYouMean(name, known));
            }
        }
        Set<String> needed = new LinkedHashSet<>();
        for (String o : outputs) {
            needed.addAll(GraphSurgery.ancestors(conf, o));
        }
        Map<String, List<String>> consumers = new HashMap<>();
        for (String v : needed) {
            for (String in : conf.getVertexInputs().getOrDefault(v, List.of())) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(v);
            }
        }
        Set<String> pinned = new LinkedHashSet<>(concat(outputs, keep));
        Map<String, Chain> chains = new LinkedHashMap<>();
        Map<String, String> absorbed = new LinkedHashMap<>();
        for (String name : GraphSurgery.topologicalOrder(conf)) {
            if (!needed.contains(name) || conf.getNetworkInputs().contains(name)) {
                continue;
            }
            Chain c = chainFrom(conf, name, consumers, pinned);
            if (c != null) {
                chains.put(c.tail(), c);
                absorbed.put(c.head(), c.tail());
                if (c.batchNorm() != null) {
                    absorbed.put(c.batchNorm(), c.tail());
                }
                absorbed.remove(c.tail());
            }
        }
        // a residual add read only by an activation layer: one vertex computing act(a + b) (AddActivationVertex)
        Map<String, String> adds = new LinkedHashMap<>();
        for (String name : GraphSurgery.topologicalOrder(conf)) {
            String act = needed.contains(name) ? addActivation(conf, name, consumers, pinned) : null;
            if (act != null) {
                adds.put(act, name);
                absorbed.put(name, act);
            }
        }
        ComputationGraphConfiguration derived = conf.clone();
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            String name = e.getKey();
            if (!needed.contains(name) || absorbed.containsKey(name)) {
                continue;
            }
            Chain c = chains.get(name);
            String add = adds.get(name);
            GraphVertex v = add != null
                    ? new AddActivationVertex(((ActivationLayer) GraphSurgery.layerConf(conf, name)).getActivationFn())
                    : c == null ? e.getValue().clone() : fusedVertex(conf, c);
            if (v instanceof LayerVertex lv) {
                lv.setOutputVertex(outputs.contains(name));
                lv.getLayerConf().getLayer().setIDropout(null);
            }
            vertices.put(name, v);
            inputs.put(name, new ArrayList<>(conf.getVertexInputs().get(add != null ? add : c == null ? name : c.head())));
        }
        derived.setVertices(vertices);
        derived.setVertexInputs(inputs);
        derived.setNetworkOutputs(new ArrayList<>(outputs));
        derived.setTopologicalOrder(null);
        derived.setTopologicalOrderStr(null);
        Map<String, long[]> flattenedInto = preferred == Layout.NHWC ? channelsLast(derived, pinned) : null;
        Layout layout = flattenedInto != null ? Layout.NHWC : Layout.NCHW;

        ComputationGraph g = new ComputationGraph(derived);
        long n = 0;
        for (GraphVertex v : vertices.values()) {
            n += v.numParams(true);
        }
        DataType dt = conf.getDataType() == null ? DataType.FLOAT : conf.getDataType();
        g.init(n == 0 ? null : Nd4j.zeros(dt, 1, n), false);
        int bn = 0;
        int act = 0;
        for (String name : vertices.keySet()) {
            if (g.getLayer(name) == null) {
                continue;
            }
            Chain c = chains.get(name);
            if (c == null) {
                GraphSurgery.copyParams(source, g, List.of(name));
            } else {
                fold(source, g, c);
                bn += c.batchNorm() == null ? 0 : 1;
                act += c.activation() == null ? 0 : 1;
            }
        }
        if (flattenedInto != null) {
            flattenedInto.forEach((name, chw) -> flattenedRowsToChannelsLast(g, name, chw));
        }
        return new InferenceGraph(g, layout, outputs, absorbed, bn, act, adds.size(), source, fingerprint(source));
    }

    /**
     * Switches {@code conf} to NHWC when every vertex is known to be layout-safe and returns the dense layers fed by
     * a flattened feature map, with the map's [channels, height, width]: DL4J flattens an NHWC map in h,w,c order
     * (as Keras does) and an NCHW one in c,h,w order, so those layers' weight rows must be reordered
     * ({@link #flattenedRowsToChannelsLast}). Returns null, leaving {@code conf} NCHW, when a vertex could depend on
     * the layout: a flatten whose value is read by anything but one dense layer (or is pinned), or a vertex type not
     * known here. The parameters of every other layer do not change (DL4J keeps convolution weights as
     * [out, in, kh, kw] in both layouts).
     */
    private static Map<String, long[]> channelsLast(ComputationGraphConfiguration conf, Set<String> pinned) {
        Map<String, List<String>> consumers = new HashMap<>();
        conf.getVertexInputs().forEach((v, ins) -> ins.forEach(in -> consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(v)));
        Map<String, long[]> flattenedInto = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            GraphVertex v = e.getValue();
            if (v instanceof LayerVertex lv) {
                Class<?> c = lv.getLayerConf().getLayer().getClass();
                boolean ok = c == ConvolutionLayer.class || c == DepthwiseConvolution2D.class || c == ZeroPaddingLayer.class
                        || c == SubsamplingLayer.class || c == BatchNormalization.class || c == ActivationLayer.class
                        || c == GlobalPoolingLayer.class || c == DenseLayer.class || c == OutputLayer.class || c == DropoutLayer.class;
                if (!ok) {
                    return null;
                }
                if (lv.getPreProcessor() != null) {
                    // a layer that flattens its own input: only a dense layer, whose rows can follow the order
                    long[] chw = flattened(lv.getPreProcessor());
                    if (chw == null || c != DenseLayer.class && c != OutputLayer.class) {
                        return null;
                    }
                    flattenedInto.put(e.getKey(), chw);
                }
            } else if (v instanceof PreprocessorVertex pv) {
                // a flatten vertex (VGG16's 'flatten'): its value must reach exactly one dense layer and nothing else
                long[] chw = flattened(pv.getPreProcessor());
                List<String> readers = consumers.getOrDefault(e.getKey(), List.of());
                if (chw == null || pinned.contains(e.getKey()) || conf.getNetworkOutputs().contains(e.getKey())
                        || readers.size() != 1 || !(conf.getVertices().get(readers.get(0)) instanceof LayerVertex next)
                        || next.getPreProcessor() != null
                        || next.getLayerConf().getLayer().getClass() != DenseLayer.class
                        && next.getLayerConf().getLayer().getClass() != OutputLayer.class) {
                    return null;
                }
                flattenedInto.put(readers.get(0), chw);
            } else if (v instanceof ReshapeVertex) {
                // a flatten after global pooling sees [n, c]; anything else may see a feature map
                List<String> in = conf.getVertexInputs().get(e.getKey());
                if (in.size() != 1 || !(GraphSurgery.layerConf(conf, in.get(0)) instanceof GlobalPoolingLayer)) {
                    return null;
                }
            } else if (!(v instanceof ElementWiseVertex)) {
                return null;
            }
        }
        GraphSurgery.setLayout(conf, CNN2DFormat.NHWC);
        return flattenedInto;
    }

    /** [channels, height, width] of a CNN-to-dense flatten with known dimensions, else null. */
    private static long[] flattened(org.deeplearning4j.nn.conf.InputPreProcessor p) {
        if (p instanceof CnnToFeedForwardPreProcessor cf && cf.getClass() == CnnToFeedForwardPreProcessor.class
                && cf.getFormat() == CNN2DFormat.NCHW && cf.getNumChannels() > 0 && cf.getInputHeight() > 0
                && cf.getInputWidth() > 0) {
            return new long[] {cf.getNumChannels(), cf.getInputHeight(), cf.getInputWidth()};
        }
        return null;
    }

    /**
     * Reorders the rows of dense layer {@code name}'s weights [c*h*w, out] from the c,h,w order of an NCHW flatten to
     * the h,w,c order of an NHWC one: row {@code (y*w + x)*c + k} takes row {@code k*h*w + y*w + x}. Exact (a
     * permutation).
     */
    private static void flattenedRowsToChannelsLast(ComputationGraph g, String name, long[] chw) {
        INDArray w = g.getLayer(name).getParam("W");
        long c = chw[0];
        long h = chw[1];
        long wd = chw[2];
        if (w.rank() != 2 || w.size(0) != c * h * wd) {
            throw new IllegalStateException("layer '" + name + "' has weights of shape " + java.util.Arrays.toString(w.shape())
                    + " but is fed a flattened [" + c + ", " + h + ", " + wd + "] feature map");
        }
        INDArray hwc = w.dup('c').reshape('c', c, h, wd, w.size(1)).permute(1, 2, 0, 3).dup('c')
                .reshape('c', c * h * wd, w.size(1));
        w.assign(hwc);
    }


    /** NCHW -> the graph's layout (rank-4 inputs only). */
    private INDArray in(INDArray x) {
        return layout == Layout.NHWC && x.rank() == 4 ? x.permute(0, 2, 3, 1).dup('c') : x;
    }

    /** The graph's layout -> NCHW (rank-4 outputs only). */
    private INDArray out(INDArray y) {
        return layout == Layout.NHWC && y.rank() == 4 ? y.permute(0, 3, 1, 2).dup('c') : y;
    }

    private INDArray[] out(INDArray[] ys) {
        for (int i = 0; i < ys.length; i++) {
            ys[i] = out(ys[i]);
        }
        return ys;
    }

    /** The fusable chain starting at {@code name}, or null. */
    private static Chain chainFrom(ComputationGraphConfiguration conf, String name, Map<String, List<String>> consumers,
                                   Set<String> pinned) {
        Layer head = GraphSurgery.layerConf(conf, name);
        boolean conv = head != null && (head.getClass() == ConvolutionLayer.class
                // a depthwise convolution (MobileNetV2) with one filter per input channel: channel k is input k
                || head instanceof DepthwiseConvolution2D d && d.getClass() == DepthwiseConvolution2D.class
                        && d.getDepthMultiplier() == 1);
        boolean dense = head != null && head.getClass() == DenseLayer.class;
        if (!conv && !dense || !(((BaseLayer) head).getActivationFn() instanceof ActivationIdentity)) {
            return null;
        }
        String tail = name;
        String bn = null;
        String next = soleConsumer(conf, tail, consumers, pinned);
        if (next != null && GraphSurgery.layerConf(conf, next) instanceof BatchNormalization b
                && b.getClass() == BatchNormalization.class
                && ((LayerVertex) conf.getVertices().get(next)).getPreProcessor() == null
                && (dense || b.getCnn2DFormat() == ((ConvolutionLayer) head).getCnn2dDataFormat())) {
            bn = next;
            tail = next;
            next = soleConsumer(conf, tail, consumers, pinned);
        }
        String act = null;
        if (next != null && GraphSurgery.layerConf(conf, next) instanceof ActivationLayer a
                && a.getClass() == ActivationLayer.class
                && ((LayerVertex) conf.getVertices().get(next)).getPreProcessor() == null) {
            act = next;
            tail = next;
        }
        return bn == null && act == null ? null : new Chain(name, bn, act, tail);
    }

    /**
     * The activation layer that {@code name} feeds when {@code name} is an element-wise add whose value only that
     * layer reads (and may be absorbed); else null.
     */
    private static String addActivation(ComputationGraphConfiguration conf, String name,
                                        Map<String, List<String>> consumers, Set<String> pinned) {
        if (!(conf.getVertices().get(name) instanceof ElementWiseVertex ew) || ew.getClass() != ElementWiseVertex.class
                || ew.getOp() != ElementWiseVertex.Op.Add || conf.getVertexInputs().get(name).size() < 2) {
            return null;
        }
        String next = soleConsumer(conf, name, consumers, pinned);
        return next != null && GraphSurgery.layerConf(conf, next) instanceof ActivationLayer a
                && a.getClass() == ActivationLayer.class
                && ((LayerVertex) conf.getVertices().get(next)).getPreProcessor() == null ? next : null;
    }

    /** The only vertex reading {@code v} when it reads nothing else and {@code v} may be absorbed; else null. */
    private static String soleConsumer(ComputationGraphConfiguration conf, String v,
                                       Map<String, List<String>> consumers, Set<String> pinned) {
        List<String> c = consumers.getOrDefault(v, List.of());
        if (pinned.contains(v) || c.size() != 1 || conf.getNetworkOutputs().contains(v)) {
            return null;
        }
        String next = c.get(0);
        return conf.getVertexInputs().get(next).equals(List.of(v)) ? next : null;
    }

    /** The head layer's configuration with a bias (when a BatchNorm folds in) and the chain's activation. */
    private static GraphVertex fusedVertex(ComputationGraphConfiguration conf, Chain c) {
        LayerVertex headVertex = (LayerVertex) conf.getVertices().get(c.head());
        NeuralNetConfiguration nnc = headVertex.getLayerConf().clone();
        BaseLayer layer = (BaseLayer) nnc.getLayer();
        if (c.batchNorm() != null) {
            if (layer instanceof ConvolutionLayer cl) {
                cl.setHasBias(true);
            } else {
                ((DenseLayer) layer).setHasBias(true);
            }
        }
        if (c.activation() != null) {
            layer.setActivationFn(((ActivationLayer) GraphSurgery.layerConf(conf, c.activation())).getActivationFn());
        }
        layer.setLayerName(c.tail());
        return new LayerVertex(nnc, headVertex.getPreProcessor() == null ? null : headVertex.getPreProcessor().clone());
    }

    /**
     * Writes the chain's (folded) weights and bias into the derived graph's layer. The float64 temporaries (about
     * 7x the weights' float32 size) are closed here: left to the garbage collector, deriving ResNet50 left ~650 MiB
     * of dead native memory behind until the next collection (docs/performance.md, Memory).
     */
    private static void fold(ComputationGraph source, ComputationGraph derived, Chain c) {
        org.deeplearning4j.nn.api.Layer head = GraphSurgery.inner(source.getLayer(c.head()));
        org.deeplearning4j.nn.api.Layer dst = derived.getLayer(c.tail());
        List<INDArray> temps = new ArrayList<>();
        INDArray w = temp(temps, temp(temps, head.getParam("W").castTo(DataType.DOUBLE)).dup('c'));
        INDArray bias = head.paramTable().containsKey("b")
                ? temp(temps, temp(temps, head.getParam("b").castTo(DataType.DOUBLE)).dup('c')) : null;
        try {
            if (c.batchNorm() != null) {
                BatchNormAffine bn = BatchNormAffine.of(source.getLayer(c.batchNorm()));
                long out = bn.channels();
                if (head.conf().getLayer() instanceof DepthwiseConvolution2D) {
                    // [kh, kw, in, 1] with in = out: scale each input channel's filter
                    if (w.rank() != 4 || w.size(2) != out || w.size(3) != 1) {
                        throw new IllegalStateException("depthwise layer '" + c.head() + "' has weights of shape "
                                + java.util.Arrays.toString(w.shape()) + "; expected [kh, kw, " + out + ", 1]");
                    }
                    w = temp(temps, w.reshape('c', w.length() / out, out).mulRowVector(bn.scale().reshape(1, out)))
                            .reshape('c', w.shape());
                } else if (head.conf().getLayer() instanceof ConvolutionLayer) {
                    // [out, in, kh, kw]: scale each output channel's filter
                    w = temp(temps, w.reshape('c', out, w.length() / out).mulColumnVector(bn.scale().reshape(out, 1)))
                            .reshape('c', w.shape());
                } else {
                    // [in, out]: scale each output column
                    w = temp(temps, w.mulRowVector(bn.scale().reshape(1, out)));
                }
                INDArray b = bias == null ? temp(temps, Nd4j.zeros(DataType.DOUBLE, out)) : bias.reshape(out);
                bias = temp(temps, temp(temps, b.mul(bn.scale())).addi(bn.shift()));
            }
            INDArray dw = dst.getParam("W");
            dw.assign(temp(temps, w.reshape(dw.shape()).castTo(dw.dataType())));
            if (bias != null) {
                INDArray db = dst.getParam("b");
                db.assign(temp(temps, bias.reshape(db.shape()).castTo(db.dataType())));
            }
        } finally {
            for (INDArray t : temps) {
                if (t.closeable()) {
                    t.close();
                }
            }
        }
    }

    /**
     * Records {@code a} as a temporary to close, unless it is a view: {@code castTo} of a parameter that already has
     * the type returns the parameter itself, a view of the graph's flat parameter vector.
     */
    private static INDArray temp(List<INDArray> temps, INDArray a) {
        if (!a.isView() && temps.stream().noneMatch(t -> t == a)) {
            temps.add(a);
        }
        return a;
    }

    private static List<String> concat(Collection<String> a, Collection<String> b) {
        List<String> out = new ArrayList<>(a);
        if (b != null) {
            out.addAll(b);
        }
        return out;
    }

    // ------------------------------------------------------------------ use

    /** The layout the derived graph's layers run in ({@link #graph()} expects inputs in it). */
    public Layout layout() {
        return layout;
    }

    /**
     * The derived DL4J graph (for inference only: its parameters are not the model's). Its convolutional
     * activations are in {@link #layout()}; {@link #output} and friends convert at the boundary.
     */
    public ComputationGraph graph() {
        return graph;
    }

    /** The output vertices, in order. */
    public List<String> outputs() {
        return outputs;
    }

    /** The first output for {@code input} (inference mode). */
    public INDArray output(INDArray input) {
        INDArray x = in(input);
        INDArray[] direct = runDirect(x);
        return out(direct != null ? direct[0] : graph.outputSingle(false, x));
    }

    /** Every output for {@code input}, in {@link #outputs()} order (inference mode). */
    public INDArray[] outputs(INDArray input) {
        INDArray x = in(input);
        INDArray[] direct = runDirect(x);
        return out(direct != null ? direct : graph.output(false, x));
    }

    /**
     * The outputs from the direct executor, or null to use DL4J's: the graph has a vertex it does not run, the
     * property {@code transfer4j.inference.executor} is {@code dl4j}, or the input is one DL4J should judge (a call
     * that fails here is repeated on DL4J's executor, which either gives its own error message or the result; a
     * failure of the direct path on input DL4J accepts switches it off for this graph).
     */
    private INDArray[] runDirect(INDArray x) {
        if (!direct()) {
            return null;
        }
        try {
            return direct.output(x);
        } catch (RuntimeException e) {
            // DL4J's executor gives its own message for input it rejects (rank, channels, data type)...
            INDArray[] viaDl4j = graph.output(false, x);
            // ... and where it accepts the input, the direct path has a gap: use DL4J's from now on
            direct.release();
            direct = null;
            org.slf4j.LoggerFactory.getLogger(InferenceGraph.class).warn("direct inference failed on input {} where"
                    + " DL4J's executor succeeds; using DL4J's executor for this graph from now on",
                    java.util.Arrays.toString(x.shape()), e);
            return viaDl4j;
        }
    }

    /** Whether {@link #output}/{@link #outputs} run on transfer4j's direct executor rather than DL4J's (see core/README.md). */
    boolean direct() {
        if (!directChecked) {
            directChecked = true;
            String executor = System.getProperty("transfer4j.inference.executor", "direct");
            if (!executor.equals("direct") && !executor.equals("dl4j")) {
                throw new IllegalArgumentException("transfer4j.inference.executor must be 'direct' or 'dl4j'; received '"
                        + executor + "'");
            }
            direct = executor.equals("direct") ? DirectInference.compile(graph) : null;
        }
        return direct != null;
    }

    /** The values of the given vertices, each of which must be {@linkplain #computes computed} here. */
    public INDArray[] output(List<String> vertices, INDArray input) {
        for (String v : vertices) {
            if (!computes(v)) {
                throw new IllegalArgumentException("vertex '" + v + "' is not computed by this inference graph ("
                        + (absorbed.containsKey(v) ? "folded into '" + absorbed.get(v) + "'; derive with keep=['" + v + "']"
                        : "not before its outputs " + outputs) + ")");
            }
        }
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (vertices.stream().anyMatch(v -> conf.getNetworkInputs().containsAll(conf.getVertexInputs()
                .getOrDefault(v, conf.getNetworkInputs())))) {
            // DL4J M2.1: output(List) of a vertex that reads only the network input leaves WS_LAYER_ACT_0 open,
            // which breaks every later call on the thread, and feedForward's map holds that vertex's value after
            // a following ActivationLayer applied its function in place (TRAPS.md): ask a graph whose outputs
            // these vertices are
            return out(prefixes.computeIfAbsent(List.copyOf(vertices), v -> derive(graph, v, Set.of(), Layout.NCHW))
                    .outputs(in(input)));
        }
        return out(graph.output(vertices, false, new INDArray[] {in(input)}, null));
    }

    /** Whether the value of the model's vertex {@code name} is available here under that name. */
    public boolean computes(String name) {
        return graph.getConfiguration().getVertices().containsKey(name)
                || graph.getConfiguration().getNetworkInputs().contains(name);
    }

    /** BatchNormalization layers folded into the layer before them. */
    public int foldedBatchNorms() {
        return foldedBatchNorms;
    }

    /** Activation layers turned into the activation of the layer before them. */
    public int fusedActivations() {
        return fusedActivations;
    }

    /** Residual adds fused with the activation layer after them into one vertex (ResNet50: 16 add + ReLU pairs). */
    public int fusedAdds() {
        return fusedAdds;
    }

    /**
     * Whether this graph still matches {@code model}: the same graph object with the same parameters (a CRC32C of
     * the parameter buffer, ~10 ms per 100 MB). False after a training step, {@code setParams}, a new graph from
     * {@code setTrainable}, ... — derive again then.
     */
    public boolean isCurrentFor(ComputationGraph model) {
        return model == source && fingerprint(model) == sourceFingerprint;
    }

    /** An independent copy (same configuration and parameters) for another thread. */
    public InferenceGraph copy() {
        ComputationGraph c = new ComputationGraph(graph.getConfiguration().clone());
        c.init(graph.params() == null ? null : graph.params().dup(), false);
        return new InferenceGraph(c, layout, outputs, absorbed, foldedBatchNorms, fusedActivations, fusedAdds, source,
                sourceFingerprint);
    }

    /** CRC32C of the parameter buffer (exact for any change of a parameter value). */
    static long fingerprint(ComputationGraph g) {
        INDArray p = g.params();
        CRC32C crc = new CRC32C();
        if (p == null || p.isEmpty()) {
            return 0;
        }
        // DL4J's flattened parameters are a rank-1 view over their whole buffer: read in place. Only a buffer that is
        // not one contiguous vector is copied (copying VGG16's 512 MiB twice per validation was a transient peak)
        boolean vector = p.rank() == 1 || p.rank() == 2 && p.size(0) == 1;
        boolean copy = !vector || p.stride(p.rank() - 1) != 1;
        if (copy) {
            p = p.dup('c');
        }
        ByteBuffer bb = p.data().asNio();
        int elem = p.dataType().width();
        bb.position((int) (p.offset() * elem));
        bb.limit((int) ((p.offset() + p.length()) * elem));
        crc.update(bb);
        if (copy && p.closeable()) {
            p.close();   // a copy the size of the model, checked at every validation: not left to the collector
        }
        return crc.getValue();
    }
}
