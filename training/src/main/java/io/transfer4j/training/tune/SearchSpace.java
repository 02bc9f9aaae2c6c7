package io.transfer4j.training.tune;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.internal.Names;

/**
 * What a search may vary: named {@link Param}s, in order. Names are the keys of {@code transfer4j fit}'s config
 * where one exists, so a trial's values are a fit config (see {@link TrialParams}):
 *
 * <table>
 * <caption>parameters</caption>
 * <tr><th>name</th><th>values</th></tr>
 * <tr><td>headLearningRate, fineTuneLearningRate</td><td>number &gt; 0 (search them on a log scale)</td></tr>
 * <tr><td>bodyLrMultiplier</td><td>number &gt; 0: the unfrozen body's rate as a multiple of the fine-tune rate
 * (the head keeps 1)</td></tr>
 * <tr><td>batchSize</td><td>integer &gt;= 1</td></tr>
 * <tr><td>headEpochs, patience</td><td>integer &gt;= 1</td></tr>
 * <tr><td>fineTuneEpochs</td><td>integer &gt;= 0</td></tr>
 * <tr><td>dropout</td><td>number in [0, 1)</td></tr>
 * <tr><td>dense</td><td>the head's hidden layers: a width (0 = none) or a list such as [256, 64]</td></tr>
 * <tr><td>unfreeze</td><td>{@code none}, {@code last} or a layer group of the backbone (res5, res4, block5, ...)</td></tr>
 * <tr><td>optimizer</td><td>adam, adamW, sgd (Nesterov momentum 0.9), rmsProp</td></tr>
 * <tr><td>classWeights</td><td>none, balanced</td></tr>
 * <tr><td>augment</td><td>true, false</td></tr>
 * <tr><td>augmentStrength</td><td>number in [0, 1]: scales the Keras-style transforms (0 = none)</td></tr>
 * <tr><td>pooling</td><td>avg, max</td></tr>
 * </table>
 *
 * <p>Read and written as JSON or YAML ({@link #fromText}, {@link #toYaml}):
 * <pre>{@code
 * params:
 *   headLearningRate: {type: logUniform, min: 1.0e-4, max: 1.0e-2}
 *   dropout: {type: uniform, min: 0.0, max: 0.5}
 *   headEpochs: {type: int, min: 2, max: 6}
 *   dense: {type: choice, values: [[128], [256]]}
 *   unfreeze: {type: choice, values: [none, res5]}
 *   batchSize: 16            # a bare value fixes a parameter
 * }</pre>
 * Every value is checked when the space is built (min &gt; max, log scale with a bound &lt;= 0, an empty choice, an
 * unknown name or a value a parameter does not allow); layer groups are checked against a backbone with
 * {@link #checkGroups}.
 */
public final class SearchSpace {
    /** The parameters a space may name, and what each allows. */
    public static final List<String> KNOWN = List.of("headLearningRate", "fineTuneLearningRate", "bodyLrMultiplier",
            "batchSize", "headEpochs", "fineTuneEpochs", "patience", "dropout", "dense", "unfreeze", "optimizer",
            "classWeights", "augment", "augmentStrength", "pooling");
    /** Parameters that take whole numbers only. */
    static final List<String> INTEGERS = List.of("batchSize", "headEpochs", "fineTuneEpochs", "patience");
    public static final List<String> OPTIMIZERS = List.of("adam", "adamW", "sgd", "rmsProp");
    public static final List<String> CLASS_WEIGHTS = List.of("none", "balanced");
    public static final List<String> POOLINGS = List.of("avg", "max");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private final Map<String, Param> params;

    private SearchSpace(Map<String, Param> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("the search space is empty: name at least one parameter to search ("
                    + String.join(", ", KNOWN) + "), or start from SearchSpace.defaults(backbone)");
        }
        params.forEach(SearchSpace::checkValues);
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A sensible transfer-learning space for a backbone with these layer groups (input side first): head rate
     * 1e-4..1e-2 (log), dropout 0..0.5 after one dense layer of 128 or 256, batch 16 or 32, 3..8 head epochs,
     * patience 3, unfreeze none or the last group, fine-tune rate 1e-5..1e-3 (log) for 5 epochs, body multiplier
     * 0.1..1 (log), Adam or AdamW, class weights none or balanced, no augmentation (so every head-only trial and
     * the first phase of every fine-tuning trial train on one shared feature cache).
     */
    public static SearchSpace defaults(List<String> groups) {
        List<String> usable = groups.stream().filter(g -> !g.equals("fc")).toList();
        Builder b = builder()
                .logUniform("headLearningRate", 1e-4, 1e-2)
                .uniform("dropout", 0.0, 0.5)
                .choice("dense", List.of(128), List.of(256))
                .choice("batchSize", 16, 32)
                .intRange("headEpochs", 3, 8)
                .choice("patience", 3)
                .param("unfreeze", new Param.Choice(usable.isEmpty() ? List.of("none")
                        : List.of("none", usable.get(usable.size() - 1))))
                .logUniform("fineTuneLearningRate", 1e-5, 1e-3)
                .choice("fineTuneEpochs", 5)
                .logUniform("bodyLrMultiplier", 0.1, 1.0)
                .choice("optimizer", "adam", "adamW")
                .choice("classWeights", "none", "balanced")
                .choice("augment", false);
        return b.build();
    }

