package io.transfer4j.cli;

import io.transfer4j.cli.bench.BenchRunner;
import io.transfer4j.cli.bench.Workload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code transfer4j bench}: speed and memory of the model workloads, the image pipeline and SGEMM, as a table and
 * as JSON that {@code bench/compare.py} puts beside {@code bench/pytorch_peer.py}'s (see BENCHMARKS.md).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark inference, head-only training (with and without the feature cache), full "
                + "fine-tuning, the image pipeline, SGEMM peak and peak memory.",
                "For the side-by-side comparison with PyTorch run bench/run.sh (see BENCHMARKS.md)."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--models", split = ",", defaultValue = "resnet50,vgg16",
            description = "Models to run (resnet50, vgg16, mobilenetv2). Default: ${DEFAULT-VALUE}.")
    List<String> models;

    @Option(names = "--workloads", split = ",",
            defaultValue = "sgemm,infer,head,head-cached,top,finetune,pipeline-jpeg,pipeline-png,pipeline-feed",
            description = "Workloads to run (also recipe-plain, recipe-aug, or recipe for both: the time-to-model "
                    + "benchmark on --images). Default: ${DEFAULT-VALUE}.")
    List<String> workloads;

    @Option(names = "--size", defaultValue = "224", description = "Input height = width. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--batch", defaultValue = "16", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--iterations", defaultValue = "5",
            description = "Timed steps (the median is reported). Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--cache-batches", defaultValue = "8",
            description = "Batches in the feature cache for head-cached. Default: ${DEFAULT-VALUE}.")
    int cacheBatches;

    @Option(names = "--recipe-epochs", split = ",", defaultValue = "5,5", paramLabel = "HEAD,TOP",
            description = "Epochs of the recipe's two phases (head, then top group + head). Default: ${DEFAULT-VALUE}.")
    List<Integer> recipeEpochs;

    @Option(names = "--images", defaultValue = "../shared/datasets/dl4j-animals",
            description = "Folder of class sub-folders of JPEG photos for the pipeline workloads. "
                    + "Default: ${DEFAULT-VALUE} (skipped with a note when absent).")
    Path images;

    @Option(names = "--work-dir", defaultValue = "target/bench",
            description = "Scratch space (PNG copies, feature cache). Default: ${DEFAULT-VALUE}.")
    Path workDir;

    @Option(names = "--output", description = "Also write the results as JSON to this file (atomically), for bench/compare.py.")
    Path output;

    @Option(names = "--built-in", description = "Use DL4J's built-in Java layers (no oneDNN helpers), for comparison.")
    boolean builtIn;

    @Option(names = "--in-process", description = "Run every workload in this JVM (faster to start, but peak RSS of "
            + "a workload then includes memory kept from earlier ones). Default: one child JVM per workload and model.")
    boolean inProcess;

    @Option(names = "--note", defaultValue = "", description = "Note attached to every result, e.g. 'measured under contention'.")
    String note;

    @Override
    public Integer call() throws Exception {
        if (size < 32 || size > 1024) {
            throw new UsageException("--size must be in [32, 1024]; received " + size);
        }
        if (batch < 1 || batch > 1024) {
            throw new UsageException("--batch must be in [1, 1024]; received " + batch);
        }
        if (warmup < 0 || iterations < 1 || cacheBatches < 1) {
            throw new UsageException("--warmup must be >= 0, --iterations and --cache-batches >= 1; received "
                    + warmup + ", " + iterations + ", " + cacheBatches);
        }
        if (recipeEpochs.size() != 2 || recipeEpochs.get(0) < 1 || recipeEpochs.get(1) < 1) {
            throw new UsageException("--recipe-epochs takes two epoch counts >= 1, head then top group, e.g. 5,5; "
                    + "received " + recipeEpochs);
        }
        List<Workload> ws = new ArrayList<>();
        for (String w : workloads) {
            try {
                ws.addAll(Workload.parseAll(w));
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        for (String m : models) {
            if (!List.of("resnet50", "vgg16", "mobilenetv2").contains(m)) {
                throw new UsageException("unknown model '" + m + "' in --models; valid: resnet50, vgg16, mobilenetv2");
            }
        }
        BenchRunner runner = new BenchRunner(size, batch, warmup, iterations, cacheBatches, builtIn, images,
                workDir, note, recipeEpochs.get(0), recipeEpochs.get(1), Output.of(spec));
        if (inProcess) {
            runner.run(models, ws);
        } else {
            runner.runIsolated(models, ws, childArgs());
        }
        if (output != null) {
            runner.writeJson(output);
        }
        return ExitCode.OK;
    }

    /** The options a child JVM gets besides --models, --workloads, --output and --in-process. */
    private List<String> childArgs() {
        return List.of("--size", String.valueOf(size), "--batch", String.valueOf(batch), "--warmup",
                String.valueOf(warmup), "--iterations", String.valueOf(iterations), "--cache-batches",
                String.valueOf(cacheBatches), "--recipe-epochs", recipeEpochs.get(0) + "," + recipeEpochs.get(1),
                "--images", images.toString(), "--work-dir", workDir.toString(),
                "--note", note);
    }
}
