package io.transfer4j.zoo.internal;

import java.util.List;
import java.util.function.Predicate;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

import io.transfer4j.zoo.Architecture;

/**
 * How one architecture is built and how its vertices fall into layer groups. Implementations build graphs
 * whose vertex names are the Keras names, so weights from every source load by name and cut points and groups
 * are the same whatever the weights' origin.
 */
public interface NetworkBlueprint {

    Architecture architecture();

    /** The smallest height and width the network accepts. */
    int minInputSize();

    /** The graph configuration; {@code top} adds the classifier layers the weights were trained with. */
    ComputationGraphConfiguration configuration(BuildOptions options);

    /** Group rules in input-to-output order; a vertex belongs to the first group whose rule matches its name. */
    List<GroupRule> groupRules();

    /** Names the classifier ("top") layers carry; they exist only in graphs built with {@code top}. */
    List<String> topLayers();

    /**
     * This graph's vertex name for {@code name} given in another naming scheme that maps one to one (e.g. tf.keras'
     * {@code conv5_block3_out} for ResNet50's {@code res5c_relu}); other names are returned unchanged.
     */
    default String vertexName(String name) {
        return name;
    }

    record GroupRule(String name, Predicate<String> matches) {
    }

    static NetworkBlueprint of(Architecture architecture) {
        return switch (architecture) {
            case VGG16 -> new Vgg16Blueprint();
            case RESNET50 -> new ResNet50Blueprint();
            case MOBILENETV2 -> new MobileNetV2Blueprint();
            case TINY -> new TinyBlueprint();
        };
    }
}
