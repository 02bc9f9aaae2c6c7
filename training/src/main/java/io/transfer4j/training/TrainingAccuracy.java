package io.transfer4j.training;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training accuracy as Keras reports it, without a second forward pass: a DL4J listener that sees the activations
 * the training step computes anyway (everything up to the output layer's input), applies the output layer's
 * weights to them (one small matrix product) and counts the rows whose most probable class is the label's. The
 * count therefore belongs to the weights before the batch's update, like Keras's running {@code accuracy}.
 *
 * <p>Works for a {@link ComputationGraph} with one output layer and for a {@link MultiLayerNetwork}, both ending in
 * a dense output layer (softmax over the classes, or a single sigmoid unit: predicted positive when its logit is
 * above 0). Call {@link #labels} with each batch's labels before fitting it.
 */
public final class TrainingAccuracy extends BaseTrainingListener {
    private INDArray labels;
    private long correct;
    private long seen;

    /** The labels of the batch about to be fitted (one-hot, or 0/1 for a single sigmoid unit). */
    public void labels(INDArray batchLabels) {
        this.labels = batchLabels;
    }

    /** Starts a new epoch's count. */
    public void reset() {
        correct = 0;
        seen = 0;
    }

    /** Correct predictions counted since {@link #reset()}. */
    public long correct() {
        return correct;
    }

    /** Examples counted since {@link #reset()}. */
    public long seen() {
        return seen;
    }

    /** The fraction correct since {@link #reset()}, NaN before any example. */
    public double accuracy() {
        return seen == 0 ? Double.NaN : correct / (double) seen;
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
        if (model instanceof MultiLayerNetwork net && !activations.isEmpty()) {
            // the last entry is the output layer's input: DL4J computes the output layer's own activation in the loss
            count(activations.get(activations.size() - 1), net.getLayer(net.getnLayers() - 1));
        }
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        if (model instanceof ComputationGraph graph) {
            String output = graph.getConfiguration().getNetworkOutputs().get(0);
            String input = graph.getConfiguration().getVertexInputs().get(output).get(0);
            count(activations.get(input), graph.getLayer(output));
        }
    }

    @SuppressWarnings("try")   // the workspace scope is used for its side effect only
    private void count(INDArray hidden, Layer out) {
        if (hidden == null || hidden.rank() != 2 || labels == null || out.getParam("W") == null) {
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray logits = hidden.castTo(out.getParam("W").dataType()).mmul(out.getParam("W"));
            if (out.getParam("b") != null) {
                logits.addiRowVector(out.getParam("b"));
            }
            INDArray hits;
            if (logits.size(1) == 1) {
                hits = logits.gt(0).eq(labels.gt(0.5));
            } else {
                hits = Nd4j.argMax(logits, 1).eq(Nd4j.argMax(labels, 1));
            }
            correct += hits.castTo(DataType.INT32).sumNumber().longValue();
            seen += hidden.size(0);
        }
        labels = null;   // one count per fitted batch
    }
}
