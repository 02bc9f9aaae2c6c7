package io.transfer4j.cli.bench;

import io.transfer4j.zoo.Backend;
import io.transfer4j.zoo.BackendReport;

import io.transfer4j.cli.Output;
import io.transfer4j.cli.Transfer4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.management.ManagementFactory;
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
                       Path images, Path workDir, String note, int headEpochs, int fineTuneEpochs, Output out) {
        this.settings = new ModelBench.Settings(size, batch, warmup, iterations, cacheBatches, builtIn, workDir,
                ModelBench.join(note, builtIn ? "DL4J built-in layers (no oneDNN helpers)" : ""), headEpochs,
                fineTuneEpochs);
        this.images = images;
        this.out = out;
    }

    public void run(List<String> models, List<Workload> workloads) throws IOException {
        Files.createDirectories(settings.workDir());
        backend = Backend.report();
        header();
        if (workloads.contains(Workload.SGEMM)) {
            record(ModelBench.sgemm(2048, 10, settings.note()));
        }
        ModelBench mb = new ModelBench(settings, images);
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
                    record(PipelineBench.run(w, images, settings.workDir(), settings.size(), settings.batch(), 5,
                            settings.note()));
                } else {
                    out.warn(w.id() + " skipped: no image folder at " + images.toAbsolutePath()
                            + " (use --images DIR)");
                }
            }
        }
    }

    /**
     * Runs each (workload, model) in a child JVM with this JVM's options and class path, so each peak RSS is that
     * workload's alone, and collects the children's JSON. The SGEMM peak is measured here.
     */
    public void runIsolated(List<String> models, List<Workload> workloads, List<String> common)
            throws IOException, InterruptedException {
        Files.createDirectories(settings.workDir());
        backend = Backend.report();
        header();
        if (workloads.contains(Workload.SGEMM)) {
            record(ModelBench.sgemm(2048, 10, settings.note()));
        }
        List<String[]> jobs = new ArrayList<>();
        for (String model : models) {
            for (Workload w : workloads) {
                if (w.needsModel()) {
                    jobs.add(new String[] {w.id(), model});
                }
            }
        }
        for (Workload w : workloads) {
            if (!w.needsModel() && w != Workload.SGEMM) {
                jobs.add(new String[] {w.id(), "resnet50"});
            }
        }
        ObjectMapper json = new ObjectMapper();
        for (String[] job : jobs) {
            Path out = settings.workDir().resolve("child-" + job[0] + "-" + job[1] + ".json").toAbsolutePath();
            Files.deleteIfExists(out);
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Transfer4j.class.getName(), "bench",
                    "--in-process", "--workloads", job[0], "--models", job[1], "--output", out.toString()));
            cmd.addAll(common);
            if (settings.builtIn()) {
                cmd.add("--built-in");
            }
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int code = p.waitFor();
            if (code != 0 || !Files.exists(out)) {
                this.out.warn(job[0] + " " + job[1] + ": child JVM failed with exit code " + code
                        + "; run it alone to see why: transfer4j bench --in-process --workloads " + job[0]
                        + " --models " + job[1]);
                continue;
            }
            for (JsonNode r : json.readTree(out.toFile()).path("results")) {
                record(new BenchResult(r.path("workload").asText(), r.path("model").asText(), r.path("batch").asInt(),
                        r.path("size").asInt(), r.path("images_per_second").asDouble(), r.path("ms_per_step").asDouble(),
                        r.path("gflops").asDouble(), r.path("peak_rss_bytes").asLong(), r.path("note").asText(),
                        r.has("extra") ? json.convertValue(r.get("extra"), java.util.LinkedHashMap.class) : null));
            }
        }
    }

    private void header() {
        out.info(String.format(Locale.ROOT, "transfer4j bench: %s, oneDNN helpers %s, %d cores, %s [%s]",
                backend.nativesFlavour(), settings.builtIn() ? "OFF (--built-in)" : backend.oneDnnActive() ? "active"
                        : "NOT active", backend.cores(), backend.cpu(), String.join(" ", backend.simd())));
        out.info(String.format(Locale.ROOT, "%-14s %-9s %5s %8s %10s %8s %6s %12s  %s", "workload", "model", "batch",
                "img/s", "ms/step", "GFLOP/s", "%peak", "peak RSS", "note"));
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
