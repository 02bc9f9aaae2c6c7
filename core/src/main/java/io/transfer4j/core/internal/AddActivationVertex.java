package io.transfer4j.core.internal;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A residual add and the activation layer after it as one vertex: {@code act(a + b + ...)}. Only
 * {@link io.transfer4j.core.InferenceGraph} builds it, for inference-only derived graphs (never saved, never
 * trained). DL4J's own pair copies the first input into a new array, adds the others into it, and the
 * {@code ActivationLayer} then applies its function in a further pass; here the sum is written once, straight from
 * the inputs into the output, and the activation is applied to it in place. ResNet50 has 16 such pairs, on feature
 * maps of up to 51 MB per batch of 16 at 224 px.
 *
 * <p>Inputs of different shapes or data types (broadcasting, mixed precision) take DL4J's path and then the
 * activation, so the result is the same in every case. Backpropagation (Grad-CAM's tail on a derived graph) gives
 * every input the activation's derivative at the recomputed sum times the incoming error.
 */
public class AddActivationVertex extends ElementWiseVertex {

    private static final long serialVersionUID = 1L;

    private final IActivation activation;

    public AddActivationVertex(@JsonProperty("activation") IActivation activation) {
        super(Op.Add);
        if (activation == null) {
            throw new IllegalArgumentException("activation is required (e.g. ReLU); received null");
        }
        this.activation = activation;
    }

    /** The activation applied to the sum. */
    public IActivation getActivation() {
        return activation;
    }

    @Override
    public AddActivationVertex clone() {
        return new AddActivationVertex(activation);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddActivationVertex other && other.activation.equals(activation);
    }

    @Override
    public int hashCode() {
        return 31 * Op.Add.hashCode() + activation.hashCode();
    }

    @Override
    public String toString() {
        return "AddActivationVertex(" + activation + ")";
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new Impl(graph, name, idx, activation, networkDatatype);
    }

    /** The runtime vertex. */
    static final class Impl extends org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex {
        private final IActivation activation;

        Impl(ComputationGraph graph, String name, int idx, IActivation activation, DataType dataType) {
            super(graph, name, idx, org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex.Op.Add, dataType);
            this.activation = activation;
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoForward()) {
                throw new IllegalStateException("Cannot do forward pass in vertex '" + getVertexName()
                        + "': inputs not set");
            }
            INDArray sum;
            if (direct()) {
                sum = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, inputs[0].shape(), 'c');
                Nd4j.exec(new AddOp(inputs[0], inputs[1], sum));
                for (int i = 2; i < inputs.length; i++) {
                    sum.addi(inputs[i]);
                }
            } else {
                sum = super.doForward(training, workspaceMgr);
            }
            return activation.getActivation(sum, training);
        }

        /** Two or more inputs of one shape, all in the vertex's data type. */
        private boolean direct() {
            if (inputs.length < 2) {
                return false;
            }
            for (INDArray in : inputs) {
                if (in.dataType() != dataType || !Arrays.equals(in.shape(), inputs[0].shape())) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The gradient for each input: the activation's derivative at the sum (recomputed from the inputs, which
         * the forward pass overwrote by applying the activation in place) times {@code epsilon}. Grad-CAM's tail
         * graph on a derived graph backpropagates through here.
         */
        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoBackward()) {
                throw new IllegalStateException("Cannot do backward pass in vertex '" + getVertexName()
                        + "': inputs or errors not set");
            }
            if (!direct()) {
                throw new UnsupportedOperationException("vertex '" + getVertexName() + "': backpropagation needs two"
                        + " or more inputs of one shape and data type; received " + inputs.length + " inputs");
            }
            INDArray sum = inputs[0].dup('c');
            for (int i = 1; i < inputs.length; i++) {
                sum.addi(inputs[i]);
            }
            INDArray delta = activation.backprop(sum, epsilon.dup('c')).getFirst();
            INDArray[] out = new INDArray[inputs.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, delta);
            }
            return new Pair<>(null, out);
        }

        @Override
        public String toString() {
            return "AddActivationVertex(name=" + getVertexName() + ", activation=" + activation + ")";
        }
    }
}
