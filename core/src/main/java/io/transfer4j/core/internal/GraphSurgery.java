package io.transfer4j.core.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.Pooling;
import io.transfer4j.core.Task;

/**
 * Graph surgery on DL4J configurations: topological order, cutting, attaching a head, wrapping frozen vertices,
 * copying parameters by layer name. Works on configurations so that a model can be re-materialised with a
 * different frozen set at any time without losing weights.
 */
public final class GraphSurgery {

    /** Vertex names of the head; fixed by bundle format version 1 (see docs/bundle-format.md). */
    public static final String POOL = "head_pool";
    public static final String FLATTEN = "head_flatten";
    public static final String OUTPUT = "predictions";

    private GraphSurgery() {
    }

    /** All vertex names, network inputs first, in a deterministic topological order (declaration order breaks ties). */
    public static List<String> topologicalOrder(ComputationGraphConfiguration conf) {
        Map<String, List<String>> inputs = conf.getVertexInputs();
        List<String> all = new ArrayList<>(conf.getNetworkInputs());
        all.addAll(conf.getVertices().keySet());
        Map<String, Integer> indegree = new HashMap<>();
        Map<String, List<String>> consumers = new LinkedHashMap<>();
        for (String v : all) {
            List<String> in = inputs.getOrDefault(v, List.of());
            indegree.put(v, in.size());
            for (String i : in) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(v);
            }
        }
        List<String> order = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>();
        // Kahn's algorithm; always take the first ready vertex in declaration order
        while (order.size() < all.size()) {
            String next = null;
            for (String v : all) {
                if (!done.contains(v) && indegree.get(v) == 0) {
                    next = v;
                    break;
                }
            }
            if (next == null) {
                throw new IllegalStateException("graph has a cycle; cannot order vertices " + all);
            }
            done.add(next);
            order.add(next);
            for (String c : consumers.getOrDefault(next, List.of())) {
                indegree.merge(c, -1, Integer::sum);
            }
        }
        return order;
    }

    /** {@code vertex} and everything it depends on (network inputs included). */
    public static Set<String> ancestors(ComputationGraphConfiguration conf, String vertex) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(vertex));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (seen.add(v)) {
                todo.addAll(conf.getVertexInputs().getOrDefault(v, List.of()));
            }
        }
        return seen;
    }

    /** Everything that depends on {@code vertex} (not including it). */
    public static Set<String> descendants(ComputationGraphConfiguration conf, String vertex) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : topologicalOrder(conf)) {
            for (String in : conf.getVertexInputs().getOrDefault(v, List.of())) {
                if (in.equals(vertex) || out.contains(in)) {
                    out.add(v);
                    break;
                }
            }
        }
        return out;
    }

    /** Names of vertices that hold a layer (not the network inputs, not merge/add/preprocessor vertices). */
    public static boolean isLayer(ComputationGraphConfiguration conf, String name) {
        return conf.getVertices().get(name) instanceof LayerVertex;
    }

    /** The layer configuration of a vertex with frozen wrappers removed, or null if it is no layer. */
    public static Layer layerConf(ComputationGraphConfiguration conf, String name) {
        GraphVertex v = conf.getVertices().get(name);
        if (v instanceof FrozenVertex fv) {
            v = fv.getUnderlying();
        }
        return v instanceof LayerVertex lv ? unwrap(lv.getLayerConf().getLayer()) : null;
    }

    private static Layer unwrap(Layer l) {
        while (true) {
            if (l instanceof FrozenLayer f) {
                l = f.getLayer();
            } else if (l instanceof FrozenLayerWithBackprop f) {
                l = f.getUnderlying();
            } else {
                return l;
            }
        }
    }

    /**
     * A new configuration: the backbone's vertices up to and including {@code cut}, then the head. Nothing is
     * frozen yet (see {@link #materialize}).
     */
    public static ComputationGraphConfiguration assemble(ComputationGraphConfiguration backbone, InputType input,
                                                         String cut, boolean featureMap, HeadSpec head, Task task,
                                                         int outputs, long seed, IUpdater updater, DataType dataType) {
        Set<String> keep = ancestors(backbone, cut);
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
                .seed(seed).updater(updater).weightInit(WeightInit.XAVIER).dataType(dataType)
                .graphBuilder();
        addBody(gb, backbone, cut);
        for (String reserved : headNames(head)) {
            if (keep.contains(reserved)) {
                throw new IllegalArgumentException("the backbone already has a vertex named '" + reserved
                        + "', a name the head needs; cut earlier or rename the backbone's vertex");
            }
        }
        String prev = cut;
        if (featureMap) {
            InputType cutType = backbone.getLayerActivationTypes(false, false, input).get(cut);
            if (!(cutType instanceof InputType.InputTypeConvolutional conv)) {
                throw new IllegalArgumentException("cut '" + cut + "' was declared a feature map but its output is "
                        + cutType + "; declare it as a VECTOR cut point");
            }
            if (head.pooling() == Pooling.FLATTEN) {
                gb.addVertex(FLATTEN, new PreprocessorVertex(new CnnToFeedForwardPreProcessor(conv.getHeight(),
                        conv.getWidth(), conv.getChannels(), conv.getFormat())), prev);
                prev = FLATTEN;
            } else {
                PoolingType type = head.pooling() == Pooling.MAX ? PoolingType.MAX : PoolingType.AVG;
                gb.addLayer(POOL, new GlobalPoolingLayer.Builder(type).build(), prev);
                prev = POOL;
            }
        }
        int i = 1;
        for (HeadSpec.Dense d : head.dense()) {
            String dense = "head_dense" + i;
            gb.addLayer(dense, new DenseLayer.Builder().nOut(d.units())
                    .activation(d.batchNorm() ? Activation.IDENTITY : d.activation()).build(), prev);
            prev = dense;
            if (d.batchNorm()) {
                gb.addLayer("head_bn" + i, new BatchNormalization.Builder().useLogStd(false).build(), prev);
                gb.addLayer("head_act" + i, new ActivationLayer.Builder().activation(d.activation()).build(),
                        "head_bn" + i);
                prev = "head_act" + i;
            }
            if (d.dropout() > 0) {
                // DL4J's Dropout takes the probability of KEEPING a unit; Keras' rate is the share dropped
                gb.addLayer("head_dropout" + i, new DropoutLayer.Builder().dropOut(new Dropout(1 - d.dropout()))
                        .build(), prev);
                prev = "head_dropout" + i;
            }
            i++;
        }
        OutputLayer out = switch (task) {
            case MULTICLASS -> new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .activation(Activation.SOFTMAX).nOut(outputs).build();
            case BINARY, MULTILABEL -> new OutputLayer.Builder(LossFunctions.LossFunction.XENT)
                    .activation(Activation.SIGMOID).nOut(outputs).build();
        };
        gb.addLayer(OUTPUT, out, prev);
        gb.setOutputs(OUTPUT);
        gb.setInputTypes(input);
        return gb.build();
    }

    /**
     * A new configuration of {@code conf}'s vertices up to and including {@code cut}, unwrapped (nothing frozen),
     * with {@code cut} as its output: a model's body as a backbone graph of its own (same layer configurations,
     * BatchNorm epsilon included).
     */
    public static ComputationGraphConfiguration body(ComputationGraphConfiguration conf, InputType input, String cut,
                                                     long seed, DataType dataType) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(dataType).graphBuilder();
        addBody(gb, conf, cut);
        gb.setOutputs(cut);
        gb.setInputTypes(input);
        return gb.build();
    }

    /** Adds {@code backbone}'s inputs and every vertex {@code cut} depends on (cut included), frozen wrappers removed. */
    private static void addBody(ComputationGraphConfiguration.GraphBuilder gb, ComputationGraphConfiguration backbone,
                                String cut) {
        Set<String> keep = ancestors(backbone, cut);
        gb.addInputs(backbone.getNetworkInputs());
        for (String name : topologicalOrder(backbone)) {
            if (!keep.contains(name) || backbone.getNetworkInputs().contains(name)) {
                continue;
            }
            GraphVertex v = backbone.getVertices().get(name);
            if (v instanceof FrozenVertex fv) {
                v = fv.getUnderlying();
            }
            String[] in = backbone.getVertexInputs().get(name).toArray(String[]::new);
            if (v instanceof LayerVertex lv) {
                InputPreProcessor pp = lv.getPreProcessor() == null ? null : lv.getPreProcessor().clone();
                gb.addLayer(name, unwrap(lv.getLayerConf().getLayer()).clone(), pp, in);
            } else {
                gb.addVertex(name, v.clone(), in);
            }
        }
    }

    private static List<String> headNames(HeadSpec head) {
        List<String> names = new ArrayList<>(List.of(POOL, FLATTEN, OUTPUT));
        for (int i = 1; i <= head.dense().size(); i++) {
            names.addAll(List.of("head_dense" + i, "head_bn" + i, "head_act" + i, "head_dropout" + i));
        }
        return names;
    }

    /**
     * A copy of {@code plain} in which every vertex named in {@code frozen} is wrapped so that it never changes
     * (DL4J {@code FrozenLayer}: inference-mode forward pass, no gradient, no updater; non-layer vertices in a
     * {@code FrozenVertex} so backprop skips them), and every other layer uses {@code updater}.
     */
    public static ComputationGraphConfiguration materialize(ComputationGraphConfiguration plain, Set<String> frozen,
                                                            IUpdater updater) {
        ComputationGraphConfiguration conf = unwrapAll(plain);
        Map<String, GraphVertex> vertices = conf.getVertices();
        for (String name : new ArrayList<>(vertices.keySet())) {
            GraphVertex v = vertices.get(name);
            if (v instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                if (frozen.contains(name)) {
                    FrozenLayer f = new FrozenLayer(layer);
                    f.setLayerName(layer.getLayerName());
                    NeuralNetConfiguration nnc = lv.getLayerConf().clone();
                    nnc.setLayer(f);
                    lv.setLayerConf(nnc);
                } else if (layer instanceof BaseLayer base && updater != null) {
                    base.setIUpdater(updater.clone());
                    base.setBiasUpdater(null);
                }
            } else if (frozen.contains(name)) {
                vertices.put(name, new FrozenVertex(v));
            }
        }
        return conf;
    }

    /** A copy of {@code conf} with every frozen wrapper removed. */
    public static ComputationGraphConfiguration unwrapAll(ComputationGraphConfiguration conf) {
        ComputationGraphConfiguration c = conf.clone();
        Map<String, GraphVertex> vertices = c.getVertices();
        for (String name : new ArrayList<>(vertices.keySet())) {
            GraphVertex v = vertices.get(name);
            if (v instanceof FrozenVertex fv) {
                v = fv.getUnderlying();
                vertices.put(name, v);
            }
            if (v instanceof LayerVertex lv) {
                Layer inner = unwrap(lv.getLayerConf().getLayer());
                if (inner != lv.getLayerConf().getLayer()) {
                    NeuralNetConfiguration nnc = lv.getLayerConf().clone();
                    nnc.setLayer(inner);
                    lv.setLayerConf(nnc);
                }
            }
        }
        return c;
    }

    /** Names of the vertices of {@code conf} that are wrapped as frozen. */
    public static Set<String> frozenVertices(ComputationGraphConfiguration conf) {
        Set<String> out = new LinkedHashSet<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            GraphVertex v = e.getValue();
            if (v instanceof FrozenVertex || v instanceof LayerVertex lv
                    && (lv.getLayerConf().getLayer() instanceof FrozenLayer
                    || lv.getLayerConf().getLayer() instanceof FrozenLayerWithBackprop)) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** The runtime layer inside any frozen wrapper. */
    public static org.deeplearning4j.nn.api.Layer inner(org.deeplearning4j.nn.api.Layer l) {
        while (true) {
            if (l instanceof org.deeplearning4j.nn.layers.FrozenLayer f) {
                l = f.getInsideLayer();
            } else if (l instanceof BaseWrapperLayer w) {
                l = w.getUnderlying();
            } else {
                return l;
            }
        }
    }

    /** Copies every parameter of the named layers from one graph to another (shapes must match). */
    public static void copyParams(ComputationGraph from, ComputationGraph to, Collection<String> layers) {
        for (String name : layers) {
            org.deeplearning4j.nn.api.Layer src = from.getLayer(name);
            org.deeplearning4j.nn.api.Layer dst = to.getLayer(name);
            if (src == null || dst == null) {
                continue;
            }
            Map<String, INDArray> srcParams = inner(src).paramTable();
            Map<String, INDArray> dstParams = inner(dst).paramTable();
            if (!srcParams.keySet().equals(dstParams.keySet())) {
                throw new IllegalStateException("layer '" + name + "' has parameters " + srcParams.keySet()
                        + " in the source but " + dstParams.keySet() + " in the target");
            }
            for (Map.Entry<String, INDArray> p : srcParams.entrySet()) {
                INDArray target = dstParams.get(p.getKey());
                if (!java.util.Arrays.equals(target.shape(), p.getValue().shape())) {
                    throw new IllegalStateException("layer '" + name + "' parameter '" + p.getKey() + "' has shape "
                            + java.util.Arrays.toString(p.getValue().shape()) + " in the source but "
                            + java.util.Arrays.toString(target.shape()) + " in the target");
                }
                target.assign(p.getValue());
            }
        }
    }

    /**
     * Sets the activation layout of every convolution (depthwise too), zero padding, max/average pooling, BatchNorm,
     * global pooling and CNN-to-dense flatten in {@code conf} (in place). Parameters are laid out the same in both layouts.
     */
    public static void setLayout(ComputationGraphConfiguration conf, CNN2DFormat format) {
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                Layer l = lv.getLayerConf().getLayer();
                if (l instanceof ConvolutionLayer cl) {
                    cl.setCnn2dDataFormat(format);
                } else if (l instanceof SubsamplingLayer sl) {
                    sl.setCnn2dDataFormat(format);
                } else if (l instanceof BatchNormalization bn) {
                    bn.setCnn2DFormat(format);
                } else if (l instanceof ZeroPaddingLayer zp) {
                    zp.setDataFormat(format);
                } else if (l instanceof GlobalPoolingLayer gp) {
                    if (format == CNN2DFormat.NHWC) {
                        gp.setPoolingDimensions(new int[] {1, 2});
                    } else if (java.util.Arrays.equals(gp.getPoolingDimensions(), new int[] {1, 2})) {
                        gp.setPoolingDimensions(null); // DL4J's default: the spatial dimensions of NCHW
                    }
                }
                if (lv.getPreProcessor() instanceof CnnToFeedForwardPreProcessor pp) {
                    pp.setFormat(format);
                }
            } else if (v instanceof PreprocessorVertex pv && pv.getPreProcessor() instanceof CnnToFeedForwardPreProcessor pp) {
                pp.setFormat(format);
            }
        }
    }

    /** Every layer name in {@code graph}. */
    public static List<String> layerNames(ComputationGraph graph) {
        List<String> names = new ArrayList<>();
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            names.add(l.conf().getLayer().getLayerName());
        }
        return names;
    }
}
