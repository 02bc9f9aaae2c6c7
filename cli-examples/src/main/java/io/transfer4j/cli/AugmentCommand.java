package io.transfer4j.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.AugmentPreview;
import io.transfer4j.augmentation.FillMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code transfer4j augment preview}: see what augmentation options do before training with them. */
@Command(name = "augment", mixinStandardHelpOptions = true,
        description = "Augmentation tools (Keras ImageDataGenerator options).",
        subcommands = {AugmentCommand.Preview.class})
public final class AugmentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCode.OK;
    }

    @Command(name = "preview", mixinStandardHelpOptions = true,
            description = "Write a grid of augmented samples: one row per image (classes in turn), the original "
                    + "first, then random variants.")
    static final class Preview implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "Class folder to sample from.")
        Path data;

        @Option(names = "--out", required = true, paramLabel = "grid.png", description = "PNG file to write.")
        Path out;

        @Option(names = "--images", defaultValue = "4", description = "Rows (default ${DEFAULT-VALUE}).")
        int images;

        @Option(names = "--variants", defaultValue = "6", description = "Augmented columns (default ${DEFAULT-VALUE}).")
        int variants;

        @Option(names = "--size", defaultValue = "128", description = "Cell size in pixels (default ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--seed", defaultValue = "42")
        long seed;

        @Option(names = "--rotation", defaultValue = "0", description = "rotation_range in degrees.")
        double rotation;

        @Option(names = "--width-shift", defaultValue = "0", description = "width_shift_range (<1: fraction, "
                + ">=1: pixels).")
        double widthShift;

        @Option(names = "--height-shift", defaultValue = "0", description = "height_shift_range.")
        double heightShift;

        @Option(names = "--shear", defaultValue = "0", description = "shear_range in degrees.")
        double shear;

        @Option(names = "--zoom", defaultValue = "0", description = "zoom_range z: factors in [1-z, 1+z].")
        double zoom;

        @Option(names = "--channel-shift", defaultValue = "0", description = "channel_shift_range (0-255 scale).")
        double channelShift;

        @Option(names = "--brightness", split = ",", paramLabel = "LOW,HIGH", description = "brightness_range, "
                + "e.g. 0.8,1.2.")
        double[] brightness;

        @Option(names = "--horizontal-flip", description = "horizontal_flip.")
        boolean horizontalFlip;

        @Option(names = "--vertical-flip", description = "vertical_flip.")
        boolean verticalFlip;

        @Option(names = "--fill-mode", defaultValue = "nearest", description = "constant, nearest, reflect or wrap "
                + "(default ${DEFAULT-VALUE}).")
        String fillMode;

        @Option(names = "--cval", defaultValue = "0", description = "Fill value for --fill-mode constant.")
        double cval;

        @Override
        public Integer call() throws IOException {
            Output o = Output.of(spec);
            DataCommand.existingDir(data);
            if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
                throw new UsageException("--out must name a .png file; received '" + out + "'");
            }
            AugmentOptions opts;
            try {
                FillMode mode = FillMode.valueOf(fillMode.toUpperCase(Locale.ROOT));
                AugmentOptions.Builder b = AugmentOptions.builder().rotationRange(rotation).widthShiftRange(widthShift)
                        .heightShiftRange(heightShift).shearRange(shear).channelShiftRange(channelShift)
                        .horizontalFlip(horizontalFlip).verticalFlip(verticalFlip).fillMode(mode).cval(cval);
                if (zoom != 0) {
                    b.zoomRange(zoom);
                }
                if (brightness != null) {
                    if (brightness.length != 2) {
                        throw new UsageException("--brightness needs LOW,HIGH, e.g. 0.8,1.2");
                    }
                    b.brightnessRange(brightness[0], brightness[1]);
                }
                opts = b.build();
            } catch (IllegalArgumentException e) {
                String msg = e.getMessage() != null && e.getMessage().startsWith("No enum constant")
                        ? "--fill-mode must be constant, nearest, reflect or wrap; received '" + fillMode + "'"
                        : e.getMessage();
                throw new UsageException(msg);
            }
            if (!opts.isRandom()) {
                o.warn("no random transform chosen (e.g. --rotation 20 --horizontal-flip): every variant equals "
                        + "the original");
            }
            BufferedImage grid;
            try {
                grid = AugmentPreview.grid(data, opts, images, variants, size, seed);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            AugmentPreview.write(grid, out);
            o.result("Wrote " + out + " (" + grid.getWidth() + "x" + grid.getHeight() + ": " + images + " images x "
                    + variants + " variants)", Output.fields("out", out.toString(), "width", grid.getWidth(),
                    "height", grid.getHeight()));
            return ExitCode.OK;
        }
    }
}
