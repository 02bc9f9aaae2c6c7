package io.transfer4j.cli.bench;

import io.transfer4j.zoo.Backend;
import io.transfer4j.zoo.BackendReport;

import io.transfer4j.cli.Output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Runs the selected workloads in order, printing one row per result as it is measured. */
public final class BenchRunner {

    private final ModelBench.Settings settings;
    private final Path images;
    private final Output out;
    private final List<BenchResult> results = new ArrayList<>();
    private BackendReport backend;
    private double sgemmPeak;

    public BenchRunner(int size, int batch, int warmup, int iterations, int cacheBatches, boolean builtIn,
                       Path images, Path workDir, String note, Output out) {
        this.settings = new ModelBench.Settings(size, batch, warmup, iterations, cacheBatches, builtIn, workDir,
                ModelBench.join(note, builtIn ? "DL4J built-in layers (no oneDNN helpers)" : ""));
        this.images = images;
        this.out = out;
    }

    public void run(List<String> models, List<Workload> workloads) throws IOException {
        Files.createDirectories(settings.workDir());
        backend = Backend.report();
        out.info(String.format(Locale.ROOT, "transfer4j bench: %s, oneDNN helpers %s, %d cores, %s [%s]",
                backend.nativesFlavour(), settings.builtIn() ? "OFF (--built-in)" : backend.oneDnnActive() ? "active"
                        : "NOT active", backend.cores(), backend.cpu(), String.join(" ", backend.simd())));
        out.info(String.format(Locale.ROOT, "%-14s %-9s %5s %8s %10s %8s %6s %12s  %s", "workload", "model", "batch",
                "img/s", "ms/step", "GFLOP/s", "%peak", "peak RSS", "note"));
        if (workloads.contains(Workload.SGEMM)) {
            record(ModelBench.sgemm(2048, 10, settings.note()));
        }
        ModelBench mb = new ModelBench(settings);
        for (String model : models) {
            for (Workload w : workloads) {
                if (w.needsModel()) {
                    record(mb.run(w, model));
                    System.gc();
                }
            }
        }
        for (Workload w : List.of(Workload.PIPELINE_JPEG, Workload.PIPELINE_PNG)) {
            if (workloads.contains(w)) {
                if (Files.isDirectory(images)) {
                    record(PipelineBench.run(w, images, settings.workDir(), settings.size(), settings.batch(), 2,
                            settings.note()));
                } else {
                    out.warn(w.id() + " skipped: no image folder at " + images.toAbsolutePath()
                            + " (use --images DIR)");
                }
            }
        }
    }

    private void record(BenchResult r) {
        if (r.workload().equals(Workload.SGEMM.id())) {
            sgemmPeak = r.gflops();
        }
        results.add(r);
        out.event("bench_result", Output.fields("result", r, "percent_of_sgemm_peak",
                sgemmPeak > 0 && r.gflops() > 0 ? 100 * r.gflops() / sgemmPeak : null), r.toRow(sgemmPeak));
    }

    public List<BenchResult> results() {
        return List.copyOf(results);
    }

    /** {"runtime": ..., "results": [...]} written to a temp file beside {@code file}, then moved into place. */
    public void writeJson(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "{\"runtime\":\"DL4J 1.0.0-M2.1 (%s, oneDNN helpers %s)\","
                        + "\"threads\":%d,\"sgemm_gflops\":%.2f,\"results\":[", backend.nativesFlavour(),
                settings.builtIn() ? "off" : backend.oneDnnActive() ? "on" : "NOT active", backend.ompThreads(),
                sgemmPeak));
        for (int i = 0; i < results.size(); i++) {
            sb.append(i == 0 ? "\n  " : ",\n  ").append(results.get(i).toJson());
        }
        sb.append("\n]}\n");
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName() + ".", ".tmp");
        Files.writeString(tmp, sb);
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
