package io.transfer4j.cli.bench;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;

import java.util.Map;

/**
 * Multiply-add arithmetic of a graph's convolution and dense layers, in FLOPs per image (a multiply-add counts 2).
 * Pooling, batch normalisation and activations are left out (under 1 % for VGG16/ResNet50, a few % for
 * MobileNetV2).
 */
final class Flops {

    private Flops() {
    }

    /** Forward FLOPs per image for the graph at the given input. */
    static double forwardPerImage(ComputationGraphConfiguration conf, InputType input) {
        Map<String, InputType> types = conf.getLayerActivationTypes(input);
        double total = 0;
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            Layer layer = unwrap(lv.getLayerConf().getLayer());
            InputType out = types.get(e.getKey());
            if (layer instanceof DepthwiseConvolution2D d && out instanceof InputType.InputTypeConvolutional oc) {
                // each input channel convolved with its own depthMultiplier filters (a subclass of
                // ConvolutionLayer: test it first)
                int[] k = d.getKernelSize();
                total += 2.0 * k[0] * k[1] * d.getNIn() * d.getDepthMultiplier() * oc.getHeight() * oc.getWidth();
            } else if (layer instanceof ConvolutionLayer c && out instanceof InputType.InputTypeConvolutional oc) {
                int[] k = c.getKernelSize();
                total += 2.0 * k[0] * k[1] * c.getNIn() * c.getNOut() * oc.getHeight() * oc.getWidth();
            } else if (layer instanceof DenseLayer d) {
                total += 2.0 * d.getNIn() * d.getNOut();
            } else if (layer instanceof org.deeplearning4j.nn.conf.layers.OutputLayer o) {
                total += 2.0 * o.getNIn() * o.getNOut();
            }
        }
        return total;
    }

    private static Layer unwrap(Layer l) {
        Layer x = l;
        while (true) {
            if (x instanceof FrozenLayer f) {
                x = f.getLayer();
            } else if (x instanceof BaseWrapperLayer w) {
                x = w.getUnderlying();
            } else {
                return x;
            }
        }
    }
}
