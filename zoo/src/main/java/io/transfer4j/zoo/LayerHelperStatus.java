package io.transfer4j.zoo;

import java.util.Objects;

/**
 * Whether one layer of a built network runs on an accelerated layer helper.
 *
 * @param layer        the layer (vertex) name in its network
 * @param kind         the kind of layer
 * @param helperClass  the helper's simple class name (e.g. {@code MKLDNNConvHelper}), or {@code null} when the
 *                     layer uses DL4J's built-in Java implementation
 * @param fallbacks    how many times the helper failed at run time and DL4J fell back to its built-in
 *                     implementation (DL4J then stops using the helper for that layer)
 * @param frozen       whether the layer sits inside a frozen wrapper
 */
public record LayerHelperStatus(String layer, HelperKind kind, String helperClass, int fallbacks, boolean frozen) {

    public LayerHelperStatus {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(kind, "kind");
        if (fallbacks < 0) {
            throw new IllegalArgumentException("fallbacks must be >= 0; received " + fallbacks);
        }
    }

    /** A helper is attached and has never failed. */
    public boolean active() {
        return helperClass != null && fallbacks == 0;
    }

    @Override
    public String toString() {
        String state = helperClass == null ? "built-in (no helper)"
                : fallbacks == 0 ? helperClass : helperClass + " FAILED " + fallbacks + "x, fell back to built-in";
        return layer + " [" + kind.label() + (frozen ? ", frozen" : "") + "]: " + state;
    }
}
