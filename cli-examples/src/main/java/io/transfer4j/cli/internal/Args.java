package io.transfer4j.cli.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.transfer4j.cli.UsageException;
import io.transfer4j.core.InvalidBundleException;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;

/** Checks of command-line arguments that end in a one-line usage error (exit 2). */
public final class Args {

    private Args() {
    }

    public static Path existingDir(Path p, String option) {
        if (p == null) {
            throw new UsageException(option + " is required");
        }
        if (!Files.exists(p)) {
            throw new UsageException(option + ": no such directory: " + p);
        }
        if (!Files.isDirectory(p)) {
            throw new UsageException(option + ": expected a directory; received the file " + p);
        }
        return p;
    }

    public static Path existingFile(Path p, String option) {
        if (p == null) {
            throw new UsageException(option + " is required");
        }
        if (!Files.exists(p)) {
            throw new UsageException(option + ": no such file: " + p);
        }
        if (!Files.isRegularFile(p)) {
            throw new UsageException(option + ": expected a file; received the directory " + p);
        }
        return p;
    }

    /** A model bundle, with a usage error when the path is missing and a clear failure when it is not a bundle. */
    public static TransferModel bundle(Path p) throws IOException {
        existingFile(p, "--model");
        try {
            return ModelBundle.load(p);
        } catch (InvalidBundleException e) {
            throw new IOException("--model " + p + " is not a usable transfer4j bundle: " + e.getMessage(), e);
        }
    }

    /** A predictor over a model bundle, with the same errors as {@link #bundle}. */
    public static io.transfer4j.core.Predictor predictor(Path p) throws IOException {
        return predictor(p, io.transfer4j.core.Predictor.Options.defaults());
    }

    /** Opens {@code --model p} with {@code options}; a file that is not a bundle is an error naming it. */
    public static io.transfer4j.core.Predictor predictor(Path p, io.transfer4j.core.Predictor.Options options)
            throws IOException {
        existingFile(p, "--model");
        try {
            return io.transfer4j.core.Predictor.open(p, options);
        } catch (InvalidBundleException e) {
            throw new IOException("--model " + p + " is not a usable transfer4j bundle: " + e.getMessage(), e);
        }
    }

    /** Sub-folders of a class-folder directory, sorted (Keras order). */
    public static List<String> classFolders(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    /**
     * The DICOM window for a command that reads images for {@code bundle}: the flag when given; else the window the
     * run used, from the {@code config.json} of the run directory the bundle sits in ({@code fit} writes it there);
     * else each file's own window.
     */
    public static io.transfer4j.augmentation.DicomWindow dicomWindow(String flag, Path bundle) {
        try {
            if (flag != null) {
                return io.transfer4j.augmentation.DicomWindow.parse(flag);
            }
            Path config = bundle.toAbsolutePath().getParent().resolve("config.json");
            if (Files.isRegularFile(config)) {
                com.fasterxml.jackson.databind.JsonNode w = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(config.toFile()).get("dicomWindow");
                if (w != null && w.isTextual()) {
                    return parseRecorded(w.asText());
                }
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("--dicom-window: " + e.getMessage());
        } catch (IOException e) {
            // an unreadable config beside the bundle: fall back to the files' own windows
        }
        return io.transfer4j.augmentation.DicomWindow.fromFile();
    }

    /** {@link io.transfer4j.augmentation.DicomWindow#toString()} read back: file, full, lung, explicit(c,w). */
    static io.transfer4j.augmentation.DicomWindow parseRecorded(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[a-z]+\\((-?[0-9.eE+-]+),(-?[0-9.eE+-]+)\\)")
                .matcher(s);
        if (m.matches()) {
            return io.transfer4j.augmentation.DicomWindow.of(Double.parseDouble(m.group(1)),
                    Double.parseDouble(m.group(2)));
        }
        return io.transfer4j.augmentation.DicomWindow.parse(s);
    }
}
