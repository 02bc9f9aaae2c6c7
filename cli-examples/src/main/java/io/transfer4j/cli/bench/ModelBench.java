package io.transfer4j.cli.bench;

import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.InferenceGraph;
import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.Pooling;
import io.transfer4j.core.Task;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.internal.FeatureCache;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.Backend;
import io.transfer4j.zoo.CutPoint;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.MemoryEstimate;
import io.transfer4j.zoo.Zoo;

import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Model workloads on the Keras-faithful zoo graphs with random weights (speed does not depend on the weights).
 * Each model is cut where a Keras user replaces the classifier ({@code fc2} for VGG16, {@code flatten_1} for
 * ResNet50) and gets a 10-class softmax head; PyTorch's peer does the same on torchvision's models. Plain SGD.
 */
final class ModelBench {

    static final int CLASSES = 10;
    private static final long SEED = 12345;

    private final Settings s;
    private final Path images;

    ModelBench(Settings settings, Path images) {
        this.s = settings;
        this.images = images;
    }

    /** Benchmark settings shared by all model workloads. */
    record Settings(int size, int batch, int warmup, int iterations, int cacheBatches, boolean builtIn,
                    Path workDir, String note, int headEpochs, int fineTuneEpochs) {
    }

    /** Where the head goes: Keras' usual cut at 224 px; at other sizes a cut that works at every size. */
    private String cut(String model) {
        return switch (model) {
            case "vgg16" -> s.size() == 224 ? "fc2" : "block5_pool";
            case "resnet50" -> "flatten_1";
            case "mobilenetv2" -> "global_average_pooling2d";
            default -> throw new IllegalArgumentException("unknown model '" + model + "'; valid: resnet50, vgg16,"
                    + " mobilenetv2");
        };
    }

    private <T> T build(Supplier<T> b) {
        return s.builtIn() ? Backend.withBuiltInLayers(b) : b.get();
    }

    /**
     * The zoo graph with its top replaced by a 10-class softmax head on the cut (after global average pooling
     * when the cut is a feature map); frozen up to the cut if {@code headOnly}.
     */
    private ComputationGraph classifier(String model, boolean headOnly) {
        return classifier(model, headOnly ? Frozen.BODY : Frozen.NONE, CLASSES);
    }

    /** What a workload freezes: nothing, or the body up to the cut. */
    enum Frozen { NONE, BODY }

    private ComputationGraph classifier(String model, boolean headOnly, int classes) {
        return classifier(model, headOnly ? Frozen.BODY : Frozen.NONE, classes);
    }

    private ComputationGraph classifier(String model, Frozen frozen, int classes) {
        return build(() -> {
            Zoo zoo = Zoo.builder().offline(true).build();
            Backbone b = zoo.random(model, InputShape.rgb(s.size(), s.size()), SEED);
            ComputationGraph g = b.graph();
            String cut = cut(model);
            CutPoint cp = zoo.spec(model).cutPoint(cut);
            TransferLearning.GraphBuilder tb = new TransferLearning.GraphBuilder(g)
                    .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(1e-3)).seed(SEED).build());
            if (frozen == Frozen.BODY) {
                tb.setFeatureExtractor(cut);
            }
            for (String out : g.getConfiguration().getNetworkOutputs()) {
                if (!out.equals(cut)) {
                    tb.removeVertexAndConnections(out);
                }
            }
            String headInput = cut;
            if (cp.kind() == CutPoint.Kind.FEATURE_MAP) {
                tb.addLayer("bench_gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), cut);
                headInput = "bench_gap";
            }
            return tb.addLayer("bench_out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                            .nIn(cp.features()).nOut(classes).activation(Activation.SOFTMAX).build(), headInput)
                    .setOutputs("bench_out").build();
        });
    }

