package io.transfer4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import io.transfer4j.augmentation.DataSplit;

/**
 * One training or validation image for {@link SparkFineTuner}: its path (a Hadoop URI or a local path that every
 * executor can read) and its class index.
 */
public record LabelledImage(String path, int label) implements Serializable {

    public LabelledImage {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("an image needs a path");
        }
        if (label < 0) {
            throw new IllegalArgumentException("label index must be >= 0; received " + label + " for " + path);
        }
    }

    /** The images of one part of a split, labelled by the split's class order (the model's label order). */
    public static List<LabelledImage> of(DataSplit split, DataSplit.Part part) {
        List<LabelledImage> out = new ArrayList<>();
        for (DataSplit.Item item : split.items(part)) {
            out.add(new LabelledImage(split.root().resolve(item.file()).toString(),
                    split.classes().indexOf(item.label())));
        }
        return out;
    }
}
