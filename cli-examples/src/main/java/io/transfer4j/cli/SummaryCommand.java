package io.transfer4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.ModelSummary;
import io.transfer4j.zoo.Zoo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfer4j summary}: a Keras-like table of a backbone's layers (or of a DL4J model zip). */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Print a Keras-like summary: layer, type, output shape, params, trainable; totals.",
                "BACKBONE is a backbone id (the architecture; no weights are needed), a DL4J model zip or a .t4j bundle."})
public final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "BACKBONE", description = "e.g. resnet50, vgg16, or path/to/model.zip")
    String backbone;

    @Option(names = "--input", paramLabel = "SHAPE",
            description = "Input size: 224, HxW or CxHxW (default: the backbone's own, e.g. 3x224x224).")
    String input;

    @Option(names = "--no-top", description = "Leave out the classifier top at the default input size.")
    boolean noTop;

    @Override
    public Integer call() throws Exception {
        ModelSummary summary;
        Path file = Path.of(backbone);
        if (backbone.endsWith(".t4j")) { // a model bundle: its manifest and its whole graph (cli helper)
            String text = io.transfer4j.cli.internal.BundleSummary.describe(
                    io.transfer4j.cli.internal.Args.existingFile(file, "BUNDLE"));
            Output.of(spec).result(text, Output.fields("bundle", backbone, "summary", text));
            return ExitCode.OK;
        }
        if (backbone.endsWith(".zip") && Files.isRegularFile(file)) {
            ComputationGraph g;
            try { // DL4J reads each entry whole: cap first
                io.transfer4j.core.ModelBundle.checkDl4jZip(file);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            try {
                g = ModelSerializer.restoreComputationGraph(file.toFile(), false);
            } catch (RuntimeException e) {
                throw new UsageException(backbone + " is not a DL4J ComputationGraph zip: " + e.getMessage());
            }
            summary = ModelSummary.of(g);
        } else {
            Zoo zoo;
            BackboneSpec s;
            try {
                zoo = Zoo.fromEnvironment();
                s = zoo.spec(backbone);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            InputShape shape;
            try {
                shape = input == null ? s.defaultInput() : InputShape.parse(input);
                s.checkInput(shape, false);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--input: " + e.getMessage());
            }
            boolean top = !noTop && shape.equals(s.defaultInput());
            summary = ModelSummary.of(zoo.random(backbone, shape, 0, top));
        }
        java.util.List<java.util.Map<String, Object>> rows = new java.util.ArrayList<>();
        for (ModelSummary.Row r : summary.rows()) {
            rows.add(Output.fields("name", r.name(), "type", r.type(), "outputShape", r.outputShape(),
                    "params", r.params(), "trainable", r.trainable(), "inputs", r.inputs()));
        }
        Output.of(spec).result(summary.toString().stripTrailing(), Output.fields("backbone", backbone,
                "total", summary.total(), "trainable", summary.trainable(), "nonTrainable", summary.nonTrainable(),
                "layers", rows));
        return ExitCode.OK;
    }
}
