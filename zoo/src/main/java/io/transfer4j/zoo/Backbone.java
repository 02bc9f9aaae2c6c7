package io.transfer4j.zoo;

import java.util.List;
import java.util.stream.Collectors;

import org.deeplearning4j.nn.graph.ComputationGraph;

import io.transfer4j.internal.Names;

/**
 * A loaded backbone: the spec, an initialised DL4J graph whose vertex names are the Keras names used by the
 * catalogue, the input size it was built for, where its weights came from, and its layer groups resolved
 * against the graph's real layer names.
 */
public record Backbone(BackboneSpec spec, ComputationGraph graph, InputShape input, WeightsOrigin weights,
                       List<LayerGroup> groups) {

    public Backbone {
        if (spec == null || graph == null || input == null || weights == null) {
            throw new IllegalArgumentException("a backbone needs a spec, a graph, an input shape and a weights origin");
        }
        groups = List.copyOf(groups);
    }

    /**
     * Where the weights came from.
     *
     * @param kind   {@code pretrained}, {@code random} (asked for), or {@code random-fallback} (pretrained weights
     *               were wanted but could not be had, see {@link Zoo#loadOrRandom})
     * @param source e.g. the file or URL, or why weights are random
     * @param sha256 SHA-256 of the weights file (of the body's parameters for a body taken from a model trained
     *               here, core's {@code TransferModel.asBackbone}), or empty for random weights
     */
    public record WeightsOrigin(String kind, String source, String sha256) {
        public static WeightsOrigin random(String why) {
            return new WeightsOrigin("random", why, "");
        }

        /** Random weights standing in for pretrained ones that could not be had; {@code cause} says why. */
        public static WeightsOrigin fallback(String cause) {
            return new WeightsOrigin("random-fallback", cause, "");
        }

        public boolean pretrained() {
            return "pretrained".equals(kind);
        }

        /** Whether these are random weights standing in for pretrained ones that could not be had. */
        public boolean fallback() {
            return "random-fallback".equals(kind);
        }
    }

    public String id() {
        return spec.id();
    }

    /**
     * Refuses to train from random weights standing in for pretrained ones that could not be had
     * ({@link Zoo#loadOrRandom}) unless the caller asked for it: from random initialisation small data reaches
     * about chance accuracy. The one check behind the builders of {@code FineTuner} and {@code SparkFineTuner}
     * (which know a model's backbone by id and {@link WeightsOrigin}). Weights from {@code zoo.random(...)} were
     * asked for and pass.
     *
     * @param id         the backbone's id, e.g. resnet50
     * @param weights    where its weights came from
     * @param allowed    whether random stand-in weights were allowed (e.g. {@code allowRandomWeights()})
     * @param howToAllow how the caller allows them, for the message, e.g. "call .allowRandomWeights() on this builder"
     * @throws IllegalArgumentException naming the cause, how to install the weights and how to train from random
     *                                  initialisation on purpose
     */
    public static void requireRealWeights(String id, WeightsOrigin weights, boolean allowed, String howToAllow) {
        if (!weights.fallback() || allowed) {
            return;
        }
        throw new IllegalArgumentException("refusing to fine-tune " + id + " from random initialisation: its"
                + " pretrained weights could not be had, and from random weights small data reaches about "
                + "chance accuracy. Cause: " + weights.source() + "\nTo fix it: install the weights ("
                + "`transfer4j models download " + id + "` on a connected machine, or `"
                + WeightsUnavailableException.installHint(id) + "`) and load them with "
                + "zoo.load(...); or train from random initialisation on purpose: build the backbone with "
                + "zoo.random(...) or " + howToAllow + ".");
    }

    public Normalization normalization() {
        return spec.normalization();
    }

    /** The spec's cut points that exist in this graph (e.g. vgg16's {@code fc2} only with the top, at 224 px). */
    public List<CutPoint> cutPoints() {
        return spec.cutPoints().stream().filter(c -> graph.getVertex(c.name()) != null).toList();
    }

    /**
     * This graph's vertex name for {@code name}, which may also be a tf.keras layer name that maps one to one
     * (ResNet50's {@code conv5_block3_out} is {@code res5c_relu}; VGG16's names are tf.keras' already). Unknown
     * names come back unchanged, for the caller's "unknown layer" message.
     */
    public String layerName(String name) {
        if (name == null || graph.getVertex(name) != null) {
            return name;
        }
        String mapped = spec.architecture().vertexName(name);
        return graph.getVertex(mapped) != null ? mapped : name;
    }

    /** The first of the spec's cut points present in this graph. */
    public CutPoint defaultCut() {
        return cutPoints().get(0);
    }

    /** A cut point by name; unknown or absent names get the available ones, the nearest, and why. */
    public CutPoint cutPoint(String alias) {
        String name = layerName(alias);
        List<CutPoint> available = cutPoints();
        for (CutPoint c : available) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        List<String> names = available.stream().map(CutPoint::name).toList();
        boolean inSpec = spec.cutPoints().stream().anyMatch(c -> c.name().equals(name));
        String why = inSpec ? " '" + name + "' exists only with the classifier top, which is built only at the"
                + " weights' own input " + spec.defaultInput() + "; this backbone was built for " + input + "."
                : Names.didYouMean(name, names);
        throw new IllegalArgumentException("Unknown cut point '" + name + "' for " + spec.id() + " at " + input
                + "; available: " + String.join(", ", names) + "." + why);
    }

    /** Whether the graph includes the ImageNet classifier layers. */
    public boolean hasTop() {
        return io.transfer4j.zoo.internal.NetworkBlueprint.of(spec.architecture()).topLayers().stream()
                .anyMatch(n -> graph.getVertex(n) != null);
    }

    /**
     * The body's group nearest the output (e.g. {@code res5}, {@code block5}): what fine-tuning usually unfreezes
     * first, as in {@code FineTunePlan.kerasRecipe(backbone.lastGroup().name(), 5, 3)}. The ImageNet classifier's
     * group ({@code fc}, present when the graph was built with its top) lies past every cut point, where the new
     * head replaces it, so it is never the answer.
     */
    public LayerGroup lastGroup() {
        List<String> top = io.transfer4j.zoo.internal.NetworkBlueprint.of(spec.architecture()).topLayers();
        for (int i = groups.size() - 1; i >= 0; i--) {
            if (!top.containsAll(groups.get(i).layers())) {
                return groups.get(i);
            }
        }
        throw new IllegalStateException(spec.id() + " has no layer groups in its body; groups: "
                + groups.stream().map(LayerGroup::name).collect(Collectors.joining(", "))
                + ". Name a layer instead.");
    }

    public LayerGroup group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("Unknown layer group '" + name + "' in " + spec.id() + "; groups: "
                        + groups.stream().map(LayerGroup::name).collect(Collectors.joining(", "))));
    }
}
