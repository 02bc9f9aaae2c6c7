package io.transfer4j.cli.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One measured workload.
 *
 * @param workload         workload id
 * @param model            {@code resnet50}, {@code vgg16}, or {@code -} for model-free workloads
 * @param batch            images per step (0 for SGEMM)
 * @param size             input height = width in pixels (SGEMM: matrix size)
 * @param imagesPerSecond  median throughput (SGEMM: 0)
 * @param msPerStep        median time of one step (batch, or cache epoch for head-cached)
 * @param gflops           achieved GFLOP/s of the model arithmetic (0 when not meaningful)
 * @param peakRssBytes     peak resident memory of the process while this workload ran (-1 if unknown)
 * @param note             anything the reader must know (e.g. "measured under contention")
 * @param extra            workload-specific figures (the recipe's wall time, per-phase time, final validation loss
 *                         and accuracy), written as the JSON object {@code extra}; empty for kernel workloads
 */
public record BenchResult(String workload, String model, int batch, int size, double imagesPerSecond,
                          double msPerStep, double gflops, long peakRssBytes, String note, Map<String, Object> extra) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public BenchResult {
        extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public BenchResult(String workload, String model, int batch, int size, double imagesPerSecond, double msPerStep,
                       double gflops, long peakRssBytes, String note) {
        this(workload, model, batch, size, imagesPerSecond, msPerStep, gflops, peakRssBytes, note, Map.of());
    }

    public String toJson() {
        return String.format(Locale.ROOT, "{\"workload\":\"%s\",\"model\":\"%s\",\"batch\":%d,\"size\":%d,"
                        + "\"images_per_second\":%.4f,\"ms_per_step\":%.3f,\"gflops\":%.2f,\"peak_rss_bytes\":%d,"
                        + "\"note\":\"%s\"%s}", workload, model, batch, size, imagesPerSecond, msPerStep, gflops,
                peakRssBytes, note.replace("\\", "\\\\").replace("\"", "'"), extraJson());
    }

    private String extraJson() {
        if (extra.isEmpty()) {
            return "";
        }
        try {
            return ",\"extra\":" + JSON.writeValueAsString(extra);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bench result extra is not JSON-serialisable: " + extra, e);
        }
    }

    public String toRow(double sgemmPeak) {
        String pct = gflops > 0 && sgemmPeak > 0 ? String.format(Locale.ROOT, "%5.1f%%", 100 * gflops / sgemmPeak) : "     ";
        return String.format(Locale.ROOT, "%-14s %-9s %5d %8.2f %10.1f %8.1f %s %8.0f MiB  %s", workload, model, batch,
                imagesPerSecond, msPerStep, gflops, pct, peakRssBytes / (1024.0 * 1024), note);
    }
}