    /** {@link #defaults(List)} for a backbone from the catalogue. */
    public static SearchSpace defaults(BackboneSpec backbone) {
        return defaults(backbone.groupNames());
    }

    /** The parameters in order. */
    public Map<String, Param> params() {
        return params;
    }

    /**
     * Checks every {@code unfreeze} value against the backbone's layer groups.
     *
     * @throws IllegalArgumentException naming the unknown group, the valid ones and the nearest
     */
    public SearchSpace checkGroups(String backboneId, List<String> groups) {
        Param p = params.get("unfreeze");
        if (p == null) {
            return this;
        }
        List<String> allowed = new ArrayList<>(groups);
        allowed.add("none");
        allowed.add("last");
        for (Object v : p.grid()) {
            String s = String.valueOf(v);
            if (!allowed.contains(s)) {
                throw new IllegalArgumentException("search space 'unfreeze' names layer group '" + s + "', which "
                        + backboneId + " does not have; allowed: " + String.join(", ", allowed) + "."
                        + Names.didYouMean(s, allowed));
            }
        }
        return this;
    }

    /** The number of points of the full grid (product of every parameter's grid size; saturates at MAX_VALUE). */
    public long gridSize() {
        long n = 1;
        for (Param p : params.values()) {
            try {
                n = Math.multiplyExact(n, p.grid().size());
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return n;
    }

    /** Grid point {@code index} (0-based; the last parameter varies fastest). */
    public TrialParams gridPoint(long index) {
        if (index < 0 || index >= gridSize()) {
            throw new IndexOutOfBoundsException("grid point " + index + " of " + gridSize());
        }
        List<String> names = new ArrayList<>(params.keySet());
        Object[] values = new Object[names.size()];
        long rest = index;
        for (int i = names.size() - 1; i >= 0; i--) {
            List<Object> g = params.get(names.get(i)).grid();
            values[i] = g.get((int) (rest % g.size()));
            rest /= g.size();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), values[i]);
        }
        return new TrialParams(m);
    }

    /** A random point drawn from {@code rng}, parameter by parameter in order. */
    public TrialParams sample(Random rng) {
        Map<String, Object> m = new LinkedHashMap<>();
        params.forEach((k, p) -> m.put(k, p.sample(rng)));
        return new TrialParams(m);
    }

