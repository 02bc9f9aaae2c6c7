package io.transfer4j.zoo.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;

import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.LayerGroup;

/** Resolves a spec's layer groups against the vertex names of a real graph. */
public final class Groups {
    private Groups() {
    }

    /**
     * Vertex names of {@code graph}, inputs excluded, in the order they were defined when that order is a
     * topological one (as in Keras' summaries: a block's main path, then its shortcut), else in DL4J's
     * topological order.
     */
    public static List<String> topologicalNames(ComputationGraph graph) {
        var conf = graph.getConfiguration();
        java.util.Set<String> seen = new java.util.HashSet<>(conf.getNetworkInputs());
        List<String> defined = new ArrayList<>();
        for (String name : conf.getVertices().keySet()) {
            List<String> inputs = conf.getVertexInputs().getOrDefault(name, List.of());
            if (!seen.containsAll(inputs)) {
                return dl4jTopologicalNames(graph);
            }
            seen.add(name);
            defined.add(name);
        }
        return defined;
    }

    private static List<String> dl4jTopologicalNames(ComputationGraph graph) {
        GraphVertex[] vertices = graph.getVertices();
        List<String> names = new ArrayList<>();
        for (int i : graph.topologicalSortOrder()) {
            if (!vertices[i].isInputVertex()) {
                names.add(vertices[i].getVertexName());
            }
        }
        return names;
    }

    /**
     * The spec's groups with the graph's vertices in each, in topological order. Groups with no vertex in this
     * graph (e.g. {@code fc} without the top) are left out; every layer with parameters must fall in a group
     * listed by the spec, or the graph does not follow the architecture's conventions.
     */
    public static List<LayerGroup> resolve(BackboneSpec spec, ComputationGraph graph) {
        NetworkBlueprint blueprint = NetworkBlueprint.of(spec.architecture());
        Map<String, List<String>> members = new LinkedHashMap<>();
        spec.groupNames().forEach(g -> members.put(g, new ArrayList<>()));
        List<String> orphans = new ArrayList<>();
        for (String name : topologicalNames(graph)) {
            String group = blueprint.groupRules().stream().filter(r -> r.matches().test(name))
                    .map(NetworkBlueprint.GroupRule::name).findFirst().orElse(null);
            if (group != null && members.containsKey(group)) {
                members.get(group).add(name);
            } else if (graph.getVertex(name).numParams() > 0) {
                orphans.add(name);
            }
        }
        if (!orphans.isEmpty()) {
            throw new IllegalStateException("graph for " + spec.id() + " has layers with weights that belong to no"
                    + " group of " + spec.groupNames() + ": " + orphans);
        }
        List<LayerGroup> groups = new ArrayList<>();
        members.forEach((name, layers) -> {
            if (!layers.isEmpty()) {
                groups.add(new LayerGroup(name, layers));
            }
        });
        return groups;
    }
}
