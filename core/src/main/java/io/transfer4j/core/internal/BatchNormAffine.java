package io.transfer4j.core.internal;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An inference-mode BatchNormalization as the per-channel affine map it is: {@code y = scale * x + shift} with
 * {@code scale = gamma / sqrt(var + eps)} and {@code shift = beta - mean * scale}, computed in float64 from the
 * layer's own parameters and settings (DL4J's {@code useLogStd}, where the layer stores {@code log10(std)}
 * instead of the variance; its per-layer {@code eps}; {@code lockGammaBeta}, where gamma and beta are constants).
 *
 * @param scale per channel, float64, shape {@code [channels]}
 * @param shift per channel, float64, shape {@code [channels]}
 */
public record BatchNormAffine(INDArray scale, INDArray shift) {

    /** The affine map of a runtime BatchNormalization layer (frozen wrappers are removed). */
    public static BatchNormAffine of(org.deeplearning4j.nn.api.Layer layer) {
        org.deeplearning4j.nn.api.Layer bnLayer = GraphSurgery.inner(layer);
        if (!(bnLayer.conf().getLayer() instanceof BatchNormalization bn)) {
            throw new IllegalArgumentException("layer '" + bnLayer.conf().getLayer().getLayerName()
                    + "' is a " + bnLayer.conf().getLayer().getClass().getSimpleName() + ", not a BatchNormalization");
        }
        INDArray mean = vector(bnLayer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        INDArray var;
        if (bn.isUseLogStd()) {
            INDArray log10s = vector(bnLayer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            INDArray s = Transforms.pow(Nd4j.valueArrayOf(log10s.shape(), 10.0, DataType.DOUBLE), log10s);
            var = s.mul(s);
        } else {
            var = vector(bnLayer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR));
        }
        INDArray gamma;
        INDArray beta;
        if (bn.isLockGammaBeta()) {
            gamma = Nd4j.valueArrayOf(mean.shape(), bn.getGamma(), DataType.DOUBLE);
            beta = Nd4j.valueArrayOf(mean.shape(), bn.getBeta(), DataType.DOUBLE);
        } else {
            gamma = vector(bnLayer.getParam(BatchNormalizationParamInitializer.GAMMA));
            beta = vector(bnLayer.getParam(BatchNormalizationParamInitializer.BETA));
        }
        INDArray scale = gamma.div(Transforms.sqrt(var.add(bn.getEps())));
        INDArray shift = beta.sub(mean.mul(scale));
        return new BatchNormAffine(scale, shift);
    }

    /** Number of channels. */
    public long channels() {
        return scale.length();
    }

    private static INDArray vector(INDArray p) {
        return p.castTo(DataType.DOUBLE).reshape(p.length());
    }
}
