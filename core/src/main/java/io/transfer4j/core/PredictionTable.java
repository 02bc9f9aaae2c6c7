package io.transfer4j.core;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.transfer4j.internal.AtomicFiles;
import io.transfer4j.core.internal.Json;

/**
 * Results of {@link Predictor#predictAll}: one row per input file, in input order. A file that could not be
 * read gets a row with an error and no predictions; the others are unaffected.
 */
public record PredictionTable(List<String> labels, int k, List<Row> rows) {

    public PredictionTable {
        labels = List.copyOf(labels);
        rows = List.copyOf(rows);
    }

    /**
     * @param file  the input file
     * @param top   the top-k predictions, best first (empty when {@code error} is set)
     * @param error why the file could not be predicted, or null
     */
    public record Row(Path file, List<Prediction> top, String error) {
        public Row {
            top = List.copyOf(top);
        }

        public boolean ok() {
            return error == null;
        }
    }

    /** Rows whose file could not be predicted. */
    public List<Row> failures() {
        return rows.stream().filter(r -> !r.ok()).toList();
    }

    /** The row for a file. */
    public Row row(Path file) {
        return rows.stream().filter(r -> r.file().equals(file)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no row for " + file + " (" + rows.size() + " rows)"));
    }

    /** CSV: {@code path,label_1,probability_1,...,label_k,probability_k,error}; RFC 4180 quoting. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("path");
        for (int i = 1; i <= k; i++) {
            sb.append(",label_").append(i).append(",probability_").append(i);
        }
        sb.append(",error\n");
        for (Row r : rows) {
            sb.append(csv(r.file().toString()));
            for (int i = 0; i < k; i++) {
                if (i < r.top().size()) {
                    Prediction p = r.top().get(i);
                    sb.append(',').append(csv(p.label())).append(',').append(String.format(java.util.Locale.ROOT,
                            "%.6f", p.probability()));
                } else {
                    sb.append(",,");
                }
            }
            sb.append(',').append(r.error() == null ? "" : csv(r.error())).append('\n');
        }
        return sb.toString();
    }

    /** JSON: {@code {"labels": [...], "k": k, "rows": [{"path", "predictions": [{label, index, probability}], "error"}]}}. */
    public String toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode ls = root.putArray("labels");
        labels.forEach(ls::add);
        root.put("k", k);
        ArrayNode rs = root.putArray("rows");
        for (Row r : rows) {
            ObjectNode o = rs.addObject();
            o.put("path", r.file().toString());
            ArrayNode ps = o.putArray("predictions");
            for (Prediction p : r.top()) {
                ps.addObject().put("label", p.label()).put("index", p.index()).put("probability", p.probability());
            }
            if (r.error() != null) {
                o.put("error", r.error());
            }
        }
        try {
            return Json.mapper().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("JSON serialisation failed", e);
        }
    }

    public Path writeCsv(Path file) throws IOException {
        return write(file, toCsv());
    }

    public Path writeJson(Path file) throws IOException {
        return write(file, toJson());
    }

    private static Path write(Path file, String text) throws IOException {
        return AtomicFiles.write(file, os -> {
            Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
            w.write(text);
            w.flush();
        });
    }

    private static String csv(String s) {
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
