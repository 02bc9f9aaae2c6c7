package io.transfer4j.zoo;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A catalogue entry: everything needed to build, fetch, verify and feed one backbone.
 *
 * @param id            e.g. {@code vgg16}, {@code resnet50}
 * @param architecture  the network family
 * @param description   one line for {@code models list}
 * @param weights       where ImageNet weights can come from, preferred first
 * @param defaultInput  the input the weights were trained at (e.g. 3x224x224)
 * @param minInputSize  the smallest height/width the architecture accepts (VGG16/ResNet50: 32)
 * @param normalization the preprocessing the weights expect
 * @param cutPoints     where the network can be cut, nearest the output first
 * @param groupNames    names of the layer groups for gradual unfreezing, input side first
 */
public record BackboneSpec(String id, Architecture architecture, String description, List<WeightSource> weights,
                           InputShape defaultInput, int minInputSize, Normalization normalization,
                           List<CutPoint> cutPoints, List<String> groupNames) {
    public BackboneSpec {
        weights = List.copyOf(weights);
        cutPoints = List.copyOf(cutPoints);
        groupNames = List.copyOf(groupNames);
        if (cutPoints.isEmpty()) {
            throw new IllegalArgumentException("backbone '" + id + "' needs at least one cut point");
        }
    }

    /** The cut point used when the user names none: the first listed. */
    public CutPoint defaultCut() {
        return cutPoints.get(0);
    }

    public CutPoint cutPoint(String name) {
        return cutPoints.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("Unknown cut point '" + name + "' for " + id + "; valid: "
                        + cutPoints.stream().map(CutPoint::name).collect(Collectors.joining(", "))));
    }
}
