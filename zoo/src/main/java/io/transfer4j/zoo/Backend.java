package io.transfer4j.zoo;

import io.transfer4j.zoo.internal.backend.ChunkedConvHelper;
import io.transfer4j.zoo.internal.backend.HelperProbe;
import io.transfer4j.zoo.internal.backend.HelperSwitch;
import io.transfer4j.zoo.internal.backend.LayerInspector;
import io.transfer4j.zoo.internal.backend.NativeInfo;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.function.Supplier;

/**
 * The numerical backend: makes DL4J's oneDNN fast path engage and reports what really runs.
 *
 * <p>Stock DL4J 1.0.0-M2.1 never uses oneDNN for its layers: the layer helpers are off by default
 * ({@code org.eclipse.deeplearning4j.helpers.disable}, default true) and, when switched on, are rejected because
 * their support check reflects on a class ND4J renamed. transfer4j fixes both without user action:
 * <ul>
 *   <li>the switch is set to "helpers on" when ND4J starts (an ND4J {@code EnvironmentalAction} service in the
 *       zoo jar) and again by {@link #ensureInitialised()}, which every transfer4j entry point calls; an explicit
 *       user setting of the property wins, and {@code TRANSFER4J_ONEDNN=off} switches helpers off;</li>
 *   <li>a compatibility class at the old name ({@code org.nd4j.nativeblas.Nd4jCpu$Environment}) answers DL4J's
 *       check with the real native setting.</li>
 * </ul>
 * The switch is read when a network's layers are constructed ({@code init()}), so it must be set before then.
 */
public final class Backend {

    private Backend() {
    }

    /**
     * Applies transfer4j's backend defaults (oneDNN layer helpers on unless the user said otherwise) and loads
     * ND4J. Idempotent and cheap after the first call; call it before building or loading any network.
     */
    public static void ensureInitialised() {
        HelperSwitch.applyDefault();
        Nd4j.getBackend();
    }

    /**
     * Checks the backend for real: natives flavour, DL4J's oneDNN support check, and a probe network whose
     * convolution, batch-normalisation, pooling and LRN layers must run forward and backward on their helpers.
     */
    public static BackendReport report() {
        ensureInitialised();
        List<BackendReport.HelperCheck> checks = HelperProbe.run();
        return NativeInfo.report(HelperSwitch.setting(), BaseMKLDNNHelper.mklDnnEnabled(), checks);
    }

    /**
     * Which layers of a built (initialised) {@code ComputationGraph} or {@code MultiLayerNetwork} run on a layer
     * helper, in network order. Frozen layers are unwrapped and marked.
     */
    public static List<LayerHelperStatus> helpers(Model network) {
        return LayerInspector.inspect(network);
    }

    /**
     * Builds a network on DL4J's built-in Java layer implementations (no oneDNN helpers) for comparisons:
     * {@code build} must construct and {@code init()} the network. Concurrent builds through this method are
     * serialised; do not initialise other networks on other threads meanwhile.
     */
    public static <T> T withBuiltInLayers(Supplier<T> build) {
        ensureInitialised();
        return HelperSwitch.withBuiltInLayers(build);
    }

    /**
     * Bounds the native memory oneDNN's convolutions take inside a training step: libnd4j's oneDNN
     * {@code conv2d_bp} allocates four full-size reordered copies of a layer's activations at once (VGG16 at
     * 224 px, batch 16: 4 x 196 MiB in {@code block1_conv2}), so the graph's plain 2D convolutions are switched to a
     * helper that runs the same oneDNN ops over chunks of the batch when an activation exceeds 32 MiB (weight
     * gradients summed over chunks: equal to float rounding). Idempotent; {@code FineTuner} calls it on every graph
     * it trains. Returns the number of convolutions on the bounded helper (0 when oneDNN helpers are off).
     *
     * <p>The system property {@value #CONV_CHUNK_PROPERTY} sets the chunk limit in MiB (default 32); 0 leaves DL4J's
     * own helper in place (for comparisons, or if a DL4J upgrade changes the helper).
     */
    public static int boundConvolutionMemory(ComputationGraph graph) {
        long mib = Long.getLong(CONV_CHUNK_PROPERTY, ChunkedConvHelper.DEFAULT_CHUNK_BYTES >> 20);
        if (mib < 0) {
            throw new IllegalArgumentException("-D" + CONV_CHUNK_PROPERTY + " must be >= 0 MiB (0: no chunking; "
                    + "default " + (ChunkedConvHelper.DEFAULT_CHUNK_BYTES >> 20) + "); received " + mib);
        }
        return mib == 0 ? 0 : ChunkedConvHelper.install(graph, mib << 20);
    }

    /** System property: the convolution chunk limit in MiB for {@link #boundConvolutionMemory}; 0 turns it off. */
    public static final String CONV_CHUNK_PROPERTY = "transfer4j.conv.chunkMiB";
}
