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
 * @param cutPoints     where the network can be cut; the first is the default and works at every input size
 * @param groupNames    names of the layer groups for gradual unfreezing, input side first
 */
public record BackboneSpec(String id, Architecture architecture, String description, List<WeightSource> weights,
                           InputShape defaultInput, int minInputSize, Normalization normalization,
                           List<CutPoint> cutPoints, List<String> groupNames) {
    public BackboneSpec {
        weights = List.copyOf(weights);
        cutPoints = List.copyOf(cutPoints);
        groupNames = List.copyOf(groupNames);
        if (id == null || !id.matches("[a-z0-9][a-z0-9_.-]*")) {
            throw new IllegalArgumentException("backbone id must be lower-case letters, digits, '_', '.' or '-';"
                    + " received '" + id + "'");
        }
        if (architecture == null || defaultInput == null || normalization == null) {
            throw new IllegalArgumentException("backbone '" + id + "' needs an architecture, a default input and"
                    + " a normalization");
        }
        if (cutPoints.isEmpty()) {
            throw new IllegalArgumentException("backbone '" + id + "' needs at least one cut point");
        }
        if (minInputSize < 1 || minInputSize > Math.min(defaultInput.height(), defaultInput.width())) {
            throw new IllegalArgumentException("backbone '" + id + "': minInputSize must be in [1, "
                    + Math.min(defaultInput.height(), defaultInput.width()) + "]; received " + minInputSize);
        }
        description = description == null ? "" : description;
    }

    /**
     * Checks that this backbone can take {@code input}: at least {@code minInputSize} pixels high and wide and,
     * for pretrained weights, the channel count they were trained with.
     *
     * @throws IllegalArgumentException saying what was received and what is allowed
     */
    public InputShape checkInput(InputShape input, boolean pretrained) {
        if (input == null) {
            throw new IllegalArgumentException("an input shape is required for " + id + ", e.g. " + defaultInput);
        }
        if (input.height() < minInputSize || input.width() < minInputSize) {
            throw new IllegalArgumentException(id + " needs inputs of at least " + minInputSize + "x" + minInputSize
                    + " pixels; received " + input.height() + "x" + input.width() + " (channels x height x width "
                    + input + "). Resize images to at least " + minInputSize + " px, e.g. " + defaultInput + ".");
        }
        if (pretrained && input.channels() != defaultInput.channels()) {
            throw new IllegalArgumentException(id + "'s pretrained weights take " + defaultInput.channels()
                    + "-channel input; received " + input.channels() + " channels (" + input + "). Convert gray"
                    + " images to " + defaultInput.channels() + " channels (the image pipeline's colour mode does"
                    + " this), or use random weights.");
        }
        return input;
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