    /** The JSON form ({@code {"params": {name: {type, ...}}}}), read back by {@link #fromText}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(tree());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The YAML form, for a user to edit. */
    public String toYaml() {
        try {
            return YAML.writeValueAsString(tree());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A hash of the JSON form: two spaces with the same parameters have the same fingerprint. */
    public String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(tree()));
            return HexFormat.of().formatHex(d).substring(0, 16);
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> tree() {
        Map<String, Object> ps = new LinkedHashMap<>();
        params.forEach((k, p) -> ps.put(k, p.describe()));
        return Map.of("params", ps);
    }

    /**
     * Reads a space from JSON or YAML text (JSON is YAML). Each parameter is {@code {type: uniform|logUniform|int|
     * choice, ...}} or a bare value (a one-value choice).
     *
     * @param source named in error messages (e.g. the file name)
     */
    public static SearchSpace fromText(String text, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("could not read the search space " + source + ": "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + "; expected YAML or JSON like 'params: {headLearningRate: {type: "
                    + "logUniform, min: 1.0e-4, max: 1.0e-2}}'", e);
        }
        if (root == null || !root.isObject() || !root.has("params") || !root.get("params").isObject()) {
            throw new IllegalArgumentException("the search space " + source + " needs a 'params' map of parameter "
                    + "name -> range; received " + (root == null ? "nothing" : root.toString()));
        }
        Iterator<String> top = root.fieldNames();
        while (top.hasNext()) {
            String k = top.next();
            if (!k.equals("params")) {
                throw new IllegalArgumentException("the search space " + source + " has an unknown key '" + k
                        + "'; the only key is 'params'");
            }
        }
        Builder b = builder();
        var fields = root.get("params").fields();
        while (fields.hasNext()) {
            var e = fields.next();
            try {
                b.param(e.getKey(), parse(e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("search space " + source + ", parameter '" + e.getKey() + "': "
                        + ex.getMessage(), ex);
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("search space " + source + ": " + ex.getMessage(), ex);
        }
    }

    private static Param parse(JsonNode n) {
        if (!n.isObject()) {
            return new Param.Choice(List.of(value(n)));
        }
        ObjectNode o = (ObjectNode) n;
        String type = o.path("type").asText("");
        List<String> allowedKeys = switch (type) {
            case "uniform", "logUniform" -> List.of("type", "min", "max", "gridPoints");
            case "int" -> List.of("type", "min", "max", "step");
            case "choice" -> List.of("type", "values");
            default -> throw new IllegalArgumentException("unknown type '" + type + "'; allowed: uniform, "
                    + "logUniform, int, choice." + Names.didYouMean(type, List.of("uniform", "logUniform", "int",
                    "choice")));
        };
        o.fieldNames().forEachRemaining(k -> {
            if (!allowedKeys.contains(k)) {
                throw new IllegalArgumentException("unknown key '" + k + "' for type " + type + "; allowed: "
                        + String.join(", ", allowedKeys));
            }
        });
        return switch (type) {
            case "uniform" -> new Param.Uniform(number(o, "min"), number(o, "max"), o.path("gridPoints").asInt(3));
            case "logUniform" -> new Param.LogUniform(number(o, "min"), number(o, "max"),
                    o.path("gridPoints").asInt(3));
            case "int" -> new Param.IntRange((int) number(o, "min"), (int) number(o, "max"), o.path("step").asInt(1));
            default -> {
                if (!o.path("values").isArray()) {
                    throw new IllegalArgumentException("choice needs 'values', a list; received "
                            + o.path("values"));
                }
                List<Object> vs = new ArrayList<>();
                o.get("values").forEach(v -> vs.add(value(v)));
                yield new Param.Choice(vs);
            }
        };
    }

    private static double number(ObjectNode o, String key) {
        JsonNode v = o.get(key);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException("'" + key + "' must be a number; received " + (v == null ? "nothing"
                    : v.toString()));
        }
        return v.asDouble();
    }

    private static Object value(JsonNode v) {
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isIntegralNumber()) {
            return v.asInt();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isArray()) {
            List<Object> l = new ArrayList<>();
            v.forEach(x -> l.add(value(x)));
            return List.copyOf(l);
        }
        if (v.isTextual()) {
            return v.asText();
        }
        throw new IllegalArgumentException("a value must be a number, string, boolean or list; received " + v);
    }

    /** Checks a parameter's name and that every value it can take is allowed for that name. */
    private static void checkValues(String name, Param p) {
        if (!KNOWN.contains(name)) {
            throw new IllegalArgumentException("unknown parameter '" + name + "'; known: " + String.join(", ", KNOWN)
                    + "." + Names.didYouMean(name, KNOWN));
        }
        if (INTEGERS.contains(name) && (p instanceof Param.Uniform || p instanceof Param.LogUniform)) {
            throw new IllegalArgumentException("parameter '" + name + "' takes whole numbers; received a continuous "
                    + "range (" + p.describe().get("type") + "). Use type: int (min, max, step) or a choice");
        }
        List<Object> probe = new ArrayList<>(p.grid());
        if (p instanceof Param.Uniform u) {
            probe.add(u.max());
        } else if (p instanceof Param.LogUniform l) {
            probe.add(l.max());
        }
        for (Object v : probe) {
            String bad = TrialParams.check(name, v);
            if (bad != null) {
                throw new IllegalArgumentException("parameter '" + name + "' " + bad);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SearchSpace s && s.toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return toYaml();
    }

    /** Collects parameters in order; {@link #build()} checks them. */
    public static final class Builder {
        private final Map<String, Param> params = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder param(String name, Param p) {
            if (params.containsKey(name)) {
                throw new IllegalArgumentException("parameter '" + name + "' is given twice");
            }
            params.put(name, p);
            return this;
        }

        public Builder uniform(String name, double min, double max) {
            return param(name, () -> new Param.Uniform(min, max, 3));
        }

        public Builder logUniform(String name, double min, double max) {
            return param(name, () -> new Param.LogUniform(min, max, 3));
        }

        public Builder intRange(String name, int min, int max) {
            return param(name, () -> new Param.IntRange(min, max, 1));
        }

        public Builder choice(String name, Object... values) {
            return param(name, () -> new Param.Choice(List.of(values)));
        }

        private Builder param(String name, java.util.function.Supplier<Param> p) {
            try {
                return param(name, p.get());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("parameter '" + name + "': " + e.getMessage(), e);
            }
        }

        public SearchSpace build() {
            return new SearchSpace(params);
        }
    }
}
