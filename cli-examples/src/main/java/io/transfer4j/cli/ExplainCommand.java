package io.transfer4j.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.transfer4j.cli.internal.Args;
import io.transfer4j.cli.internal.AtomicFiles;
import io.transfer4j.cli.internal.GradCam;
import io.transfer4j.cli.internal.Predictions;
import io.transfer4j.cli.report.Plots;
import io.transfer4j.core.Prediction;
import io.transfer4j.core.TransferModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfer4j explain --model BUNDLE --out FILE.png IMAGE}: where the model looked (Grad-CAM). */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a Grad-CAM heat map of IMAGE for the predicted class, blended over the image (red: "
                + "regions that raised the class score most, blue: least), and print the prediction.",
                "Works for models whose head is global pooling + the output layer (what fit and quickstart build)."},
        footer = {"", "Example:", "  transfer4j explain --model run/model.t4j --out why.png images/cat/001.jpg"})
public final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "BUNDLE", description = "The model bundle (.t4j).")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Where to write the PNG.")
    Path outFile;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to explain.")
    Path image;

    @Override
    public Integer call() throws Exception {
        Output out = Output.of(spec);
        if (!outFile.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new UsageException("--out must be a .png file; received " + outFile);
        }
        Args.existingFile(image, "IMAGE");
        TransferModel m = Args.bundle(model);
        GradCam cam = GradCam.of(m).orElseThrow(() -> new UsageException("Grad-CAM needs a model cut at a feature "
                + "map with a global-pooling head and no hidden dense layers; " + model + " has cut '"
                + m.cut().name() + "' and head " + m.head() + ". Fit a model without 'dense' layers to explain it."));
        List<Prediction> top = Predictions.topK(m, image, 1);
        BufferedImage overlay = cam.overlay(image);
        AtomicFiles.write(outFile, Plots.png(overlay));
        Prediction p = top.get(0);
        out.result(String.format(Locale.ROOT, "%s -> %s (%.1f %%); Grad-CAM written to %s", image, p.label(),
                100 * p.probability(), outFile), Output.fields("image", image.toString(), "label", p.label(),
                "probability", p.probability(), "out", outFile.toString()));
        return Transfer4j.OK;
    }
}
