package io.transfer4j.zoo;

import java.util.List;

/**
 * A named, ordered group of layers used for gradual unfreezing (e.g. {@code block5} or {@code res5}).
 * Groups are listed from the input side to the output side; {@code layers} are real vertex names of the
 * loaded graph, in topological order.
 */
public record LayerGroup(String name, List<String> layers) {
    public LayerGroup {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a layer group needs a name");
        }
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("layer group '" + name + "' is empty");
        }
    }
}
