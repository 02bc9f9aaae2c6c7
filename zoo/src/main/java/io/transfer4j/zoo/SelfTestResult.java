package io.transfer4j.zoo;

import java.util.List;
import java.util.Set;

/**
 * The outcome of {@link Zoo#selfTest}: a known photo through a pretrained backbone and its ImageNet top.
 *
 * @param id        the backbone
 * @param image     what was classified (e.g. {@code chelsea_224.png (scikit-image, CC0)})
 * @param weights   where the weights came from
 * @param top5      the five most probable ImageNet classes, most probable first
 * @param expected  the classes of which one must be in the top 5
 * @param passed    whether one was
 */
public record SelfTestResult(String id, String image, String weights, List<Ranked> top5, Set<Integer> expected,
                             boolean passed) {
    public SelfTestResult {
        top5 = List.copyOf(top5);
        expected = Set.copyOf(expected);
    }

    /** One ImageNet class with its probability; {@code name} is known only for the classes a self-test uses. */
    public record Ranked(int index, String name, double probability) {
    }
}
