package io.transfer4j.zoo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;

import io.transfer4j.zoo.internal.Groups;

/**
 * A Keras-like summary of any {@link ComputationGraph}: one row per vertex (name, type, output shape, parameters,
 * trainable) and totals. As in Keras, BatchNormalization's moving mean and variance count as non-trainable, and
 * so does every parameter of a frozen layer. Output shapes are NCHW, {@code (None, C, H, W)} or {@code (None, F)};
 * they are shown when the input types are known.
 *
 * @param input        the input shape per graph input, e.g. {@code input_1 (None, 3, 224, 224)}, or empty
 * @param rows         one row per non-input vertex, in topological order
 * @param total        all parameters
 * @param trainable    parameters that training updates
 */
public record ModelSummary(List<String> input, List<Row> rows, long total, long trainable) {

    public ModelSummary {
        input = List.copyOf(input);
        rows = List.copyOf(rows);
    }

    /**
     * @param name        the vertex name
     * @param type        the DL4J layer or vertex type; {@code Frozen(...)} for frozen layers
     * @param outputShape e.g. {@code (None, 256, 56, 56)}, or {@code ?} if the input types are unknown
     * @param params      all parameters of the vertex
     * @param trainable   parameters that training updates
     * @param inputs      the vertices feeding this one
     */
    public record Row(String name, String type, String outputShape, long params, long trainable, List<String> inputs) {
        public boolean isTrainable() {
            return trainable > 0;
        }
    }

    public long nonTrainable() {
        return total - trainable;
    }

    /** The summary of a backbone, with output shapes for its input size. */
    public static ModelSummary of(Backbone backbone) {
        InputShape s = backbone.input();
        return of(backbone.graph(), InputType.convolutional(s.height(), s.width(), s.channels()));
    }

    /** The summary of {@code graph}; pass one input type per graph input to get output shapes. */
    public static ModelSummary of(ComputationGraph graph, InputType... inputTypes) {
        Map<String, InputType> types = Map.of();
        if (inputTypes.length == graph.getConfiguration().getNetworkInputs().size()) {
            types = graph.getConfiguration().getLayerActivationTypes(inputTypes);
        }
        List<String> inputs = new ArrayList<>();
        List<String> names = graph.getConfiguration().getNetworkInputs();
        for (int i = 0; i < names.size(); i++) {
            inputs.add(names.get(i) + " " + (i < inputTypes.length ? shape(inputTypes[i]) : "?"));
        }
        List<Row> rows = new ArrayList<>();
        long total = 0;
        long trainable = 0;
        Map<String, List<String>> vertexInputs = graph.getConfiguration().getVertexInputs();
        for (String name : Groups.topologicalNames(graph)) {
            GraphVertex v = graph.getVertex(name);
            long params = v.numParams();
            long train = trainableParams(graph, name, params);
            InputType t = types.get(name);
            rows.add(new Row(name, type(graph, name), t == null ? "?" : shape(t), params, train,
                    vertexInputs.getOrDefault(name, List.of())));
            total += params;
            trainable += train;
        }
        return new ModelSummary(inputs, rows, total, trainable);
    }

    private static String type(ComputationGraph graph, String name) {
        var conf = graph.getConfiguration().getVertices().get(name);
        if (conf instanceof LayerVertex lv) {
            Layer layer = lv.getLayerConf().getLayer();
            if (layer instanceof FrozenLayer f) {
                return "Frozen(" + f.getLayer().getClass().getSimpleName() + ")";
            }
            if (layer instanceof FrozenLayerWithBackprop f) {
                return "Frozen(" + f.getUnderlying().getClass().getSimpleName() + ")";
            }
            return layer.getClass().getSimpleName();
        }
        return conf.getClass().getSimpleName();
    }

    private static long trainableParams(ComputationGraph graph, String name, long params) {
        if (params == 0) {
            return 0;
        }
        var conf = graph.getConfiguration().getVertices().get(name);
        if (!(conf instanceof LayerVertex lv)) {
            return params;
        }
        Layer layer = lv.getLayerConf().getLayer();
        if (layer instanceof FrozenLayer || layer instanceof FrozenLayerWithBackprop) {
            return 0;
        }
        if (layer instanceof BatchNormalization) {
            // gamma and beta train (unless locked); the running mean and variance are statistics
            var table = graph.getLayer(name).paramTable();
            long stats = 0;
            for (String k : List.of("mean", "var", "log10stdev")) {
                if (table.containsKey(k)) {
                    stats += table.get(k).length();
                }
            }
            return ((BatchNormalization) layer).isLockGammaBeta() ? 0 : params - stats;
        }
        return params;
    }

    static String shape(InputType t) {
        long[] s = t.getShape(false);
        return "(None, " + Arrays.stream(s).mapToObj(Long::toString).collect(Collectors.joining(", ")) + ")";
    }

    /** The Keras-like table. */
    @Override
    public String toString() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"Layer (type)", "Output shape", "Param #", "Trainable"});
        for (Row r : rows) {
            cells.add(new String[] {r.name() + " (" + r.type() + ")", r.outputShape(), String.format("%,d", r.params()),
                    r.params() == 0 ? "-" : r.trainable() == r.params() ? "Y" : r.trainable() == 0 ? "N" : "partly"});
        }
        int[] width = new int[4];
        for (String[] c : cells) {
            for (int i = 0; i < 4; i++) {
                width[i] = Math.max(width[i], c[i].length());
            }
        }
        int lineWidth = width[0] + width[1] + width[2] + width[3] + 6;
        StringBuilder sb = new StringBuilder();
        if (!input.isEmpty()) {
            sb.append("Input: ").append(String.join(", ", input)).append('\n');
        }
        String thick = "=".repeat(lineWidth) + "\n";
        sb.append(thick);
        for (int k = 0; k < cells.size(); k++) {
            String[] c = cells.get(k);
            sb.append(pad(c[0], width[0])).append("  ").append(pad(c[1], width[1])).append("  ")
                    .append(padLeft(c[2], width[2])).append("  ").append(pad(c[3], width[3])).append('\n');
            if (k == 0) {
                sb.append(thick);
            }
        }
        sb.append(thick);
        sb.append(String.format("Total params: %,d%n", total));
        sb.append(String.format("Trainable params: %,d%n", trainable));
        sb.append(String.format("Non-trainable params: %,d%n", nonTrainable()));
        return sb.toString();
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(Math.max(0, w - s.length())) + s;
    }
}
