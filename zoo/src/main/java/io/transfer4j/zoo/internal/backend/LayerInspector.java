package io.transfer4j.zoo.internal.backend;

import io.transfer4j.zoo.HelperKind;
import io.transfer4j.zoo.LayerHelperStatus;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads which layers of a built DL4J network run on a layer helper. Uses the public {@code Layer.getHelper()}
 * and, for the fallback counter, the {@code helperCountFail} field that every helper-capable DL4J M2.1 layer has
 * (read reflectively; a missing field reads as 0 fallbacks rather than failing).
 */
public final class LayerInspector {

    static final String HELPER_FIELD = "helper";
    private static final String FALLBACK_FIELD = "helperCountFail";

    private LayerInspector() {
    }

    /** One named layer of a network, unwrapped from frozen wrappers. */
    record NamedLayer(String name, Layer layer, boolean frozen) {
    }

    /** Every helper-capable layer of a {@link ComputationGraph} or {@link MultiLayerNetwork}, in network order. */
    public static List<LayerHelperStatus> inspect(Model net) {
        List<LayerHelperStatus> out = new ArrayList<>();
        for (NamedLayer nl : layers(net)) {
            Optional<HelperKind> kind = HelperKind.of(nl.layer());
            if (kind.isEmpty()) {
                continue;
            }
            LayerHelper helper = nl.layer().getHelper();
            out.add(new LayerHelperStatus(nl.name(), kind.get(),
                    helper == null ? null : helper.getClass().getSimpleName(), fallbacks(nl.layer()), nl.frozen()));
        }
        return out;
    }

    static List<NamedLayer> layers(Model net) {
        List<NamedLayer> out = new ArrayList<>();
        if (net instanceof ComputationGraph cg) {
            if (cg.getVertices() == null) {
                throw new IllegalStateException("The ComputationGraph is not initialised: call init() before inspecting it.");
            }
            for (GraphVertex v : cg.getVertices()) {
                if (v.hasLayer()) {
                    add(out, v.getVertexName(), v.getLayer());
                }
            }
        } else if (net instanceof MultiLayerNetwork mln) {
            if (mln.getLayers() == null) {
                throw new IllegalStateException("The MultiLayerNetwork is not initialised: call init() before inspecting it.");
            }
            Layer[] ls = mln.getLayers();
            for (int i = 0; i < ls.length; i++) {
                String name = ls[i].conf().getLayer().getLayerName();
                add(out, name == null ? "layer" + i : name, ls[i]);
            }
        } else {
            throw new IllegalArgumentException("Expected a ComputationGraph or MultiLayerNetwork; received "
                    + (net == null ? "null" : net.getClass().getName()));
        }
        return out;
    }

    private static void add(List<NamedLayer> out, String name, Layer layer) {
        boolean frozen = false;
        Layer l = layer;
        while (l instanceof BaseWrapperLayer w) {
            frozen = true;
            l = w.getUnderlying();
        }
        out.add(new NamedLayer(name, l, frozen));
    }

    static int fallbacks(Layer layer) {
        Field f = findField(layer.getClass(), FALLBACK_FIELD);
        if (f == null) {
            return 0;
        }
        try {
            return f.getInt(layer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot read " + FALLBACK_FIELD + " of " + layer.getClass().getName(), e);
        }
    }

    /** The declared field {@code name} of {@code type} or a superclass, made accessible; null if absent. */
    static Field findField(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // keep looking in the superclass
            }
        }
        return null;
    }
}
