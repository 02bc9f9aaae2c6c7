package io.transfer4j.training.internal;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * Class weights as Deeplearning4j's weighted cross-entropy ({@code LossMCXENT(weights)}) on the output layer:
 * each example's loss and gradient are multiplied by its class's weight and the sum is still divided by the batch
 * size, which is Keras's {@code class_weight}.
 *
 * <p>Not a labels mask: DL4J's dense output layers also multiply their pre-activations by the mask, so a
 * non-binary mask changes the logits (measured: weight 2 turned a loss of 0.77 into 1.02, not 1.53).
 */
final class ClassWeighting {
    private ClassWeighting() {
    }

    /**
     * Installs the weights on every output layer of {@code graph}; returns the action that puts the original
     * loss functions back.
     */
    public static Runnable install(ComputationGraph graph, double[] weights) {
        List<Runnable> undo = new ArrayList<>();
        for (String out : graph.getConfiguration().getNetworkOutputs()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = graph.getLayer(out).conf().getLayer();
            if (!(conf instanceof BaseOutputLayer ol) || !(ol.getLossFn() instanceof LossMCXENT original)
                    || ol.getNOut() != weights.length) {
                String loss = conf instanceof BaseOutputLayer ol2 ? String.valueOf(ol2.getLossFn()) : conf.toString();
                throw new IllegalArgumentException("class weights need a softmax output with cross-entropy loss and "
                        + "one unit per class (" + weights.length + "); output '" + out + "' has " + loss + ". For "
                        + "two classes build the model with Task.MULTICLASS, or train without class weights");
            }
            ILossFunction before = original;
            ol.setLossFn(new LossMCXENT(Nd4j.create(weights, new long[] {1, weights.length}, DataType.FLOAT)));
            undo.add(() -> ol.setLossFn(before));
        }
        return () -> undo.forEach(Runnable::run);
    }
}
