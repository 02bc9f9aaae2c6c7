package io.transfer4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.transfer4j.augmentation.BadFile;
import io.transfer4j.augmentation.DataScan;
import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.augmentation.ImageDecoder;
import io.transfer4j.augmentation.ScanOptions;
import io.transfer4j.augmentation.Subset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transfer4j data scan|check|split}: look at an image folder the way the training flows will. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Inspect, check and split a folder of images (one sub-directory per class, Keras layout).",
        subcommands = {DataCommand.Scan.class, DataCommand.Check.class, DataCommand.Split.class})
public final class DataCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCode.OK;
    }

    static Path existingDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UsageException((Files.exists(dir) ? "'" + dir + "' is a file" : "directory '" + dir
                    + "' does not exist") + "; pass the folder that holds one sub-directory per class");
        }
        return dir;
    }

    static List<Map<String, Object>> badFilesJson(List<BadFile> bad) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BadFile b : bad) {
            out.add(Output.fields("file", b.relative(), "kind", b.kind().name(), "reason", b.detail()));
        }
        return out;
    }

    static DataScan.Result scan(Path dir, ScanOptions o) {
        try {
            return DataScan.scan(dir, o);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    @Command(name = "scan", mixinStandardHelpOptions = true,
            description = {"Class indices, per-class counts and the file list in the order a non-shuffled flow "
                    + "yields them (Keras flow_from_directory semantics). Bad files are checked from their "
                    + "headers; use 'data check' to decode everything.",
                    "With the global --json: one JSON result object."})
    static final class Scan implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "Folder with one sub-directory per class.")
        Path dir;

        @Option(names = "--validation-split", paramLabel = "F", description = "Share of each class held out "
                + "as the validation subset (the first files in name order, as Keras), in (0, 1).")
        Double validationSplit;

        @Option(names = "--subset", paramLabel = "training|validation",
                description = "List only this subset (needs --validation-split).")
        String subset;

        @Option(names = "--classes", split = ",", paramLabel = "a,b", description = "Use these classes in this "
                + "order instead of all sub-directories sorted by name.")
        List<String> classes;

        @Option(names = "--follow-links", description = "Descend into symbolic links to directories.")
        boolean followLinks;

        @Option(names = "--counts-only", description = "Leave out the file list (JSON output always has it).")
        boolean countsOnly;

        @Override
        public Integer call() {
            Output out = Output.of(spec);
            existingDir(dir);
            Subset s = parseSubset(subset);
            double split = validationSplit == null ? 0 : validationSplit;
            if (validationSplit != null && !(split > 0 && split < 1)) {
                throw new UsageException("--validation-split must be in (0, 1), e.g. 0.2; received " + split);
            }
            if (s != Subset.ALL && validationSplit == null) {
                throw new UsageException("--subset " + subset + " needs --validation-split F, e.g. 0.2");
            }
            ScanOptions o = ScanOptions.quick().withSubset(s, split).withFollowLinks(followLinks)
                    .withClasses(classes == null ? List.of() : classes);
            DataScan.Result r = scan(dir, o);
            r.warnings().forEach(w -> out.warn(w));
            StringBuilder human = new StringBuilder();
            human.append("Found ").append(r.files().size()).append(" images belonging to ")
                    .append(r.classIndices().size()).append(" classes")
                    .append(s == Subset.ALL ? "" : " (" + s.name().toLowerCase(Locale.ROOT) + " subset, split "
                            + split + ")").append(" in ").append(dir).append('\n');
            human.append(String.format("%-6s %-30s %s%n", "index", "class", "files"));
            r.classIndices().forEach((name, idx) -> human.append(String.format("%-6d %-30s %d%n", idx, name,
                    r.counts().get(name))));
            if (!r.badFiles().isEmpty()) {
                human.append(r.badFiles().size()).append(" bad files (left out by flows):\n");
                r.badFiles().forEach(b -> human.append("  ").append(b).append('\n'));
            }
            if (!countsOnly) {
                human.append("files in flow order (shuffle off):\n");
                for (int i = 0; i < r.files().size(); i++) {
                    human.append("  ").append(r.labels().get(i)).append('\t').append(r.files().get(i)).append('\n');
                }
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("root", dir.toString());
            data.put("subset", s.name().toLowerCase(Locale.ROOT));
            data.put("validationSplit", split);
            data.put("classIndices", r.classIndices());
            data.put("counts", r.counts());
            data.put("samples", r.files().size());
            data.put("files", r.files());
            data.put("labels", r.labels());
            data.put("badFiles", badFilesJson(r.badFiles()));
            data.put("warnings", r.warnings());
            out.result(human.toString().stripTrailing(), data);
            return ExitCode.OK;
        }

        private static Subset parseSubset(String s) {
            if (s == null || s.equalsIgnoreCase("all")) {
                return Subset.ALL;
            }
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "training", "train" -> Subset.TRAINING;
                case "validation", "val" -> Subset.VALIDATION;
                default -> throw new UsageException("--subset must be training or validation; received '" + s + "'");
            };
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Decode every image and report each file that cannot be used, with the reason: empty, "
                    + "truncated, not an image, too many pixels (decompression bomb), unreadable, broken link, "
                    + "link loop, unsupported variant (e.g. CMYK JPEG), corrupt.",
                    "Exit code 0 when every file is usable, 1 when bad files were found."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "Folder with one sub-directory per class.")
        Path dir;

        @Option(names = "--follow-links", description = "Descend into symbolic links to directories (loops are "
                + "reported).")
        boolean followLinks;

        @Option(names = "--max-pixels", paramLabel = "N", description = "Refuse images with more pixels than this "
                + "(default ${DEFAULT-VALUE}).", defaultValue = "" + ImageDecoder.DEFAULT_MAX_PIXELS)
        long maxPixels;

        @Option(names = "--split", paramLabel = "FILE", description = "Also check this split manifest (split.json) for "
                + "leaks: a group (patient) in two parts, near-identical images in two parts.")
        Path split;

        @Override
        public Integer call() {
            Output out = Output.of(spec);
            existingDir(dir);
            List<String> leaks = List.of();
            if (split != null) {
                if (!Files.isRegularFile(split)) {
                    throw new UsageException("--split " + split + " does not exist; pass the split.json of a run or "
                            + "of 'transfer4j data split'");
                }
                try {
                    leaks = DataSplit.read(split).leaks(ImageDecoder.withMaxPixels(maxPixels), 2);
                } catch (IOException e) {
                    throw new UsageException("--split " + split + " cannot be read: " + e.getMessage());
                }
                leaks.forEach(l -> out.warn("split leak: " + l));
            }
            if (maxPixels < 1) {
                throw new UsageException("--max-pixels must be >= 1; received " + maxPixels);
            }
            DataScan.Result r = scan(dir, ScanOptions.thorough().withFollowLinks(followLinks).withMaxPixels(maxPixels));
            r.warnings().forEach(out::warn);
            int total = r.files().size() + r.badFiles().size();
            StringBuilder human = new StringBuilder();
            for (BadFile b : r.badFiles()) {
                human.append(b).append('\n');
            }
            human.append(r.badFiles().isEmpty() ? "OK: " : "").append(total).append(" files checked in ").append(dir)
                    .append(": ").append(r.files().size()).append(" usable, ").append(r.badFiles().size())
                    .append(" bad");
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("root", dir.toString());
            data.put("checked", total);
            data.put("usable", r.files().size());
            data.put("counts", r.counts());
            data.put("badFiles", badFilesJson(r.badFiles()));
            data.put("warnings", r.warnings());
            if (split != null) {
                data.put("splitLeaks", leaks);
                human.append(leaks.isEmpty() ? "; split " + split + ": no group or near-identical image in two parts"
                        : "; split " + split + ": " + leaks.size() + " leak(s), see the warnings");
            }
            out.result(human.toString(), data);
            return r.clean() ? ExitCode.OK : ExitCode.FAILURE;
        }
    }

    @Command(name = "split", mixinStandardHelpOptions = true,
            description = {"Seeded stratified train/validation/test split of a class folder, written as a split "
                    + "manifest OUT/split.json (reproducible, reviewable). With --copy also copies the files into "
                    + "OUT/train, OUT/validation and OUT/test class folders."})
    static final class Split implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "Folder with one sub-directory per class.")
        Path dir;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where split.json goes.")
        Path outDir;

        @Option(names = "--ratios", defaultValue = "70/15/15", paramLabel = "T/V/T",
                description = "Train/validation/test shares, as percentages or fractions (default ${DEFAULT-VALUE}).")
        String ratios;

        @Option(names = "--seed", defaultValue = "42", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--copy", description = "Also copy the files into OUT/<part>/<class>/.")
        boolean copy;

        @Option(names = "--group", paramLabel = "KEY", description = "Keep every image of a group on one side: "
                + "patient (DICOM PatientID), dicom:gggg,eeee, path:REGEX, csv:FILE#FILECOLUMN#GROUPCOLUMN. Group "
                + "values are stored hashed.")
        String group;

        @Override
        public Integer call() throws IOException {
            Output out = Output.of(spec);
            existingDir(dir);
            double[] r = parseRatios(ratios);
            DataSplit split;
            try {
                split = group == null ? DataSplit.stratified(dir, r[0], r[1], r[2], seed)
                        : DataSplit.grouped(dir, r[0], r[1], r[2], seed, io.transfer4j.augmentation.GroupKey.parse(group));
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            split = split.without(io.transfer4j.cli.internal.FitRun.unusable(split.root()));  // usable images only
            Path manifest = outDir.resolve("split.json");
            split.write(manifest);
            if (!split.excluded().isEmpty()) {
                out.warn(io.transfer4j.cli.internal.FitRun.skipped(split.excluded()));
            }
            if (copy) {
                for (DataSplit.Part part : DataSplit.Part.values()) {
                    for (DataSplit.Item it : split.items(part)) {
                        Path target = outDir.resolve(part.name().toLowerCase(Locale.ROOT)).resolve(it.file());
                        Files.createDirectories(target.getParent());
                        Files.copy(split.root().resolve(it.file()), target,
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            String human = String.format("Split %s (seed %d): train %d, validation %d, test %d images%s -> %s%s", dir,
                    seed, split.train().size(), split.validation().size(), split.test().size(),
                    split.excluded().isEmpty() ? "" : ", " + split.excluded().size() + " file(s) skipped", manifest,
                    copy ? " (files copied under " + outDir + ")" : "");
            out.result(human, Output.fields("manifest", manifest.toString(), "seed", seed, "train",
                    split.train().size(), "validation", split.validation().size(), "test", split.test().size(),
                    "classes", split.classes()));
            return ExitCode.OK;
        }

        static double[] parseRatios(String s) {
            String[] parts = s.split("[/,:]");
            if (parts.length != 3) {
                throw new UsageException("--ratios needs three shares train/validation/test, e.g. 70/15/15; received '"
                        + s + "'");
            }
            double[] r = new double[3];
            double sum = 0;
            for (int i = 0; i < 3; i++) {
                try {
                    r[i] = Double.parseDouble(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new UsageException("--ratios must be numbers like 70/15/15 or 0.7/0.15/0.15; received '"
                            + s + "'");
                }
                if (r[i] < 0) {
                    throw new UsageException("--ratios must not be negative; received '" + s + "'");
                }
                sum += r[i];
            }
            if (Math.abs(sum - 100) < 1e-6) {
                for (int i = 0; i < 3; i++) {
                    r[i] /= 100;
                }
            } else if (Math.abs(sum - 1) > 1e-6) {
                throw new UsageException("--ratios must add up to 100 (percent) or 1; received '" + s + "' (sum "
                        + sum + ")");
            }
            return r;
        }
    }
}
