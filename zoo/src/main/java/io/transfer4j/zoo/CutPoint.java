package io.transfer4j.zoo;

/**
 * A place where a backbone can be cut to serve as a feature extractor.
 *
 * @param name     the layer (vertex) name in the loaded graph, e.g. {@code flatten_1} or {@code block5_pool}
 * @param kind     whether the output there is a flat vector or a spatial feature map
 * @param features the number of features (vector length or feature-map channels)
 */
public record CutPoint(String name, Kind kind, int features) {
    public enum Kind { VECTOR, FEATURE_MAP }

    public CutPoint {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a cut point needs a layer name");
        }
        if (kind == null) {
            throw new IllegalArgumentException("cut point '" + name + "' needs a kind (VECTOR or FEATURE_MAP)");
        }
        if (features < 1) {
            throw new IllegalArgumentException("cut point '" + name + "' needs features >= 1; received " + features);
        }
    }
}
