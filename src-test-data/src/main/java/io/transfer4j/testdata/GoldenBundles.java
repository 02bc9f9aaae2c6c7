package io.transfer4j.testdata;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Golden model bundles, one per released bundle format version, written with plain DL4J and Jackson
 * (independently of core's writer) exactly as the format documentation ({@code docs/bundle-format.md}) says.
 * A core test loads each one and predicts, so a reader change that breaks old bundles fails the build.
 *
 * <p>Format 1: a zip with {@code manifest.json} and {@code graph.zip} (a {@code ModelSerializer} file of the
 * whole graph: backbone up to the cut, then the head; frozen layers need not be wrapped, the manifest's
 * {@code trainable.selection} is authoritative).
 */
public final class GoldenBundles {

    /** Labels of the golden model, in output order. */
    public static final List<String> LABELS = List.of("cat", "dog", "fox");

    private GoldenBundles() {
    }

    /**
     * A written golden bundle and what it must predict.
     *
     * @param bundle        the {@code .t4j} file
     * @param pixels        one input image as raw RGB pixel values 0-255, NCHW {@code [1, 3, 8, 8]}
     * @param probabilities the graph's output for {@code pixels} after the manifest's normalisation (x / 255),
     *                      computed by plain DL4J
     */
    public record Golden(Path bundle, INDArray pixels, float[] probabilities) {
    }

    /**
     * Writes the format-1 golden bundle {@code golden-v1.t4j} into {@code dir}: a 3x8x8 input, conv 3x3 (4) +
     * BatchNorm (non-trivial running statistics) + ReLU, cut {@code block1_relu} (feature map), average pooling
     * head, 3-class softmax. Weights come from a seeded {@link Random}, so the bundle is the same on every run.
     */
    public static Golden writeV1(Path dir) throws IOException {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(1e-3))
                .dataType(DataType.FLOAT).convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("input_1")
                .addLayer("block1_conv1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY)
                        .build(), "input_1")
                .addLayer("block1_bn", new BatchNormalization.Builder().useLogStd(false).eps(1e-3).build(),
                        "block1_conv1")
                .addLayer("block1_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(),
                        "block1_bn")
                .addLayer("head_pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "block1_relu")
                .addLayer("predictions", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).nOut(LABELS.size()).build(), "head_pool")
                .setOutputs("predictions")
                .setInputTypes(InputType.convolutional(8, 8, 3))
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Random r = new Random(20260101L);
        INDArray params = graph.params();
        float[] values = new float[(int) params.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (r.nextGaussian() * 0.5);
        }
        params.assign(Nd4j.create(values, params.shape()));
        // BatchNorm running statistics: positive variances, non-zero means
        Map<String, INDArray> bn = graph.getLayer("block1_bn").paramTable();
        bn.get("mean").assign(Nd4j.create(new float[] {0.1f, -0.2f, 0.3f, 0.05f}, bn.get("mean").shape()));
        bn.get("var").assign(Nd4j.create(new float[] {2f, 0.5f, 1.5f, 1f}, bn.get("var").shape()));

        float[] px = new float[3 * 8 * 8];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(256);
        }
        INDArray pixels = Nd4j.create(px, new long[] {1, 3, 8, 8});
        float[] probabilities = graph.outputSingle(false, pixels.div(255)).toFloatVector();

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode m = json.createObjectNode();
        m.put("formatVersion", 1);
        m.put("transfer4jVersion", "golden-v1");
        m.put("dl4jVersion", "1.0.0-M2.1");
        m.put("javaVersion", "17");
        m.put("created", "2026-01-01T00:00:00Z");
        ObjectNode backbone = m.putObject("backbone");
        backbone.put("id", "golden-tiny");
        backbone.put("architecture", "TINY");
        ObjectNode weights = backbone.putObject("weights");
        weights.put("kind", "random");
        weights.put("source", "GoldenBundles.writeV1");
        weights.put("sha256", "");
        ObjectNode group = backbone.putArray("groups").addObject();
        group.put("name", "block1");
        group.putArray("layers").add("block1_conv1").add("block1_bn").add("block1_relu");
        ArrayNode labels = m.putArray("labels");
        LABELS.forEach(labels::add);
        ObjectNode input = m.putObject("input");
        input.put("channels", 3);
        input.put("height", 8);
        input.put("width", 8);
        ObjectNode norm = m.putObject("normalization");
        norm.put("mode", "rescale");
        norm.put("order", "RGB");
        norm.put("scale", 1.0 / 255);
        norm.putArray("mean");
        norm.putArray("std");
        m.put("task", "MULTICLASS");
        ObjectNode head = m.putObject("head");
        head.put("pooling", "AVG");
        head.putArray("dense");
        ObjectNode cut = m.putObject("cut");
        cut.put("name", "block1_relu");
        cut.put("kind", "FEATURE_MAP");
        cut.put("features", 4);
        ObjectNode trainable = m.putObject("trainable");
        trainable.putObject("selection").put("kind", "headOnly");
        trainable.putArray("frozenVertices").add("block1_conv1").add("block1_bn").add("block1_relu");
        m.put("seed", 7);
        m.putObject("metrics").put("note", "golden bundle: weights are random, metrics are not meaningful");

        Files.createDirectories(dir);
        Path file = dir.resolve("golden-v1.t4j");
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("manifest.json"));
            zip.write(json.writeValueAsBytes(m));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("graph.zip"));
            ModelSerializer.writeModel(graph, zip, false);
            zip.closeEntry();
        }
        return new Golden(file, pixels, probabilities);
    }
}
