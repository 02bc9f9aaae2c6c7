package io.transfer4j.training.tune;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.transfer4j.internal.AtomicFiles;

/**
 * The files of a search directory (docs/tuning.md): {@code search.json} (what the search is), {@code trials.jsonl}
 * (one row per finished trial, appended by rewriting the file atomically), {@code results.csv} and
 * {@code best.json} (derived, rewritten after every trial). Every write goes to a temporary file moved into place,
 * so a kill leaves each file either as it was or complete.
 */
final class SearchDirectory {
    static final int FORMAT_VERSION = 1;
    static final String SEARCH = "search.json";
    static final String TRIALS = "trials.jsonl";
    static final String RESULTS = "results.csv";
    static final String BEST = "best.json";
    static final String BEST_MODEL = "best-model.t4j";
    static final String SPACE_YAML = "space.yaml";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private ObjectNode search;

    private SearchDirectory(Path dir, ObjectNode search) {
        this.dir = dir;
        this.search = search;
    }

    /**
     * Opens {@code dir}: a new search writes {@code search.json} (and {@code space.yaml}); an existing one must
     * describe the same search ({@code identity}: space, strategy, pruner, seed, objective, backbone), else a
     * clear error and nothing is changed.
     */
    static SearchDirectory open(Path dir, ObjectNode identity, String spaceYaml) {
        Path file = dir.resolve(SEARCH);
        try {
            if (Files.isRegularFile(file)) {
                JsonNode old = JSON.readTree(file.toFile());
                int version = old.path("formatVersion").asInt(-1);
                if (version != FORMAT_VERSION) {
                    throw new IllegalArgumentException("the search directory " + dir + " has format version "
                            + version + "; this transfer4j reads version " + FORMAT_VERSION + ". Use a new directory");
                }
                List<String> diffs = new ArrayList<>();
                // compared as read back from JSON: a long seed written as 7 reads back as an int node
                JsonNode now = JSON.readTree(JSON.writeValueAsBytes(identity));
                identity.fieldNames().forEachRemaining(k -> {
                    if (!now.get(k).equals(old.get(k))) {
                        diffs.add(k + ": the directory has " + old.get(k) + ", this search " + identity.get(k));
                    }
                });
                if (!diffs.isEmpty()) {
                    throw new IllegalArgumentException("the search directory " + dir + " holds another search, so it "
                            + "cannot be resumed with this one (nothing was changed there):\n  " + String.join("\n  ",
                            diffs) + "\nResume it with the same settings (its space is in " + file + "), or start "
                            + "this search in a new directory");
                }
                return new SearchDirectory(dir, (ObjectNode) old);
            }
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new IllegalArgumentException("search directory " + dir + " is a file; give a directory");
            }
            if (Files.isDirectory(dir)) {
                try (var s = Files.list(dir)) {
                    if (s.anyMatch(f -> !f.getFileName().toString().equals(
                            io.transfer4j.internal.DirectoryLock.FILE))) {
                        throw new IllegalArgumentException("the search directory " + dir + " is not empty and holds "
                                + "no search (no " + SEARCH + "); give a new or empty directory");
                    }
                }
            }
            Files.createDirectories(dir);
            ObjectNode s = JSON.createObjectNode();
            s.put("formatVersion", FORMAT_VERSION);
            s.setAll(identity);
            s.putNull("dataFingerprint");
            AtomicFiles.write(dir.resolve(SPACE_YAML), spaceYaml.getBytes(StandardCharsets.UTF_8));
            AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(s));
            return new SearchDirectory(dir, s);
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the search directory " + dir + ": " + e.getMessage(), e);
        }
    }

    Path dir() {
        return dir;
    }

    /** The training data's fingerprint the first trial recorded, or null. */
    String dataFingerprint() {
        JsonNode f = search.get("dataFingerprint");
        return f == null || f.isNull() ? null : f.asText();
    }

    void recordDataFingerprint(String fingerprint) {
        search.put("dataFingerprint", fingerprint);
        try {
            AtomicFiles.write(dir.resolve(SEARCH), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(search));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + dir.resolve(SEARCH) + ": " + e.getMessage(), e);
        }
    }

    /** The rows written so far, in file order. */
    List<TrialRecord> trials() {
        Path f = dir.resolve(TRIALS);
        List<TrialRecord> out = new ArrayList<>();
        if (!Files.isRegularFile(f)) {
            return out;
        }
        try {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                try {
                    out.add(JSON.readValue(lines.get(i), TrialRecord.class));
                } catch (IOException e) {
                    throw new IllegalStateException(f + " line " + (i + 1) + " is not a trial row (" + e.getMessage()
                            + "); the file was edited by hand? Restore it or start a new search directory", e);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + f + ": " + e.getMessage(), e);
        }
    }

    /** Appends {@code r} as one line: the old rows plus the new one are written to a temp file moved into place. */
    void append(TrialRecord r) {
        Path f = dir.resolve(TRIALS);
        try {
            byte[] old = Files.isRegularFile(f) ? Files.readAllBytes(f) : new byte[0];
            byte[] line = (JSON.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[old.length + line.length];
            System.arraycopy(old, 0, all, 0, old.length);
            System.arraycopy(line, 0, all, old.length, line.length);
            AtomicFiles.write(f, all);
        } catch (IOException e) {
            throw new UncheckedIOException("could not append trial " + r.id() + " to " + f + ": " + e.getMessage(), e);
        }
    }

    /** Rewrites results.csv and best.json from the rows. */
    void writeSummaries(List<TrialRecord> rows, TrialRecord best, String objectiveKey) {
        List<String> params = new ArrayList<>();
        for (TrialRecord r : rows) {
            r.params().keySet().stream().filter(k -> !params.contains(k)).forEach(params::add);
        }
        List<String> metrics = new ArrayList<>(new TreeMap<>(rows.stream().flatMap(r -> r.bestMetrics().keySet()
                .stream()).collect(java.util.stream.Collectors.toMap(k -> k, k -> 0, (a, b) -> a))).keySet());
        StringBuilder csv = new StringBuilder("trial,status," + objectiveKey + ",best_epoch,epochs,seconds");
        params.forEach(p -> csv.append(',').append(p));
        metrics.forEach(m -> csv.append(",best_").append(m));
        csv.append(",error\n");
        for (TrialRecord r : rows) {
            csv.append(r.id()).append(',').append(r.status().name().toLowerCase(Locale.ROOT)).append(',')
                    .append(num(r.objective())).append(',').append(r.bestEpoch()).append(',')
                    .append(r.history().size()).append(',').append(String.format(Locale.ROOT, "%.2f", r.seconds()));
            for (String p : params) {
                csv.append(',').append(cell(r.params().get(p)));
            }
            for (String m : metrics) {
                Double v = r.bestMetrics().get(m);
                csv.append(',').append(v == null ? "" : num(v));
            }
            csv.append(',').append(r.error() == null ? "" : cell(r.error())).append('\n');
        }
        try {
            AtomicFiles.write(dir.resolve(RESULTS), csv.toString().getBytes(StandardCharsets.UTF_8));
            if (best != null) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("trial", best.id());
                b.put("objective", objectiveKey);
                b.put("value", best.objective());
                b.put("bestEpoch", best.bestEpoch());
                b.put("params", best.trialParams().asConfig());
                b.put("bestMetrics", best.bestMetrics());
                AtomicFiles.write(dir.resolve(BEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(b));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the results in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static String cell(Object v) {
        String s = v == null ? "" : v instanceof List<?> l ? l.toString().replace(", ", " ") : String.valueOf(v);
        return s.contains(",") || s.contains("\"") || s.contains("\n")
                ? "\"" + s.replace("\"", "\"\"").replace("\n", " ") + "\"" : s;
    }
}
