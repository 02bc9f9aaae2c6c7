package io.transfer4j.cli.report;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a run report shows.
 *
 * @param title     heading, e.g. "transfer4j quickstart"
 * @param created   when the run finished
 * @param facts     short ordered key/value facts (backbone, weights, input size, duration, bundle path ...)
 * @param config    the run configuration as written to {@code config.json}
 * @param history   the epochs of all phases in order
 * @param test      test-set results, or null when there was no test split
 * @param confused  the most confused test samples (may be empty)
 * @param notes     paragraphs worth reading (e.g. why ImageNet weights were not used)
 */
public record RunReport(String title, Instant created, Map<String, String> facts, Map<String, Object> config,
                        List<HistoryEntry> history, Evaluation test, List<ConfusedSample> confused,
                        List<String> notes) {
    public RunReport {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(created, "created");
        facts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        config = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(config));
        history = List.copyOf(history);
        confused = List.copyOf(confused);
        notes = List.copyOf(notes);
    }
}
