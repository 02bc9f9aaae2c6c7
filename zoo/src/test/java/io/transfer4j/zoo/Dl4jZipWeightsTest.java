package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J zips whose layer names differ from ours (like DL4J's own randomly initialised zoo graphs, "0", "1", ...)
 * load by order when the shapes agree; DL4J's default log10(std) BatchNormalization is converted to variance.
 */
class Dl4jZipWeightsTest {
    @TempDir
    Path tmp;

    /** The tiny architecture with numbered names and DL4J's default (log10 std) BatchNormalization. */
    private static ComputationGraph numberedTiny(int convWidthOfBlock3) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(32, 32, 3));
        String last = "in";
        int in = 3;
        int[] widths = {8, 16, convWidthOfBlock3};
        int n = 0;
        for (int w : widths) {
            b.addLayer(String.valueOf(n), new ConvolutionLayer.Builder(3, 3).padding(1, 1).nIn(in).nOut(w)
                    .activation(Activation.IDENTITY).build(), last);
            b.addLayer(String.valueOf(n + 1), new BatchNormalization.Builder().eps(1e-3).nOut(w).build(),
                    String.valueOf(n));
            b.addLayer(String.valueOf(n + 2), new ActivationLayer.Builder().activation(Activation.RELU).build(),
                    String.valueOf(n + 1));
            b.addLayer(String.valueOf(n + 3), new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2)
                    .stride(2, 2).build(), String.valueOf(n + 2));
            last = String.valueOf(n + 3);
            n += 4;
            in = w;
        }
        b.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), last);
        b.addVertex("flat", new ReshapeVertex('c', new int[] {-1, in}, null), "gap");
        b.addLayer("out", new DenseLayer.Builder().nIn(in).nOut(1000).activation(Activation.SOFTMAX).build(), "flat");
        ComputationGraph g = new ComputationGraph(b.setOutputs("out").build());
        g.init();
        return g;
    }

    private Zoo zooServing(ComputationGraph graph) throws Exception {
        Path zip = tmp.resolve("weights.zip");
        ModelSerializer.writeModel(graph, zip.toFile(), false);
        byte[] bytes = Files.readAllBytes(zip);
        Path catalogue = TestCatalogues.tiny(tmp, zip.toUri(), TestCatalogues.adler32(bytes), bytes.length);
        return Zoo.builder().home(tmp.resolve("cache")).dl4jHome(tmp.resolve("d")).kerasHome(tmp.resolve("k"))
                .catalogue(catalogue).build();
    }

    @Test
    void differentNamesLoadByOrderAndLog10StdBecomesVariance() throws Exception {
        ComputationGraph source = numberedTiny(32);
        double std = 2.0;
        source.getLayer("5").getParam("log10stdev").assign(Math.log10(std));
        source.getLayer("5").getParam("mean").assign(Nd4j.linspace(1, 16, 16).reshape(1, 16));
        Backbone b = zooServing(source).load("tiny", InputShape.rgb(32, 32));

        assertEquals(source.getLayer("4").getParam("W"), b.graph().getLayer("block2_conv1").getParam("W"));
        assertEquals(source.getLayer("5").getParam("mean"), b.graph().getLayer("block2_bn").getParam("mean"));
        double var = b.graph().getLayer("block2_bn").getParam("var").getDouble(0, 3);
        assertEquals(std * std - 1e-3, var, 1e-4, "var = std^2 - eps");
        assertEquals(source.getLayer("out").getParam("W"), b.graph().getLayer("predictions").getParam("W"));
        var x = Nd4j.rand(2, 3, 32, 32);
        assertTrue(source.outputSingle(x).equalsWithEps(b.graph().outputSingle(x), 1e-4),
                "same function after the copy");
    }

    @Test
    void aZipOfAnotherShapeIsRejectedNamingTheLayer() throws Exception {
        Zoo zoo = zooServing(numberedTiny(24));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> zoo.load("tiny", InputShape.rgb(32, 32)));
        assertTrue(e.getMessage().contains("block3_conv1") && e.getMessage().contains("matching by order fails"),
                e.getMessage());
    }
}
