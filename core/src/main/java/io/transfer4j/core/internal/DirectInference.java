package io.transfer4j.core.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.layers.convolution.AvgPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce.same.Max;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runs an inference-only graph ({@link io.transfer4j.core.InferenceGraph}'s derived graph) as a fixed list of ND4J
 * operations instead of through {@link ComputationGraph#output}: per vertex, the same native op DL4J's layer calls
 * ({@code conv2d} — oneDNN — with the layer's own arguments, {@code maxpool2d}/{@code avgpool2d}, GEMM, the
 * activation function applied in place), with its argument context built once and its output written into a buffer
 * that is reused from call to call. Buffers are shared by liveness: a value's buffer goes back to the pool after its
 * last reader, an activation layer and a residual add write into a dead input in place. What DL4J's executor does
 * around each op (workspace scopes, per-layer validation and output-size arithmetic, a fresh op and argument context
 * per call, the pooling layer's native shape query) is gone; the arithmetic is the same op for op.
 *
 * <p>Only vertex kinds whose inference semantics are simple are accepted: convolution ({@code ConvolutionLayer},
 * truncate/strict mode), max/average subsampling (truncate mode), global average/max pooling, dense and output
 * layers, activation and dropout layers, element-wise add ({@link AddActivationVertex} included), a reshape, and a
 * CNN-to-dense flatten. {@link #compile} returns null for anything else and the caller keeps DL4J's executor.
 *
 * <p>Not thread-safe (it owns its buffers); results are detached copies.
 */
public final class DirectInference {

    private final ComputationGraph graph;
    private final DataType dataType;
    private final List<Step> steps;
    /** Slots 0..inputs-1 are the network inputs. */
    private final int inputs;
    private final int[] outputSlots;
    private final int slots;
    /** Per slot: index of the last step that reads it ({@code Integer.MAX_VALUE} for a network output, -1: none). */
    private final int[] lastUse;
    /** Free buffers by length, kept between calls for the last input shape (a value takes the smallest that fits). */
    private final java.util.TreeMap<Long, ArrayDeque<INDArray>> free = new java.util.TreeMap<>();
    private final List<INDArray> owned = new ArrayList<>();
    private long[][] lastShapes;

    private DirectInference(ComputationGraph graph, List<Step> steps, int inputs, int[] outputSlots, int slots) {
        this.graph = graph;
        this.dataType = graph.getConfiguration().getDataType() == null ? DataType.FLOAT
                : graph.getConfiguration().getDataType();
        this.steps = steps;
        this.inputs = inputs;
        this.outputSlots = outputSlots;
        this.slots = slots;
        this.lastUse = new int[slots];
        Arrays.fill(lastUse, -1);
        for (int i = 0; i < steps.size(); i++) {
            for (int in : steps.get(i).in) {
                lastUse[in] = Math.max(lastUse[in], i);
            }
        }
        for (int o : outputSlots) {
            lastUse[o] = Integer.MAX_VALUE;
        }
    }

    /**
     * The direct executor for {@code graph} (built and initialised, inference only), or null when a vertex is of a
     * kind it does not run.
     */
    public static DirectInference compile(ComputationGraph graph) {
        return compile(graph, new String[1]);
    }

    /**
     * The first vertex of {@code graph} (in topological order) that this executor does not run, with its kind, or
     * null when it runs them all.
     */
    public static String unsupported(ComputationGraph graph) {
        String[] why = new String[1];
        return compile(graph, why) == null ? why[0] : null;
    }

    private static DirectInference compile(ComputationGraph graph, String[] why) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, Integer> slot = new HashMap<>();
        for (String in : conf.getNetworkInputs()) {
            slot.put(in, slot.size());
        }
        List<Step> steps = new ArrayList<>();
        for (String name : GraphSurgery.topologicalOrder(conf)) {
            if (conf.getNetworkInputs().contains(name)) {
                continue;
            }
            GraphVertex v = conf.getVertices().get(name);
            List<String> ins = conf.getVertexInputs().get(name);
            int[] in = new int[ins.size()];
            for (int i = 0; i < in.length; i++) {
                Integer s = slot.get(ins.get(i));
                if (s == null) {
                    return null;
                }
                in[i] = s;
            }
            Kernel k = kernel(graph, name, v, in.length);
            if (k == null) {
                why[0] = "'" + name + "' (" + (v instanceof LayerVertex lv ? lv.getLayerConf().getLayer().getClass().getSimpleName()
                        + (lv.getPreProcessor() == null ? "" : " with " + lv.getPreProcessor().getClass().getSimpleName())
                        : v.getClass().getSimpleName()) + ")";
                return null;
            }
            int out = slot.size();
            slot.put(name, out);
            steps.add(new Step(name, in, out, k));
        }
        int[] outs = new int[conf.getNetworkOutputs().size()];
        for (int i = 0; i < outs.length; i++) {
            outs[i] = slot.get(conf.getNetworkOutputs().get(i));
        }
        return new DirectInference(graph, steps, conf.getNetworkInputs().size(), outs, slot.size());
    }

    /** The kernel for one vertex, or null when this executor does not run its kind. */
    private static Kernel kernel(ComputationGraph graph, String name, GraphVertex v, int inputs) {
        if (v instanceof AddActivationVertex av) {
            return inputs >= 2 ? new Add(av.getActivation()) : null;
        }
        if (v instanceof ElementWiseVertex ew) {
            return ew.getClass() == ElementWiseVertex.class && ew.getOp() == ElementWiseVertex.Op.Add && inputs >= 2
                    ? new Add(null) : null;
        }
        if (v instanceof ReshapeVertex rv) {
            return inputs == 1 && rv.getMaskShape() == null
                    ? new Reshape(rv.getReshapeOrder(), Arrays.stream(rv.getNewShape()).asLongStream().toArray()) : null;
        }
        if (v instanceof PreprocessorVertex pv) {
            return inputs == 1 && isFlatten(pv.getPreProcessor()) ? new Reshape('c', null) : null;
        }
        if (!(v instanceof LayerVertex lv) || inputs != 1) {
            return null;
        }
        Layer l = lv.getLayerConf().getLayer();
        InputPreProcessor pp = lv.getPreProcessor();
        boolean flatten = pp != null && isFlatten(pp);
        if (pp != null && !flatten) {
            return null;
        }
        org.deeplearning4j.nn.api.Layer impl = graph.getLayer(name);
        Class<?> c = l.getClass();
        if (c == DenseLayer.class || c == OutputLayer.class) {
            org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) l;
            if (c == DenseLayer.class && ((DenseLayer) l).isHasLayerNorm()) {
                return null;
            }
            boolean bias = c == DenseLayer.class ? ((DenseLayer) l).hasBias() : ((OutputLayer) l).hasBias();
            if (bias != impl.paramTable().containsKey("b")) {
                return null;
            }
            return new Dense(impl.getParam("W"), bias ? impl.getParam("b") : null, ff.getActivationFn(), flatten);
        }
        if (flatten) {
            return null;
        }
        if (c == ConvolutionLayer.class) {
            ConvolutionLayer cl = (ConvolutionLayer) l;
            if (!truncate(cl.getConvolutionMode()) && cl.getConvolutionMode() != ConvolutionMode.Same) {
                return null;
            }
            return new Conv(cl, impl.getParam("W"), cl.hasBias() ? impl.getParam("b") : null);
        }
        if (c == SubsamplingLayer.class) {
            SubsamplingLayer sl = (SubsamplingLayer) l;
            boolean ok = (truncate(sl.getConvolutionMode()) || sl.getConvolutionMode() == ConvolutionMode.Same)
                    && (sl.getPoolingType() == PoolingType.MAX || sl.getPoolingType() == PoolingType.AVG);
            return ok ? new Pool(sl) : null;
        }
        if (c == GlobalPoolingLayer.class) {
            GlobalPoolingLayer gp = (GlobalPoolingLayer) l;
            boolean ok = gp.isCollapseDimensions()
                    && (gp.getPoolingType() == PoolingType.AVG || gp.getPoolingType() == PoolingType.MAX);
            return ok ? new GlobalPool(gp.getPoolingType(), gp.getPoolingDimensions()) : null;
        }
        if (c == ActivationLayer.class) {
            return new Activation(((ActivationLayer) l).getActivationFn());
        }
        if (c == DropoutLayer.class) {
            return new Reshape('c', new long[0]);
        }
        return null;
    }

    private static boolean truncate(ConvolutionMode m) {
        return m == null || m == ConvolutionMode.Truncate || m == ConvolutionMode.Strict;
    }

    private static boolean isFlatten(InputPreProcessor p) {
        return p != null && p.getClass() == CnnToFeedForwardPreProcessor.class;
    }

    /** The graph this executor runs. */
    public ComputationGraph graph() {
        return graph;
    }

    /** Vertices run, in order. */
    public int size() {
        return steps.size();
    }

    /**
     * The network's outputs for {@code in} (in the graph's own layout), as arrays detached from every workspace and
     * from this executor's buffers.
     */
    public INDArray[] output(INDArray... in) {
        if (in.length != inputs) {
            throw new IllegalArgumentException("the graph has " + inputs + " input(s); received " + in.length);
        }
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            long[][] shapes = new long[in.length][];
            INDArray[] value = new INDArray[slots];
            for (int i = 0; i < in.length; i++) {
                INDArray x = in[i].dataType() == dataType ? in[i] : in[i].castTo(dataType);
                value[i] = x;
                shapes[i] = x.shape();
            }
            if (lastShapes != null && !Arrays.deepEquals(shapes, lastShapes)) {
                release();
            }
            lastShapes = shapes;
            // buffer -> number of live slots that hold a view of it
            Map<INDArray, int[]> users = new IdentityHashMap<>();
            INDArray[] buffer = new INDArray[slots];
            Run run = new Run(value, buffer, users);
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                run.step = i;
                s.kernel.run(s, run);
                for (int x : s.in) {
                    if (lastUse[x] == i) {
                        run.drop(x);
                    }
                }
                if (lastUse[s.out] < 0 && run.buffer[s.out] != null) {
                    run.drop(s.out); // read by nothing
                }
            }
            INDArray[] out = new INDArray[outputSlots.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = value[outputSlots[i]].dup(value[outputSlots[i]].ordering());
            }
            for (int o : outputSlots) {
                if (buffer[o] != null) {
                    run.drop(o);
                }
            }
            return out;
        }
    }

    /** Frees every buffer this executor holds (they are allocated again on the next call). */
    public void release() {
        for (INDArray b : owned) {
            b.close();
        }
        owned.clear();
        free.clear();
    }

    private INDArray take(long length) {
        Map.Entry<Long, ArrayDeque<INDArray>> e = free.ceilingEntry(length);
        if (e != null) {
            INDArray b = e.getValue().pop();
            if (e.getValue().isEmpty()) {
                free.remove(e.getKey());
            }
            return b;
        }
        INDArray b = Nd4j.createUninitializedDetached(dataType, length);
        owned.add(b);
        return b;
    }

    /** The state of one call: every slot's value and the pooled buffer behind it. */
    private final class Run {
        final INDArray[] value;
        final INDArray[] buffer;
        final Map<INDArray, int[]> users;
        int step;

        Run(INDArray[] value, INDArray[] buffer, Map<INDArray, int[]> users) {
            this.value = value;
            this.buffer = buffer;
            this.users = users;
        }

        /** A fresh c-order array of {@code shape} for slot {@code slot}. */
        INDArray allocate(int slot, long... shape) {
            return allocate(slot, 'c', shape);
        }

        /** A fresh array of {@code shape} in {@code order} for slot {@code slot}. */
        INDArray allocate(int slot, char order, long... shape) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            INDArray b = take(n);
            users.computeIfAbsent(b, k -> new int[1])[0]++;
            buffer[slot] = b;
            INDArray v = (b.length() == n ? b : b.get(NDArrayIndex.interval(0, n))).reshape(order, shape);
            value[slot] = v;
            return v;
        }

        /** Slot {@code slot} holds {@code v}, a view of slot {@code of}'s buffer (or a new array if it is not). */
        void alias(int slot, int of, INDArray v) {
            value[slot] = v;
            INDArray b = buffer[of];
            if (b != null && (v.data() == b.data() || v.data().originalDataBuffer() == b.data())) {
                buffer[slot] = b;
                users.get(b)[0]++;
            }
        }

        /**
         * Whether slot {@code x}'s value may be overwritten by the current step: it is read by nothing later, no other
         * live slot shares its buffer, and it starts the buffer with default strides (not a strided view).
         */
        boolean reusable(int x) {
            INDArray b = buffer[x];
            INDArray v = value[x];
            return b != null && lastUse[x] == step && users.get(b)[0] == 1 && v.offset() == b.offset()
                    && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(v);
        }

        void drop(int x) {
            INDArray b = buffer[x];
            buffer[x] = null;
            value[x] = null;
            if (b != null && --users.get(b)[0] == 0) {
                users.remove(b);
                free.computeIfAbsent(b.length(), k -> new ArrayDeque<>()).push(b);
            }
        }
    }

    private record Step(String name, int[] in, int out, Kernel kernel) {
    }

    private interface Kernel {
        void run(Step s, Run r);
    }

    private static void activate(IActivation act, INDArray z) {
        if (act != null && !(act instanceof ActivationIdentity)) {
            INDArray a = act.getActivation(z, false);
            if (a != z) {
                z.assign(a);
            }
        }
    }

    /** {@code conv2d} with the arguments DL4J's oneDNN helper passes, then the layer's activation in place. */
    private static final class Conv implements Kernel {
        private final INDArray w;
        private final INDArray b;
        private final IActivation act;
        private final boolean nchw;
        private final int[] k;
        private final int[] st;
        private final int[] pad;
        private final int[] dil;
        private final boolean same;
        private final CustomOp op = new Conv2D();
        private final OpContext ctx;
        private long lastH = -1;
        private long lastW = -1;

        Conv(ConvolutionLayer l, INDArray w, INDArray b) {
            this.w = w;
            this.b = b != null ? b : Nd4j.zeros(w.dataType(), w.size(0));
            this.act = l.getActivationFn();
            this.nchw = l.getCnn2dDataFormat() != CNN2DFormat.NHWC;
            this.k = l.getKernelSize();
            this.st = l.getStride();
            this.pad = l.getPadding().clone();
            this.dil = l.getDilation();
            this.same = l.getConvolutionMode() == ConvolutionMode.Same;
            this.ctx = Nd4j.getExecutioner().buildContext();
        }

        @Override
        public void run(Step s, Run r) {
            INDArray x = r.value[s.in[0]];
            long n = x.size(0);
            long h = x.size(nchw ? 2 : 1);
            long wd = x.size(nchw ? 3 : 2);
            long oh;
            long ow;
            if (same) {
                // as DL4J's helper: output ceil(in / stride), top-left padding for that, the op told "same"
                oh = (h + st[0] - 1) / st[0];
                ow = (wd + st[1] - 1) / st[1];
                pad[0] = (int) Math.max(0, ((oh - 1) * st[0] + (k[0] - 1L) * dil[0] + 1 - h) / 2);
                pad[1] = (int) Math.max(0, ((ow - 1) * st[1] + (k[1] - 1L) * dil[1] + 1 - wd) / 2);
            } else {
                oh = (h + 2L * pad[0] - ((k[0] - 1L) * dil[0] + 1)) / st[0] + 1;
                ow = (wd + 2L * pad[1] - ((k[1] - 1L) * dil[1] + 1)) / st[1] + 1;
            }
            if (h != lastH || wd != lastW) {
                ctx.setIArguments(k[0], k[1], st[0], st[1], pad[0], pad[1], dil[0], dil[1], same ? 1 : 0,
                        nchw ? 0 : 1, 1);
                lastH = h;
                lastW = wd;
            }
            long c = w.size(0);
            INDArray z = nchw ? r.allocate(s.out, n, c, oh, ow) : r.allocate(s.out, n, oh, ow, c);
            ctx.purge();
            ctx.setInputArray(0, x);
            ctx.setInputArray(1, w);
            ctx.setInputArray(2, b);
            ctx.setOutputArray(0, z);
            Nd4j.exec(op, ctx);
            activate(act, z);
        }
    }

    /** {@code maxpool2d} / {@code avgpool2d} with the arguments DL4J's subsampling layer passes. */
    private static final class Pool implements Kernel {
        private final boolean nchw;
        private final int[] k;
        private final int[] st;
        private final int[] pad;
        private final int[] dil;
        private final boolean same;
        private final CustomOp op;
        private final OpContext ctx;

        Pool(SubsamplingLayer l) {
            this.nchw = l.getCnn2dDataFormat() != CNN2DFormat.NHWC;
            this.k = l.getKernelSize();
            this.st = l.getStride();
            this.pad = l.getPadding();
            this.dil = l.getDilation();
            boolean max = l.getPoolingType() == PoolingType.MAX;
            this.op = max ? new MaxPooling2D() : new AvgPooling2D();
            long extra = max ? 0 : l.isAvgPoolIncludePadInDivisor() ? 1 : 0;
            // as DL4J's layer: in "same" mode the op computes its own padding (output ceil(in / stride))
            this.same = l.getConvolutionMode() == ConvolutionMode.Same;
            this.ctx = Nd4j.getExecutioner().buildContext();
            ctx.setIArguments(k[0], k[1], st[0], st[1], pad[0], pad[1], dil[0], dil[1], same ? 1 : 0, extra, nchw ? 0 : 1);
        }

        @Override
        public void run(Step s, Run r) {
            INDArray x = r.value[s.in[0]];
            long n = x.size(0);
            long h = x.size(nchw ? 2 : 1);
            long wd = x.size(nchw ? 3 : 2);
            long c = x.size(nchw ? 1 : 3);
            long oh = same ? (h + st[0] - 1) / st[0] : (h + 2L * pad[0] - ((k[0] - 1L) * dil[0] + 1)) / st[0] + 1;
            long ow = same ? (wd + st[1] - 1) / st[1] : (wd + 2L * pad[1] - ((k[1] - 1L) * dil[1] + 1)) / st[1] + 1;
            INDArray z = nchw ? r.allocate(s.out, n, c, oh, ow) : r.allocate(s.out, n, oh, ow, c);
            ctx.purge();
            ctx.setInputArray(0, x);
            ctx.setOutputArray(0, z);
            Nd4j.exec(op, ctx);
        }
    }

    /** Mean or max over the spatial dimensions, [n, c] out. */
    private static final class GlobalPool implements Kernel {
        private final boolean avg;
        private final int[] dims;

        GlobalPool(PoolingType type, int[] dims) {
            this.avg = type == PoolingType.AVG;
            this.dims = dims;
        }

        @Override
        public void run(Step s, Run r) {
            INDArray x = r.value[s.in[0]];
            if (x.rank() != 4 && x.rank() != 3) {
                throw new IllegalStateException("global pooling '" + s.name + "' received rank " + x.rank());
            }
            int[] d = dims != null ? dims : x.rank() == 4 ? new int[] {2, 3} : new int[] {2};
            int channelDim = x.rank() == 4 && Arrays.equals(d, new int[] {1, 2}) ? 3 : 1;
            INDArray z = r.allocate(s.out, x.size(0), x.size(channelDim));
            Nd4j.exec(avg ? new Mean(x, z, d) : new Max(x, z, d));
        }
    }

    /** Dense / output layer: {@code act(x W + b)} into a reused buffer. */
    private static final class Dense implements Kernel {
        private final INDArray w;
        private final INDArray b;
        private final IActivation act;
        private final boolean flatten;

        Dense(INDArray w, INDArray b, IActivation act, boolean flatten) {
            this.w = w;
            this.b = b;
            this.act = act;
            this.flatten = flatten;
        }

        @Override
        public void run(Step s, Run r) {
            INDArray x = r.value[s.in[0]];
            if (flatten || x.rank() != 2) {
                x = x.reshape('c', x.size(0), x.length() / x.size(0));
            }
            // f order, as DL4J's dense layer: the same GEMM call, so a row's result does not depend on the batch size
            INDArray z = r.allocate(s.out, 'f', x.size(0), w.size(1));
            x.mmuli(w, z);
            if (b != null) {
                z.addiRowVector(b);
            }
            activate(act, z);
        }
    }

    /** An activation layer: in place when its input is read by nothing later, else into a new buffer. */
    private static final class Activation implements Kernel {
        private final IActivation act;

        Activation(IActivation act) {
            this.act = act;
        }

        @Override
        public void run(Step s, Run r) {
            int in = s.in[0];
            INDArray x = r.value[in];
            INDArray z;
            if (r.reusable(in)) {
                z = x;
                r.alias(s.out, in, x);
            } else {
                z = r.allocate(s.out, x.shape());
                z.assign(x);
            }
            activate(act, z);
        }
    }

    /** Element-wise sum of same-shaped inputs (then an activation), written into a dead input where possible. */
    private static final class Add implements Kernel {
        private final IActivation act;

        Add(IActivation act) {
            this.act = act;
        }

        @Override
        public void run(Step s, Run r) {
            INDArray first = r.value[s.in[0]];
            for (int in : s.in) {
                INDArray x = r.value[in];
                if (!Arrays.equals(x.shape(), first.shape()) || x.dataType() != first.dataType()) {
                    throw new IllegalStateException("add '" + s.name + "': inputs of different shapes or types "
                            + Arrays.toString(first.shape()) + " / " + Arrays.toString(x.shape()));
                }
            }
            int target = -1;
            for (int in : s.in) {
                if (r.reusable(in)) {
                    target = in;
                    break;
                }
            }
            INDArray z;
            if (target >= 0) {
                z = r.value[target];
                r.alias(s.out, target, z);
            } else {
                z = r.allocate(s.out, first.shape());
            }
            // z = in[0] + in[1] (+ ...), z may be one of them
            int a = s.in[0];
            int b = s.in[1];
            Nd4j.exec(new AddOp(r.value[a], r.value[b], z));
            for (int i = 2; i < s.in.length; i++) {
                z.addi(r.value[s.in[i]]);
            }
            activate(act, z);
        }
    }

    /**
     * A reshape (ReshapeVertex, CNN-to-dense flatten: {@code newShape == null}, meaning [n, everything else]) or a
     * pass-through ({@code newShape} empty: a dropout layer at inference). A view of the input where possible.
     */
    private static final class Reshape implements Kernel {
        private final char order;
        private final long[] newShape;

        Reshape(char order, long[] newShape) {
            this.order = order;
            this.newShape = newShape;
        }

        @Override
        public void run(Step s, Run r) {
            int in = s.in[0];
            INDArray x = r.value[in];
            INDArray v;
            if (newShape != null && newShape.length == 0) {
                v = x;
            } else if (newShape == null) {
                v = x.reshape('c', x.size(0), x.length() / x.size(0));
            } else {
                v = x.reshape(order, newShape);
            }
            r.alias(s.out, in, v);
        }
    }
}
