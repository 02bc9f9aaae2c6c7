package io.transfer4j.zoo.internal.backend;

import java.lang.reflect.Field;
import java.util.Arrays;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdDataAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdFilterAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.FwdAlgo;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's oneDNN convolution helper, run over batch chunks when a layer's activations are large.
 *
 * <p>Why (traced on VGG16, 224 px, batch 16; docs/performance.md "VGG16 full fine-tuning", third pass): libnd4j's
 * oneDNN {@code conv2d_bp} hands oneDNN {@code format_tag::any} and allocates a full-size reordered copy of the
 * input, two of the output gradient and a blocked input-gradient buffer, all alive at once - 4 x 196 MiB for
 * {@code block1_conv2} on top of DL4J's workspaces; forward {@code conv2d} allocates two. Running the same ops over
 * chunks of the batch (each input/output activation of a chunk at most {@link #DEFAULT_CHUNK_BYTES}) bounds those
 * copies to the chunk; weight and bias gradients are summed over the chunks (the same sum in another order:
 * results equal to float rounding). Layers whose activations already fit run unchanged (one call).
 *
 * <p>DL4J 1.0.0-M2.1 hard-codes {@link MKLDNNConvHelper} as the CPU helper, so {@link #install} replaces it in the
 * protected {@code ConvolutionLayer.helper} field of an initialised graph's plain 2D convolutions (NCHW, float32).
 */
public final class ChunkedConvHelper extends MKLDNNConvHelper {
    /**
     * Largest activation a single oneDNN call handles before the batch is split: 32 MiB. Measured on VGG16's full
     * fine-tune step (224 px, batch 16, quiet machine, docs/performance.md): 64 MiB peaked ~160 MiB higher at the
     * same step time, 16 MiB ~50 MiB lower but slower.
     */
    public static final long DEFAULT_CHUNK_BYTES = 32L << 20;

    private static final Field HELPER = helperField();

    private final long chunkBytes;
    private INDArray spareW;
    private INDArray spareB;

    ChunkedConvHelper(DataType dataType, long chunkBytes) {
        super(dataType);
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunkBytes must be >= 1; received " + chunkBytes);
        }
        this.chunkBytes = chunkBytes;
    }

    /**
     * Installs the chunked helper on every plain 2D convolution of {@code graph} that runs on DL4J's oneDNN helper
     * (frozen ones unwrapped). Idempotent; returns how many layers run on it afterwards. Must be called again
     * after the graph's layers are rebuilt (a new graph, {@code init()}).
     */
    public static int install(ComputationGraph graph, long chunkBytes) {
        int n = 0;
        for (Layer l : graph.getLayers()) {
            Layer inner = l;
            if (inner instanceof FrozenLayer f) {
                inner = f.getInsideLayer();
            } else if (inner instanceof FrozenLayerWithBackprop f) {
                inner = f.getInsideLayer();
            }
            if (inner.getClass() != ConvolutionLayer.class) {
                continue;
            }
            try {
                Object h = HELPER.get(inner);
                if (h instanceof ChunkedConvHelper) {
                    n++;
                } else if (h != null && h.getClass() == MKLDNNConvHelper.class) {
                    HELPER.set(inner, new ChunkedConvHelper(inner.getParam("W").dataType(), chunkBytes));
                    n++;
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot replace DL4J's convolution helper: " + e, e);
            }
        }
        return n;
    }

    /** The helper a layer runs on (for tests and reports), or null. */
    public static Object helperOf(Layer convolution) {
        try {
            return HELPER.get(convolution);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Field helperField() {
        try {
            Field f = ConvolutionLayer.class.getDeclaredField("helper");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("DL4J's ConvolutionLayer has no 'helper' field: " + e);
        }
    }

    private int chunks(INDArray input, long otherBytesPerImage) {
        long n = input.size(0);
        long perImage = Math.max(input.length() / n * input.dataType().width(), otherBytesPerImage);
        long fit = Math.max(1, chunkBytes / Math.max(1, perImage));
        return (int) Math.min(n, (n + fit - 1) / fit);
    }

    private static int[] intArgs(int[] k, int[] s, int[] p, int[] d, ConvolutionMode m) {
        // as MKLDNNConvHelper: kernel, strides, padding, dilation, same mode, NCHW (0), weights [oC, iC, kH, kW] (1)
        return new int[] {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], m == ConvolutionMode.Same ? 1 : 0, 0, 1};
    }

    private static INDArray images(INDArray a, long from, long to) {
        return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
    }

    @Override
    public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides,
            int[] pad, AlgoMode mode, FwdAlgo fwdAlgo, ConvolutionMode cm, int[] dilation, CNN2DFormat format,
            LayerWorkspaceMgr wm) {
        if (format != CNN2DFormat.NCHW || input.dataType() != DataType.FLOAT || weights.dataType() != DataType.FLOAT) {
            return super.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, cm, dilation, format, wm);
        }
        int[] out = ConvolutionUtils.getOutputSize(input, kernel, strides, cm == ConvolutionMode.Same ? null : pad,
                cm, dilation, format);
        int c = chunks(input, weights.size(0) * out[0] * out[1] * 4L);
        if (c <= 1) {
            return super.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, cm, dilation, format, wm);
        }
        int[] p = cm == ConvolutionMode.Same ? ConvolutionUtils.getSameModeTopLeftPadding(out,
                new int[] {(int) input.size(2), (int) input.size(3)}, kernel, strides, dilation) : pad;
        long n = input.size(0);
        INDArray z = wm.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), n, weights.size(0), out[0], out[1]);
        int[] args = intArgs(kernel, strides, p, dilation, cm);
        for (int i = 0; i < c; i++) {
            long a = n * i / c;
            long b = n * (i + 1) / c;
            DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d").addIntegerArguments(args);
            if (bias == null) {
                op.addInputs(images(input, a, b), weights);
            } else {
                op.addInputs(images(input, a, b), weights, bias);
            }
            Nd4j.exec(op.addOutputs(images(z, a, b)).build());
        }
        return z;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray weights, INDArray bias, INDArray delta,
            int[] kernel, int[] strides, int[] pad, INDArray biasGradView, INDArray weightGradView, IActivation afn,
            AlgoMode mode, BwdFilterAlgo bwdFilterAlgo, BwdDataAlgo bwdDataAlgo, ConvolutionMode cm, int[] dilation,
            CNN2DFormat format, LayerWorkspaceMgr wm) {
        boolean plain = format == CNN2DFormat.NCHW && input.dataType() == DataType.FLOAT
                && weights.dataType() == DataType.FLOAT;
        int c = plain ? chunks(input, delta.length() / delta.size(0) * 4L) : 1;
        if (c <= 1) {
            return super.backpropGradient(input, weights, bias, delta, kernel, strides, pad, biasGradView,
                    weightGradView, afn, mode, bwdFilterAlgo, bwdDataAlgo, cm, dilation, format, wm);
        }
        int[] p = cm == ConvolutionMode.Same ? ConvolutionUtils.getSameModeTopLeftPadding(
                new int[] {(int) delta.size(2), (int) delta.size(3)},
                new int[] {(int) input.size(2), (int) input.size(3)}, kernel, strides, dilation) : pad;
        long n = input.size(0);
        INDArray gradI = wm.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            if (spareW == null || !Arrays.equals(spareW.shape(), weightGradView.shape())) {
                spareW = Nd4j.createUninitialized(weightGradView.dataType(), weightGradView.shape());
            }
            if (biasGradView != null && (spareB == null || !Arrays.equals(spareB.shape(), biasGradView.shape()))) {
                spareB = Nd4j.createUninitialized(biasGradView.dataType(), biasGradView.shape());
            }
        }
        int[] args = intArgs(kernel, strides, p, dilation, cm);
        for (int i = 0; i < c; i++) {
            long a = n * i / c;
            long b = n * (i + 1) / c;
            INDArray gw = i == 0 ? weightGradView : spareW;
            DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp").addIntegerArguments(args);
            if (bias == null) {
                op.addInputs(images(input, a, b), weights, images(delta, a, b));
            } else {
                op.addInputs(images(input, a, b), weights, bias, images(delta, a, b));
            }
            if (biasGradView == null) {
                op.addOutputs(images(gradI, a, b), gw);
            } else {
                op.addOutputs(images(gradI, a, b), gw, i == 0 ? biasGradView : spareB);
            }
            Nd4j.exec(op.build());
            if (i > 0) {
                weightGradView.addi(spareW);
                if (biasGradView != null) {
                    biasGradView.addi(spareB);
                }
            }
        }
        DefaultGradient g = new DefaultGradient();
        if (biasGradView != null) {
            g.gradientForVariable().put("b", biasGradView);
        }
        g.gradientForVariable().put("W", weightGradView);
        return new Pair<>(g, gradI);
    }
}
