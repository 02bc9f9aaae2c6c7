package io.transfer4j.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class ClassWeightingTest {

    @Test
    void eachExamplesLossIsScaledByItsClassWeightAndTheOriginalComesBack() {
        ComputationGraph g = TinyGraphs.mlp(3);
        DataSet d = TinyGraphs.data(6, 4);   // classes 0,1,2,0,1,2
        INDArray plain = g.scoreExamples(d, false);
        double unweighted = g.score(d, false);
        Runnable undo = ClassWeighting.install(g, new double[] {1, 3, 0.5});
        double[] w = {1, 3, 0.5, 1, 3, 0.5};
        double expected = 0;
        for (int i = 0; i < 6; i++) {
            expected += w[i] * plain.getDouble(i);
        }
        assertEquals(expected / 6, g.score(d, false), 1e-5);
        undo.run();
        assertEquals(unweighted, g.score(d, false), 1e-9);
    }

    @Test
    void sigmoidOutputsAreRefusedWithAWayOut() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(4).nOut(1)
                        .activation(Activation.SIGMOID).build(), "in")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build());
        g.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassWeighting.install(g, new double[] {1, 2}));
        assertEquals(true, e.getMessage().contains("Task.MULTICLASS"), e.getMessage());
    }
}
