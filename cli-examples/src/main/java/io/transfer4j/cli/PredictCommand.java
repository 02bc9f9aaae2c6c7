package io.transfer4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.transfer4j.cli.internal.Args;
import io.transfer4j.cli.internal.AtomicFiles;
import io.transfer4j.cli.internal.Predictions;
import io.transfer4j.cli.internal.Tables;
import io.transfer4j.core.Prediction;
import io.transfer4j.core.TransferModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfer4j predict --model BUNDLE [--out FILE.csv|FILE.json] PATH...}. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classify images with a model bundle. PATH is an image file or a directory (searched "
                + "recursively for " + "png, jpg, jpeg, bmp, gif, tif, tiff, ppm, pgm, pnm files).",
                "Without --out a table goes to stdout; --out FILE.csv or FILE.json writes a file instead.",
                "Files that cannot be decoded are reported and skipped; the exit code is then 1."},
        footer = {"", "Examples:", "  transfer4j predict --model run/model.t4j photo1.jpg photo2.png",
                "  transfer4j predict --model run/model.t4j --top 3 --out predictions.csv images/"})
public final class PredictCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "BUNDLE", description = "The model bundle (.t4j).")
    Path model;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the predictions to FILE.csv or FILE.json.")
    Path outFile;

    @Option(names = "--top", defaultValue = "1", paramLabel = "K",
            description = "How many labels per image, most probable first (default: ${DEFAULT-VALUE}).")
    int top;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Image files or directories.")
    List<Path> paths;

    /** One image's result. */
    public record Result(String file, List<Prediction> predictions, String error) {
    }

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
        for (Path p : paths) {
            if (!java.nio.file.Files.exists(p)) {
                throw new UsageException("no such file or directory: " + p);
            }
        }
        TransferModel m = Args.bundle(model);
        List<Path> files = Predictions.expand(paths);
        if (files.isEmpty()) {
            throw new UsageException("no image files in " + paths + " (looked for " + String.join(", ",
                    Predictions.EXTENSIONS) + ")");
        }
        int k = Math.min(top, m.labels().size());
        List<Result> results = new ArrayList<>();
        int failed = 0;
        try (Output.Progress bar = out.progress("predict", files.size(), "images")) {
            for (Path f : files) {
                try {
                    results.add(new Result(f.toString(), Predictions.topK(m, f, k), null));
                } catch (IOException e) {
                    failed++;
                    results.add(new Result(f.toString(), List.of(), e.getMessage()));
                    out.warn(e.getMessage() + " (skipped)");
                }
                bar.update(results.size(), null);
            }
        }
        if (format != null) {
            AtomicFiles.writeString(outFile, format.equals("csv") ? csv(results, k) : JSON.writeValueAsString(results));
        }
        String human = format != null ? "Wrote " + (results.size() - failed) + " predictions to " + outFile
                : table(results, k);
        if (failed > 0) {
            human += String.format(Locale.ROOT, "%n%d of %d files could not be read (see the warnings above)", failed,
                    results.size());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("model", model.toString());
        if (outFile != null) {
            data.put("out", outFile.toString());
        }
        data.put("failed", failed);
        data.put("results", results);
        out.result(human, data);
        return failed == 0 ? Transfer4j.OK : Transfer4j.FAILURE;
    }

    static String table(List<Result> results, int k) {
        List<String> header = new ArrayList<>(List.of("file"));
        for (int i = 1; i <= k; i++) {
            header.add(k == 1 ? "label" : "label " + i);
            header.add("probability");
        }
        List<List<String>> rows = new ArrayList<>();
        for (Result r : results) {
            List<String> row = new ArrayList<>(List.of(r.file()));
            for (int i = 0; i < k; i++) {
                if (i < r.predictions().size()) {
                    row.add(r.predictions().get(i).label());
                    row.add(String.format(Locale.ROOT, "%.4f", r.predictions().get(i).probability()));
                } else {
                    row.add(i == 0 ? "(unreadable)" : "");
                    row.add("");
                }
            }
            rows.add(row);
        }
        return Tables.render(header, rows).stripTrailing();
    }

    static String csv(List<Result> results, int k) {
        StringBuilder sb = new StringBuilder("file");
        for (int i = 1; i <= k; i++) {
            sb.append(k == 1 ? ",label,probability" : ",label_" + i + ",probability_" + i);
        }
        sb.append(",error\n");
        for (Result r : results) {
            sb.append(field(r.file()));
            for (int i = 0; i < k; i++) {
                if (i < r.predictions().size()) {
                    Prediction p = r.predictions().get(i);
                    sb.append(',').append(field(p.label())).append(',')
                            .append(String.format(Locale.ROOT, "%.6f", p.probability()));
                } else {
                    sb.append(",,");
                }
            }
            sb.append(',').append(r.error() == null ? "" : field(r.error())).append('\n');
        }
        return sb.toString();
    }

    private static String field(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
