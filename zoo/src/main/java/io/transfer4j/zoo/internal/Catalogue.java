package io.transfer4j.zoo.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.internal.Names;

/**
 * The catalogue file: a JSON document {@code {"formatVersion": 1, "backbones": [BackboneSpec...]}} read with
 * Jackson and checked against the architectures (every group name must exist in the architecture).
 */
public final class Catalogue {
    public static final int FORMAT_VERSION = 1;
    /** The catalogue that ships with the zoo. */
    public static final String BUILT_IN = "/io/transfer4j/zoo/catalogue.json";

    private final Map<String, BackboneSpec> specs;
    private final String origin;

    private Catalogue(Map<String, BackboneSpec> specs, String origin) {
        this.specs = specs;
        this.origin = origin;
    }

    record Document(int formatVersion, List<BackboneSpec> backbones) {
    }

    public static Catalogue builtIn() {
        return read(Catalogue.class.getResource(BUILT_IN));
    }

    public static Catalogue read(URL url) {
        if (url == null) {
            throw new IllegalStateException("catalogue resource " + BUILT_IN + " is missing from the class path");
        }
        ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        Document doc;
        try (InputStream in = url.openStream()) {
            doc = mapper.readValue(in, Document.class);
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException("catalogue " + url + " is not valid: " + e.getOriginalMessage()
                    + " at " + e.getPathReference(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read catalogue " + url + ": " + e.getMessage(), e);
        }
        return of(doc, url.toString());
    }

    static Catalogue of(Document doc, String origin) {
        if (doc.formatVersion() != FORMAT_VERSION) {
            throw new IllegalArgumentException("catalogue " + origin + " has formatVersion " + doc.formatVersion()
                    + "; this version of transfer4j reads " + FORMAT_VERSION);
        }
        if (doc.backbones() == null || doc.backbones().isEmpty()) {
            throw new IllegalArgumentException("catalogue " + origin + " lists no backbones");
        }
        Map<String, BackboneSpec> specs = new LinkedHashMap<>();
        for (BackboneSpec spec : doc.backbones()) {
            if (specs.put(spec.id(), spec) != null) {
                throw new IllegalArgumentException("catalogue " + origin + " lists '" + spec.id() + "' twice");
            }
            checkAgainstArchitecture(spec, origin);
        }
        return new Catalogue(java.util.Collections.unmodifiableMap(specs), origin);
    }

    private static void checkAgainstArchitecture(BackboneSpec spec, String origin) {
        NetworkBlueprint blueprint = NetworkBlueprint.of(spec.architecture());
        Set<String> known = blueprint.groupRules().stream().map(NetworkBlueprint.GroupRule::name)
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        Set<String> seen = new HashSet<>();
        for (String g : spec.groupNames()) {
            if (!known.contains(g)) {
                throw new IllegalArgumentException("catalogue " + origin + ": backbone '" + spec.id()
                        + "' names group '" + g + "', which " + spec.architecture() + " does not have; groups: "
                        + String.join(", ", known) + "." + Names.didYouMean(g, known));
            }
            if (!seen.add(g)) {
                throw new IllegalArgumentException("catalogue " + origin + ": backbone '" + spec.id()
                        + "' lists group '" + g + "' twice");
            }
        }
        if (spec.minInputSize() < blueprint.minInputSize()) {
            throw new IllegalArgumentException("catalogue " + origin + ": backbone '" + spec.id() + "' has"
                    + " minInputSize " + spec.minInputSize() + " but " + spec.architecture() + " needs at least "
                    + blueprint.minInputSize());
        }
    }

    public List<BackboneSpec> specs() {
        return List.copyOf(specs.values());
    }

    public String origin() {
        return origin;
    }

    /** The spec for {@code id}; unknown ids get the valid ids and the nearest one. */
    public BackboneSpec spec(String id) {
        BackboneSpec spec = specs.get(id);
        if (spec == null) {
            throw new IllegalArgumentException("Unknown backbone '" + id + "'; valid ids: "
                    + String.join(", ", specs.keySet()) + "." + Names.didYouMean(id, specs.keySet()));
        }
        return spec;
    }
}
