package io.transfer4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;

import java.util.Optional;

/**
 * The DL4J layer types that can run on an accelerated (oneDNN) layer helper instead of DL4J's built-in
 * Java implementation. Subclasses count: Keras-style {@code Convolution2D} layers are {@code ConvolutionLayer}s.
 *
 * <p>What DL4J 1.0.0-M2.1 does with each (read from its bytecode):
 * <ul>
 *   <li>convolution: the helper runs forward and backward; without it DL4J does im2col + GEMM in Java;</li>
 *   <li>batch normalisation: the helper runs forward and backward (float only); without it, Java-side ND4J ops;</li>
 *   <li>subsampling: the forward pass always calls ND4J's native {@code maxpool2d}/{@code avgpool2d} op
 *       (the helper is never used forward); the helper runs the backward pass;</li>
 *   <li>local response normalisation has a helper only on CUDA, so it is not listed (VGG16 and ResNet50 have
 *       no LRN).</li>
 * </ul>
 */
public enum HelperKind {
    CONVOLUTION("convolution", ConvolutionLayer.class, true),
    BATCH_NORMALIZATION("batch normalisation", BatchNormalization.class, true),
    SUBSAMPLING("pooling (subsampling)", SubsamplingLayer.class, false);

    private final String label;
    private final Class<? extends Layer> layerClass;
    private final boolean helperRunsForward;

    HelperKind(String label, Class<? extends Layer> layerClass, boolean helperRunsForward) {
        this.label = label;
        this.layerClass = layerClass;
        this.helperRunsForward = helperRunsForward;
    }

    /** Whether DL4J M2.1 calls this kind's helper in the forward pass (subsampling: native op, no helper). */
    public boolean helperRunsForward() {
        return helperRunsForward;
    }

    /** Human-readable name, e.g. "batch normalisation". */
    public String label() {
        return label;
    }

    /** The DL4J layer implementation class (runtime layer, not the configuration class). */
    public Class<? extends Layer> layerClass() {
        return layerClass;
    }

    /** The kind of a runtime layer (already unwrapped from frozen wrappers), if it can have a helper. */
    public static Optional<HelperKind> of(Layer layer) {
        for (HelperKind k : values()) {
            if (k.layerClass.isInstance(layer)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
