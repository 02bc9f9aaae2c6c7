package io.transfer4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.transfer4j.cli.internal.Args;
import io.transfer4j.core.ImageInput;
import io.transfer4j.core.GradCam;
import io.transfer4j.core.Predictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfer4j explain --model BUNDLE --out FILE.png IMAGE}: where the model looked (core's Grad-CAM). */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a Grad-CAM heat map of IMAGE for the predicted class, blended over the image as the "
                + "model saw it (red: the regions that raised the class score most), and print the prediction."},
        footer = {"", "Example:", "  transfer4j explain --model run/model.t4j --out why.png images/cat/001.jpg"})
public final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "BUNDLE", description = "The model bundle (.t4j).")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Where to write the PNG.")
    Path outFile;

    @Option(names = "--dicom-window", paramLabel = "W", description = "DICOM images: file, full, lung, mediastinum, "
            + "bone, brain, abdomen, or CENTRE,WIDTH. Default: the window fit used (config.json in the bundle's run "
            + "directory), else the file's own. The overlay is drawn on the windowed image.")
    String dicomWindow;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to explain.")
    Path image;

    @Override
    public Integer call() throws Exception {
        Output out = Output.of(spec);
        if (!outFile.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new UsageException("--out must be a .png file; received " + outFile);
        }
        Args.existingFile(image, "IMAGE");
        GradCam cam;
        java.awt.image.BufferedImage original;
        try (Predictor p = Args.predictor(model)) {
            io.transfer4j.augmentation.DicomWindow w = Args.dicomWindow(dicomWindow, model);
            if (w.fromFileTags() || !io.transfer4j.augmentation.ImageDecoder.isDicom(image)) {
                cam = p.explain(ImageInput.of(image));
                // the overlay goes on the image in its own size and aspect ratio, not the model's square input
                original = io.transfer4j.cli.internal.Images.read(image);
            } else {
                // the windowed image at 8 bits per channel: what the overlay shows and what the model is shown
                original = io.transfer4j.cli.internal.Images.read(image, w);
                cam = p.explain(ImageInput.of(original));
            }
        }
        cam.writeOverlay(outFile, original);
        out.result(String.format(Locale.ROOT, "%s -> %s (%.1f %%); Grad-CAM at layer %s written to %s", image,
                cam.label(), 100 * cam.probability(), cam.layer(), outFile), Output.fields("image", image.toString(),
                "label", cam.label(), "probability", cam.probability(), "layer", cam.layer(),
                "out", outFile.toString()));
        return ExitCode.OK;
    }
}