    /**
     * The kernel table's classifier (same cut and 10-class head) as a TransferModel training {@code trainable}
     * ({@code null}: the recipe's top group).
     */
    private TransferModel transferModel(String model, LayerSelection trainable) {
        return build(() -> {
            Zoo zoo = Zoo.builder().offline(true).build();
            Backbone b = zoo.random(model, InputShape.rgb(s.size(), s.size()), SEED);
            String cut = cut(model);
            HeadSpec head = zoo.spec(model).cutPoint(cut).kind() == CutPoint.Kind.FEATURE_MAP
                    ? HeadSpec.builder().pooling(Pooling.AVG).build() : HeadSpec.defaults();
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < CLASSES; i++) {
                labels.add("c" + i);
            }
            return TransferModel.builder().backbone(b).cut(cut).head(head).task(Task.MULTICLASS).labels(labels)
                    .trainable(trainable != null ? trainable : LayerSelection.fromGroup(RecipeBench.topGroup(model, b)))
                    .updater(new Sgd(1e-3))
                    .seed(SEED).build();
        });
    }

    private DataSet batch(int seedOffset) {
        Nd4j.getRandom().setSeed(SEED + seedOffset);
        INDArray x = Nd4j.rand(DataType.FLOAT, s.batch(), 3, s.size(), s.size()).muli(2).subi(1);
        INDArray y = Nd4j.zeros(DataType.FLOAT, s.batch(), CLASSES);
        for (int i = 0; i < s.batch(); i++) {
            y.putScalar(i, (i * 7 + seedOffset) % CLASSES, 1f);
        }
        return new DataSet(x, y);
    }

    BenchResult run(Workload w, String model) {
        ProcessMemory.resetPeak();
        InputType in = InputType.convolutional(s.size(), s.size(), 3);
        return switch (w) {
            case INFER -> {
                // what Predictor runs: the derived graph (BN folded, activations fused); the original is dropped
                // before timing, as Predictor does, so the peak RSS holds one copy of the weights
                ComputationGraph g = classifier(model, false);
                DataSet d = batch(0);
                double flops = Flops.forwardPerImage(g.getConfiguration(), in);
                String preflight = preflight(g, MemoryEstimate.Mode.INFERENCE);
                InferenceGraph ig = InferenceGraph.derive(g);
                String derived = String.format(java.util.Locale.ROOT, "derived inference graph, %s: %d BN folded, %d"
                        + " activations fused, %d add+activation fused", ig.layout(), ig.foldedBatchNorms(),
                        ig.fusedActivations(), ig.fusedAdds());
                g = null;
                System.gc();
                ProcessMemory.resetPeak();
                double ms = median(() -> ig.output(d.getFeatures()));
                yield result(w, model, ms, flops, join(derived, preflight));
            }
            case FINETUNE -> {
                // FineTuner's full collection at a phase start (Engine.collectGarbage) frees the zoo graph that
                // TransferLearning copied and its random initialisation; without it the peak RSS counted those
                // dead ~0.5 GiB of VGG16 weights as if training held them
                ComputationGraph g = classifier(model, false);
                int bounded = Backend.boundConvolutionMemory(g); // as FineTuner's Engine does for every graph it trains
                DataSet d = batch(0);
                double flops = 3 * Flops.forwardPerImage(g.getConfiguration(), in);
                System.gc();
                ProcessMemory.resetPeak();
                double ms = median(() -> g.fit(d));
                yield result(w, model, ms, flops, join(preflight(g, MemoryEstimate.Mode.TRAINING),
                        bounded + " convolutions batch-chunked"));
            }
            case HEAD, TOP -> {
                // an uncached phase (as on augmented data) as FineTuner runs it by default (prefixPerBatch): the
                // frozen prefix on the derived inference graph (BN folded), then one step of the model's suffix
                // graph (HEAD: the head alone; TOP: the recipe's top group + head) on the prefix's activations
                TransferModel tm = transferModel(model, w == Workload.HEAD ? LayerSelection.headOnly() : null);
                String boundary = tm.freezeBoundary().orElseThrow();
                InferenceGraph prefix = InferenceGraph.derive(tm.graph(), boundary);
                ComputationGraph suffix = tm.suffixGraph();
                DataSet d = batch(0);
                double fwd = Flops.forwardPerImage(tm.graph().getConfiguration(), in);
                String preflight = preflight(tm.graph(), MemoryEstimate.Mode.TRAINING);
                double ms = median(() -> suffix.fit(new DataSet(prefix.output(d.getFeatures()), d.getLabels())));
                yield result(w, model, ms, fwd, join("FineTuner's uncached " + (w == Workload.HEAD ? "head-only"
                        : "top") + " phase: frozen prefix up to " + boundary + " on the derived graph, "
                        + (w == Workload.HEAD ? "head" : "top group + head") + " trained on its output; GFLOP/s "
                        + "counts the forward pass only", preflight));
            }
            case RECIPE, RECIPE_AUG -> {
                try {
                    yield RecipeBench.run(model, w == Workload.RECIPE_AUG, s.headEpochs(), s.fineTuneEpochs(), s,
                            images);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            case HEAD_CACHED -> headCached(model);
            case PIPELINE_FEED -> feed(model);
            default -> throw new IllegalArgumentException(w + " is not a model workload");
        };
    }

    /**
     * Builds the feature cache with training's {@code FeatureCache} over {@code cacheBatches} batches, then times
     * one epoch of head training over the cache (median of the iterations). Images/s counts cached images.
     */
    private BenchResult headCached(String model) {
        ComputationGraph full = classifier(model, true);
        String bodyOut = full.getConfiguration().getVertexInputs().get("bench_out").get(0);
        ComputationGraph body = build(() -> new TransferLearning.GraphBuilder(full).removeVertexAndConnections("bench_out")
                .setOutputs(bodyOut).build());
        long features = full.getLayer("bench_out").getParam("W").size(0);
        ComputationGraph head = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(SEED)
                .updater(new Sgd(1e-3)).graphBuilder().addInputs("features")
                .addLayer("bench_out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(features)
                        .nOut(CLASSES).activation(Activation.SOFTMAX).build(), "features")
                .setOutputs("bench_out").build());
        head.init();
        List<DataSet> source = new ArrayList<>();
        for (int i = 0; i < s.cacheBatches(); i++) {
            source.add(batch(i));
        }
        long t0 = System.nanoTime();
        try (FeatureCache cache = FeatureCache.build(model + "@" + bodyOut, new ExistingDataSetIterator(source),
                InferenceGraph.derive(body)::output, Long.MAX_VALUE, s.workDir().resolve("feature-cache"))) {
            double buildMs = (System.nanoTime() - t0) / 1e6;
            long[] epoch = {0};
            double ms = median(() -> {
                Iterator<DataSet> it = cache.shuffled(SEED + epoch[0]++);
                while (it.hasNext()) {
                    head.fit(it.next());
                }
            });
            int images = s.cacheBatches() * s.batch();
            double ips = images / (ms / 1000);
            return new BenchResult(Workload.HEAD_CACHED.id(), model, s.batch(), s.size(), ips, ms, 0,
                    ProcessMemory.peakRss(), join(s.note(), String.format(java.util.Locale.ROOT,
                    "epoch of %d cached images; building the cache took %.0f ms", images, buildMs)));
        }
    }

    /**
     * Head-only training (frozen body, the fastest uncached step, so the strictest test) fed by augmentation's
     * {@code flowFromDirectory} with one background worker and two batches prefetched, as a training run uses it:
     * the time {@code hasNext}/{@code next} block, as a share of the step. Epoch starts are included (the flow
     * starts preparing an epoch when it is reset).
     */
    private BenchResult feed(String model) {
        if (images == null || !java.nio.file.Files.isDirectory(images)) {
            throw new IllegalArgumentException("pipeline-feed needs a folder of class sub-folders: --images DIR");
        }
        io.transfer4j.augmentation.ImagePipeline pipe = io.transfer4j.augmentation.ImagePipeline
                .forBackbone(Zoo.builder().offline(true).build().spec(model)).augment(PipelineBench.augmentation());
        try (io.transfer4j.augmentation.DirectoryFlow flow = pipe.flowFromDirectory(images,
                io.transfer4j.augmentation.FlowOptions.builder().targetSize(s.size(), s.size()).batchSize(s.batch())
                        .workers(1).prefetch(2).seed(SEED).build())) {
            ComputationGraph g = classifier(model, true, flow.getLabels().size());
            double[] stepMs = new double[s.iterations()];
            double[] waitMs = new double[s.iterations()];
            long images = 0;
            for (int i = -s.warmup(); i < s.iterations(); i++) {
                long t0 = System.nanoTime();
                long w0 = flow.waitTime().toNanos();
                if (!flow.hasNext()) {
                    flow.reset();
                }
                DataSet d = flow.next();
                long waited = flow.waitTime().toNanos() - w0;
                g.fit(d);
                if (i >= 0) {
                    stepMs[i] = (System.nanoTime() - t0) / 1e6;
                    waitMs[i] = waited / 1e6;
                    images += d.numExamples();
                }
            }
            double step = Arrays.stream(stepMs).sum();
            double wait = Arrays.stream(waitMs).sum();
            double max = Arrays.stream(waitMs).max().orElse(0);
            return new BenchResult(Workload.PIPELINE_FEED.id(), model, s.batch(), s.size(), images / (step / 1000),
                    step / s.iterations(), 0, ProcessMemory.peakRss(), join(s.note(), String.format(
                    java.util.Locale.ROOT, "trainer waited %.1f ms per step on average = %.2f %% of the step "
                            + "(longest wait %.0f ms); %d steps over %d images", wait / s.iterations(), 100 * wait / step,
                    max, s.iterations(), flow.samples())));
        }
    }

    /** The memory preflight's estimate, so BENCHMARKS.md can set it beside the measured peak RSS. */
    private String preflight(ComputationGraph g, MemoryEstimate.Mode mode) {
        MemoryEstimate e = MemoryEstimate.of(g, InputShape.rgb(s.size(), s.size()), s.batch(), mode);
        return String.format(java.util.Locale.ROOT, "preflight estimate %.2f GiB", e.totalBytes() / (1024.0 * 1024 * 1024));
    }

    private BenchResult result(Workload w, String model, double ms, double flopsPerImage, String note) {
        double ips = s.batch() / (ms / 1000);
        return new BenchResult(w.id(), model, s.batch(), s.size(), ips, ms, flopsPerImage * ips / 1e9,
                ProcessMemory.peakRss(), join(s.note(), note));
    }

    static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "; " + b;
    }

    /** Median wall time in ms of {@code iterations} runs after {@code warmup} runs. */
    private double median(Runnable step) {
        for (int i = 0; i < s.warmup(); i++) {
            step.run();
        }
        double[] t = new double[s.iterations()];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            step.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
    }

    /** Best-of-N fp32 SGEMM GFLOP/s at n x n (the peak the model numbers are compared to). */
    static BenchResult sgemm(int n, int repeats, String note) {
        ProcessMemory.resetPeak();
        Nd4j.getRandom().setSeed(SEED);
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, new long[] {n, n}, 'f');
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        double gflops = 2.0 * n * n * n / (best / 1000) / 1e9;
        return new BenchResult(Workload.SGEMM.id(), "-", 0, n, 0, best, gflops, ProcessMemory.peakRss(),
                join(note, "best of " + repeats + ", Nd4j.gemm " + n + "x" + n));
    }
}
