package io.transfer4j.core;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Which part of a {@link TransferModel} trains; everything else is frozen (parameters and BatchNorm running
 * statistics never change). The head always trains.
 *
 * <p>"From" selections are positional: the named layer (or the first layer of the named group) and every
 * vertex after it in the backbone's topological order train, everything before it is frozen.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = LayerSelection.HeadOnly.class, name = "headOnly"),
        @JsonSubTypes.Type(value = LayerSelection.FromGroup.class, name = "fromGroup"),
        @JsonSubTypes.Type(value = LayerSelection.FromLayer.class, name = "fromLayer"),
        @JsonSubTypes.Type(value = LayerSelection.All.class, name = "all")})
public sealed interface LayerSelection {

    /** Only the head trains; the whole backbone is frozen (the usual first phase). */
    static LayerSelection headOnly() {
        return new HeadOnly();
    }

    /** The named layer group (e.g. {@code block5}, {@code res5}) and everything after it train. */
    static LayerSelection fromGroup(String group) {
        return new FromGroup(group);
    }

    /** The named layer and everything after it train. */
    static LayerSelection fromLayer(String layer) {
        return new FromLayer(layer);
    }

    /** Every layer trains. */
    static LayerSelection all() {
        return new All();
    }

    /** Short human form, e.g. {@code fromGroup(res5)}. */
    String describe();

    record HeadOnly() implements LayerSelection {
        @Override
        public String describe() {
            return "headOnly()";
        }
    }

    record FromGroup(String group) implements LayerSelection {
        public FromGroup {
            if (group == null || group.isBlank()) {
                throw new IllegalArgumentException("fromGroup needs a group name, e.g. 'res5'; received '" + group + "'");
            }
        }

        @Override
        public String describe() {
            return "fromGroup(" + group + ")";
        }
    }

    record FromLayer(String layer) implements LayerSelection {
        public FromLayer {
            if (layer == null || layer.isBlank()) {
                throw new IllegalArgumentException("fromLayer needs a layer name; received '" + layer + "'");
            }
        }

        @Override
        public String describe() {
            return "fromLayer(" + layer + ")";
        }
    }

    record All() implements LayerSelection {
        @Override
        public String describe() {
            return "all()";
        }
    }
}
