package io.transfer4j.zoo;

import java.util.List;
import java.util.stream.Collectors;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A loaded backbone: the spec, an initialised DL4J graph whose vertex names are the Keras names used by the
 * catalogue, the input size it was built for, where its weights came from, and its layer groups resolved
 * against the graph's real layer names.
 */
public record Backbone(BackboneSpec spec, ComputationGraph graph, InputShape input, WeightsOrigin weights,
                       List<LayerGroup> groups) {

    public Backbone {
        groups = List.copyOf(groups);
    }

    /**
     * Where the weights came from.
     *
     * @param kind   {@code pretrained} or {@code random}
     * @param source e.g. the file or URL, or why weights are random
     * @param sha256 SHA-256 of the weights file, or empty for random weights
     */
    public record WeightsOrigin(String kind, String source, String sha256) {
        public static WeightsOrigin random(String why) {
            return new WeightsOrigin("random", why, "");
        }

        public boolean pretrained() {
            return "pretrained".equals(kind);
        }
    }

    public String id() {
        return spec.id();
    }

    public Normalization normalization() {
        return spec.normalization();
    }

    public LayerGroup group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("Unknown layer group '" + name + "' in " + spec.id() + "; groups: "
                        + groups.stream().map(LayerGroup::name).collect(Collectors.joining(", "))));
    }
}
