package io.transfer4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.transfer4j.cli.internal.Args;
import io.transfer4j.cli.internal.Tables;
import io.transfer4j.core.Prediction;
import io.transfer4j.core.PredictionTable;
import io.transfer4j.core.Predictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfer4j predict --model BUNDLE [--out FILE.csv|FILE.json] PATH...} (core's {@link Predictor}). */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classify images with a model bundle. PATH is an image file or a directory (searched "
                + "recursively for png, jpg, jpeg, bmp, gif, tif, tiff, ... files).",
                "Without --out a table goes to stdout; --out FILE.csv or FILE.json writes a file instead.",
                "Files that cannot be decoded are reported and skipped; the exit code is then 1."},
        footer = {"", "Examples:", "  transfer4j predict --model run/model.t4j photo1.jpg photo2.png",
                "  transfer4j predict --model run/model.t4j --top 3 --out predictions.csv images/"})
public final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "BUNDLE", description = "The model bundle (.t4j).")
    Path model;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the predictions to FILE.csv or FILE.json.")
    Path outFile;

    @Option(names = "--top", defaultValue = "1", paramLabel = "K",
            description = "How many labels per image, most probable first (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--max-pixels", paramLabel = "N", description = "Refuse image files declaring more pixels (width x height) than N, a decompression-bomb guard (default ${DEFAULT-VALUE}).",
            defaultValue = "" + io.transfer4j.augmentation.ImageDecoder.DEFAULT_MAX_PIXELS)
    long maxPixels;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Image files or directories.")
    List<Path> paths;

    @Override
    public Integer call() throws Exception {
        Output out = Output.of(spec);
        String format = outFile == null ? null : extension(outFile);
        if (format != null && !format.equals("csv") && !format.equals("json")) {
            throw new UsageException("--out must end in .csv or .json; received " + outFile);
        }
        if (top < 1) {
            throw new UsageException("--top must be >= 1; received " + top);
        }
        if (maxPixels < 1) {
            throw new UsageException("--max-pixels must be >= 1 pixel (width x height; the default is "
                    + io.transfer4j.augmentation.ImageDecoder.DEFAULT_MAX_PIXELS + "); received " + maxPixels);
        }
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new UsageException("no such file or directory: " + p);
            }
        }
        PredictionTable table;
        try (Predictor predictor = Args.predictor(model, Predictor.Options.defaults().withMaxPixels(maxPixels))) {
            int k = Math.min(top, predictor.labels().size());
            List<PredictionTable.Row> rows = new ArrayList<>();
            try (Output.Progress bar = out.progress("predict", paths.size(), "paths")) {
                for (Path p : paths) {
                    rows.addAll(predictor.predictAll(p, k).rows());
                    bar.update(rows.size(), null);
                }
            }
            table = new PredictionTable(predictor.labels(), k, rows);
        }
        if (table.rows().isEmpty()) {
            throw new UsageException("no image files in " + paths + " (looked for " + String.join(", ",
                    new java.util.TreeSet<>(io.transfer4j.augmentation.ImageDecoder.IMAGE_EXTENSIONS)) + ")");
        }
        for (PredictionTable.Row r : table.failures()) {
            out.warn("cannot read " + r.file() + ": " + r.error() + " (skipped)");
        }
        int failed = table.failures().size();
        if (format != null) {
            if (format.equals("csv")) {
                table.writeCsv(outFile);
            } else {
                table.writeJson(outFile);
            }
        }
        String human = format != null ? "Wrote " + (table.rows().size() - failed) + " predictions to " + outFile
                : render(table);
        if (failed > 0) {
            human += String.format(Locale.ROOT, "%n%d of %d files could not be read (see the warnings above)", failed,
                    table.rows().size());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("model", model.toString());
        if (outFile != null) {
            data.put("out", outFile.toString());
        }
        data.put("failed", failed);
        data.put("results", table.rows().stream().map(r -> Output.fields("file", r.file().toString(),
                "predictions", r.top(), "error", r.error())).toList());
        out.result(human, data);
        return failed == 0 ? ExitCode.OK : ExitCode.FAILURE;
    }

    static String render(PredictionTable t) {
        int k = t.k();
        List<String> header = new ArrayList<>(List.of("file"));
        for (int i = 1; i <= k; i++) {
            header.add(k == 1 ? "label" : "label " + i);
            header.add("probability");
        }
        List<List<String>> rows = new ArrayList<>();
        for (PredictionTable.Row r : t.rows()) {
            List<String> row = new ArrayList<>(List.of(r.file().toString()));
            for (int i = 0; i < k; i++) {
                if (i < r.top().size()) {
                    Prediction p = r.top().get(i);
                    row.add(p.label());
                    row.add(String.format(Locale.ROOT, "%.4f", p.probability()));
                } else {
                    row.add(i == 0 ? "(unreadable)" : "");
                    row.add("");
                }
            }
            rows.add(row);
        }
        return Tables.render(header, rows).stripTrailing();
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
