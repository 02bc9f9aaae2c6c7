package io.transfer4j.training.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import io.transfer4j.training.Metrics;

/** Runs a graph over labelled batches in inference mode and computes {@link Metrics}. */
public final class Evaluator {
    private Evaluator() {
    }

    public static Metrics evaluate(ComputationGraph graph, Iterator<DataSet> batches, List<String> labels, int topK) {
        List<float[]> probs = new ArrayList<>();
        List<Integer> actual = new ArrayList<>();
        while (batches.hasNext()) {
            DataSet d = batches.next();
            INDArray out = graph.outputSingle(false, d.getFeatures()).castTo(DataType.FLOAT);
            INDArray y = d.getLabels();
            if (out.size(1) == 1) {
                // a single sigmoid unit: probability of the positive class
                out = org.nd4j.linalg.factory.Nd4j.hstack(out.rsub(1.0), out);
                y = org.nd4j.linalg.factory.Nd4j.hstack(y.rsub(1.0), y);
            }
            INDArray idx = y.argMax(1);
            float[][] rows = out.toFloatMatrix();
            for (int i = 0; i < rows.length; i++) {
                probs.add(rows[i]);
                actual.add(idx.getInt(i));
            }
        }
        return Metrics.compute(labels, actual.stream().mapToInt(Integer::intValue).toArray(),
                probs.toArray(float[][]::new), topK);
    }
}
