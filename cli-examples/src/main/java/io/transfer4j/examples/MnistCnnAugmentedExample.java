package io.transfer4j.examples;

import java.util.LinkedHashMap;
import java.util.Map;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.FillMode;
import io.transfer4j.augmentation.MnistFlow;
import io.transfer4j.cli.Transfer4j;
import io.transfer4j.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Example b: the same CNN as {@code mnist-cnn}, trained on randomly rotated, shifted and zoomed images, as the
 * Keras tutorials do with {@code ImageDataGenerator(rotation_range=..., width_shift_range=..., zoom_range=...)}.
 * The transforms are transfer4j's {@link AugmentOptions} (Keras's meaning and order of operations) applied by
 * {@link MnistFlow}; validation and test images are never augmented. No flips by default: a mirrored digit is
 * another symbol (the tutorials' {@code horizontal_flip=True} is meant for photos; for Fashion-MNIST pass
 * {@code --horizontal-flip}).
 *
 * <pre>./transfer4j example mnist-cnn-augmented --data ../shared/datasets/mnist --out runs/mnist-cnn-augmented</pre>
 */
@Command(name = "mnist-cnn-augmented", mixinStandardHelpOptions = true,
        description = {"Keras tutorial twin: the small CNN trained with ImageDataGenerator-style augmentation",
                "(rotation, shift, zoom; training images only). Writes history.csv, learning-curve.png, metrics.json."})
public final class MnistCnnAugmentedExample extends AbstractMnistExample {

    @Option(names = "--rotation-range", defaultValue = "10", paramLabel = "DEGREES",
            description = "Random rotation in [-D, D] degrees. Default: ${DEFAULT-VALUE}.")
    double rotationRange;

    @Option(names = "--width-shift-range", defaultValue = "0.1", paramLabel = "FRACTION",
            description = "Random horizontal shift, fraction of the width (Keras: >= 1 means pixels). Default: ${DEFAULT-VALUE}.")
    double widthShiftRange;

    @Option(names = "--height-shift-range", defaultValue = "0.1", paramLabel = "FRACTION",
            description = "Random vertical shift, fraction of the height. Default: ${DEFAULT-VALUE}.")
    double heightShiftRange;

    @Option(names = "--zoom-range", defaultValue = "0.1", paramLabel = "Z",
            description = "Random zoom factors in [1-Z, 1+Z], per axis. Default: ${DEFAULT-VALUE}.")
    double zoomRange;

    @Option(names = "--fill-mode", defaultValue = "NEAREST",
            description = "Points outside the image: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE} (as Keras).")
    FillMode fillMode;

    @Option(names = "--horizontal-flip", description = "Also mirror half of the images (Fashion-MNIST, not digits).")
    boolean horizontalFlip;

    @Override
    String exampleName() {
        return "mnist-cnn-augmented";
    }

    @Override
    AugmentOptions augmentation() {
        try {
            return AugmentOptions.builder().rotationRange(rotationRange).widthShiftRange(widthShiftRange)
                    .heightShiftRange(heightShiftRange).zoomRange(zoomRange).fillMode(fillMode)
                    .horizontalFlip(horizontalFlip).build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    @Override
    Map<String, Object> augmentationSettings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rotation_range", rotationRange);
        m.put("width_shift_range", widthShiftRange);
        m.put("height_shift_range", heightShiftRange);
        m.put("zoom_range", zoomRange);
        m.put("horizontal_flip", horizontalFlip);
        m.put("fill_mode", fillMode.name().toLowerCase(java.util.Locale.ROOT));
        m.put("interpolation_order", 1);
        return m;
    }

    /** Runs {@code transfer4j example mnist-cnn-augmented ARGS}. */
    public static void main(String[] args) {
        System.exit(Transfer4j.commandLine().execute(ExampleCommand.args("mnist-cnn-augmented", args)));
    }
}
