package io.transfer4j.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras-style {@code fit} for the transfer examples' single-output softmax graphs: per epoch the mean training
 * loss and accuracy over the batches (from the training forward pass, before each update) and the validation
 * loss and accuracy after the epoch, the numbers the tutorials' learning curves plot (the same kind as
 * {@link MnistCnn#fit}). The training module's {@code FineTuner} (behind {@code transfer4j fit}, with checkpoints,
 * early stopping and resume) records validation metrics only, so the examples keep this small loop to plot
 * training accuracy beside validation accuracy as the tutorials do.
 */
final class GraphFit {

    private static final double KERAS_EPSILON = 1e-7;

    private GraphFit() {
    }

    static List<MnistCnn.Epoch> fit(ComputationGraph graph, DataSetIterator train, DataSetIterator validation,
                                    int epochs, int firstEpoch, Consumer<MnistCnn.Epoch> onEpoch) {
        String output = graph.getConfiguration().getNetworkOutputs().get(0);
        String outputInput = graph.getConfiguration().getVertexInputs().get(output).get(0);
        BatchAccuracy accuracy = new BatchAccuracy(graph, output, outputInput);
        graph.addListeners(accuracy);
        List<MnistCnn.Epoch> history = new ArrayList<>();
        try {
            for (int e = 0; e < epochs; e++) {
                train.reset();
                long start = System.nanoTime();
                double lossSum = 0;
                long samples = 0;
                accuracy.correct = 0;
                while (train.hasNext()) {
                    DataSet batch = train.next();
                    accuracy.labels = batch.getLabels();
                    graph.fit(batch);
                    lossSum += graph.score() * batch.numExamples();
                    samples += batch.numExamples();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                MnistCnn.Score val = evaluate(graph, validation);
                MnistCnn.Epoch row = new MnistCnn.Epoch(firstEpoch + e, lossSum / samples,
                        accuracy.correct / (double) samples, val.loss(), val.accuracy(), seconds, samples / seconds);
                history.add(row);
                onEpoch.accept(row);
            }
        } finally {
            graph.getListeners().remove(accuracy);
        }
        return history;
    }

    static MnistCnn.Score evaluate(ComputationGraph graph, DataSetIterator data) {
        return evaluate(x -> graph.outputSingle(false, x), data);
    }

    /**
     * Mean categorical cross-entropy (probabilities clipped as Keras does) and accuracy over a whole iterator, with
     * {@code probabilities} giving a batch's softmax output in inference mode.
     */
    static MnistCnn.Score evaluate(UnaryOperator<INDArray> probabilities, DataSetIterator data) {
        data.reset();
        double lossSum = 0;
        long correct = 0;
        long samples = 0;
        while (data.hasNext()) {
            DataSet batch = data.next();
            INDArray probs = probabilities.apply(batch.getFeatures());
            lossSum += crossEntropySum(probs, batch.getLabels());
            correct += correct(probs, batch.getLabels());
            samples += batch.numExamples();
        }
        if (samples == 0) {
            throw new IllegalArgumentException("the evaluation data is empty");
        }
        return new MnistCnn.Score(lossSum / samples, correct / (double) samples, samples);
    }

    /** Summed categorical cross-entropy of a batch, probabilities clipped to [1e-7, 1 - 1e-7] as Keras does. */
    static double crossEntropySum(INDArray probs, INDArray oneHot) {
        INDArray clipped = Transforms.max(Transforms.min(probs, 1 - KERAS_EPSILON, true), KERAS_EPSILON, false);
        return -Transforms.log(clipped, false).muli(oneHot).sumNumber().doubleValue();
    }

    /** Rows whose largest score is at the label's position. */
    static long correct(INDArray scores, INDArray oneHot) {
        return Nd4j.argMax(scores, 1).eq(Nd4j.argMax(oneHot, 1)).castTo(DataType.INT32).sumNumber().longValue();
    }

    /** Correct predictions from the activations DL4J computes anyway (see {@link MnistCnn}). */
    private static final class BatchAccuracy extends BaseTrainingListener {
        private final ComputationGraph graph;
        private final String output;
        private final String outputInput;
        INDArray labels;
        long correct;

        BatchAccuracy(ComputationGraph graph, String output, String outputInput) {
            this.graph = graph;
            this.output = output;
            this.outputInput = outputInput;
        }

        @Override
        @SuppressWarnings("try")   // the workspace scope is used for its side effect only
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            INDArray hidden = activations.get(outputInput);
            if (hidden == null || hidden.rank() != 2) {
                return;
            }
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                org.deeplearning4j.nn.api.Layer out = graph.getLayer(output);
                INDArray logits = hidden.mmul(out.getParam("W")).addiRowVector(out.getParam("b"));
                correct += GraphFit.correct(logits, labels);
            }
        }
    }
}
