package io.transfer4j.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.augmentation.DecodedImage;
import io.transfer4j.augmentation.ImageDecoder;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.core.internal.GradCamEngine;
import io.transfer4j.core.internal.InputArrays;
import io.transfer4j.zoo.Normalization;

/**
 * Thread-safe inference on a trained model for batch applications: top-k predictions, feature vectors and
 * Grad-CAM explanations for an {@link ImageInput}: a file, bytes, a {@code BufferedImage} or raw pixels. Resize
 * (the manifest's interpolation), colour mode (the model's channel count) and normalisation (the backbone's)
 * come from the bundle, never from the caller.
 *
 * <pre>{@code
 * try (Predictor p = Predictor.open(Path.of("model.t4j"))) {
 *     List<Prediction> top3 = p.predict(ImageInput.of(Path.of("cat.jpg")), 3);
 *     p.predictAll(Path.of("inbox"), 1).writeCsv(Path.of("predictions.csv"));
 * }
 * }</pre>
 *
 * <p>Concurrency: a pool of up to {@link Options#parallelism()} graph copies; each call borrows one, so calls
 * from many threads run in parallel (DL4J graphs are not thread-safe to share) and give exactly the answers a
 * single thread would.
 */
public final class Predictor implements AutoCloseable {

    /**
     * @param parallelism  graph copies in the pool (>= 1): how many calls run at once
     * @param batchSize    images per forward pass in {@link #predictAll} (>= 1)
     * @param gradCamLayer the feature-map layer for {@link #explain}; null = the last conv/activation before the cut
     * @param maxPixels    decompression-bomb guard (>= 1): image files whose header declares more pixels
     *                     (width x height) are refused before decoding; default
     *                     {@link ImageDecoder#DEFAULT_MAX_PIXELS}
     */
    public record Options(int parallelism, int batchSize, String gradCamLayer, long maxPixels) {
        public Options {
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be >= 1; received " + parallelism);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1; received " + batchSize);
            }
            if (maxPixels < 1) {
                throw new IllegalArgumentException("maxPixels must be >= 1 (pixels, width x height); received "
                        + maxPixels + "; the default is " + ImageDecoder.DEFAULT_MAX_PIXELS);
            }
        }

        /** Options with the decoder's default pixel limit. */
        public Options(int parallelism, int batchSize, String gradCamLayer) {
            this(parallelism, batchSize, gradCamLayer, ImageDecoder.DEFAULT_MAX_PIXELS);
        }

        /** Up to 4 parallel graph copies (fewer on small machines), batches of 16, default Grad-CAM layer. */
        public static Options defaults() {
            return new Options(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), 16, null);
        }

        public Options withParallelism(int p) {
            return new Options(p, batchSize, gradCamLayer, maxPixels);
        }

        public Options withBatchSize(int b) {
            return new Options(parallelism, b, gradCamLayer, maxPixels);
        }

        public Options withGradCamLayer(String layer) {
            return new Options(parallelism, batchSize, layer, maxPixels);
        }

        /** Another decompression-bomb limit, e.g. for scans larger than 89 megapixels. */
        public Options withMaxPixels(long m) {
            return new Options(parallelism, batchSize, gradCamLayer, m);
        }
    }

    /** One pooled inference graph and its lazily built Grad-CAM engine. */
    private static final class Slot {
        final InferenceGraph inference;
        GradCamEngine gradCam;

        Slot(InferenceGraph inference) {
            this.inference = inference;
        }
    }

    private final TransferModel model;
    /** Derived from the model's graph once; every slot runs a copy of it (the original is not kept). */
    private final InferenceGraph derived;
    private final Options options;
    /** Decodes image files within {@link Options#maxPixels()}. */
    private final ImageDecoder decoder;
    private final BlockingQueue<Slot> idle;
    private final AtomicInteger created = new AtomicInteger();
    private final String gradCamLayer;
    private volatile boolean closed;

    private Predictor(TransferModel model, ComputationGraph prototype, Options options) {
        this.model = model;
        this.options = options;
        this.decoder = ImageDecoder.withMaxPixels(options.maxPixels());
        this.idle = new ArrayBlockingQueue<>(options.parallelism());
        if (options.gradCamLayer() != null) {
            List<String> body = model.bodyVertices();
            if (!body.contains(options.gradCamLayer())) {
                throw new IllegalArgumentException("Unknown Grad-CAM layer '" + options.gradCamLayer() + "'; layers"
                        + " before the cut: " + String.join(", ", body) + "."
                        + io.transfer4j.internal.Names.didYouMean(options.gradCamLayer(), body));
            }
            this.gradCamLayer = options.gradCamLayer();
        } else {
            this.gradCamLayer = null;
        }
        // the values Predictor reads besides the outputs stay unfused: the embedding and the Grad-CAM layer
        List<String> keep = new ArrayList<>(List.of(model.embeddingVertex()));
        String camLayer = gradCamLayer != null ? gradCamLayer : defaultGradCamLayer(model);
        if (camLayer != null) {
            keep.add(camLayer);
        }
        this.derived = InferenceGraph.derive(prototype, prototype.getConfiguration().getNetworkOutputs(), keep);
        this.idle.add(new Slot(derived));
        this.created.set(1);
    }

    private static String defaultGradCamLayer(TransferModel model) {
        try {
            return GradCamEngine.defaultTarget(model.plainConfiguration(), model.inputType(), model.bodyVertices());
        } catch (IllegalArgumentException noFeatureMap) {
            return null; // explain() reports it when asked
        }
    }

    /** Opens a bundle file with default options. */
    public static Predictor open(Path bundle) throws IOException {
        return open(bundle, Options.defaults());
    }

    public static Predictor open(Path bundle, Options options) throws IOException {
        TransferModel m = ModelBundle.load(bundle);
        Predictor p = new Predictor(m, m.graph(), options);
        m.install(null, m.trainable()); // the bundle's graph (and any optimiser state) is not needed any more
        return p;
    }

    /** A predictor on a copy of {@code model}'s current weights (later training does not affect it). */
    public static Predictor of(TransferModel model) {
        return of(model, Options.defaults());
    }

    public static Predictor of(TransferModel model, Options options) {
        return new Predictor(model, model.graph(), options);
    }

    public List<String> labels() {
        return model.labels();
    }

    public Task task() {
        return model.task();
    }

    /** The manifest's preprocessing facts, for display. */
    public Normalization normalization() {
        return model.normalization();
    }

    public io.transfer4j.zoo.InputShape input() {
        return model.input();
    }

    // ------------------------------------------------------------------ predict

    /** The top {@code k} classes for one image, best first. */
    public List<Prediction> predict(ImageInput image, int k) throws IOException {
        checkK(k);
        return ranked(run(prepare(image).normalised, false)[0].getRow(0), k);
    }

    /**
     * Every image file under {@code dirOrFile} (recursively, sorted by path; extensions from
     * {@link ImageDecoder#IMAGE_EXTENSIONS}, the list training uses too), or that one file.
     */
    public PredictionTable predictAll(Path dirOrFile, int k) throws IOException {
        if (!Files.exists(dirOrFile)) {
            throw new java.nio.file.NoSuchFileException(dirOrFile.toString(), null, "no such file or directory");
        }
        if (Files.isDirectory(dirOrFile)) {
            try (Stream<Path> s = Files.walk(dirOrFile)) {
                // not only regular files: a FIFO or a broken link named like an image is reported (as 'data check'
                // does), not silently skipped; the decoder refuses it without opening it
                return predictAll(s.filter(p -> !Files.isDirectory(p)).filter(Predictor::isImageName).sorted()
                        .toList(), k);
            }
        }
        return predictAll(List.of(dirOrFile), k);
    }

    /** The given files, in the given order, in batches; unreadable files become error rows. */
    public PredictionTable predictAll(List<Path> files, int k) {
        checkK(k);
        List<PredictionTable.Row> rows = new ArrayList<>();
        batched(files, false, (file, out, error) -> rows.add(error != null
                ? new PredictionTable.Row(file, List.of(), error)
                : new PredictionTable.Row(file, ranked(out, k), null)));
        return new PredictionTable(model.labels(), k, rows);
    }

    /**
     * One file's embedding from {@link #embedAll}.
     *
     * @param file   the input file
     * @param vector the features ({@link #embeddingSize()} values), or null when {@code error} is set
     * @param error  why the file could not be embedded, or null
     */
    public record Embedding(Path file, float[] vector, String error) {
    }

    /** Embeddings of the given files, in order, computed in batches; unreadable files get an error instead. */
    public List<Embedding> embedAll(List<Path> files) {
        List<Embedding> out = new ArrayList<>();
        batched(files, true, (file, row, error) -> out.add(new Embedding(file,
                error == null ? row.toFloatVector() : null, error)));
        return out;
    }

    /** Receives one file's output row (or error) from {@link #batched}. */
    private interface RowSink {
        void accept(Path file, INDArray row, String error);
    }

    /** Decodes files in order, runs them in batches of {@code batchSize}, hands each file's row (or error) on. */
    private void batched(List<Path> files, boolean embedding, RowSink sink) {
        for (int start = 0; start < files.size(); start += options.batchSize()) {
            List<Path> chunk = files.subList(start, Math.min(files.size(), start + options.batchSize()));
            List<INDArray> inputs = new ArrayList<>();
            String[] errors = new String[chunk.size()];
            for (int i = 0; i < chunk.size(); i++) {
                try {
                    inputs.add(prepare(decoder.read(chunk.get(i))).normalised);
                } catch (IOException | RuntimeException e) {
                    errors[i] = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
            }
            INDArray out = null;
            if (!inputs.isEmpty()) {
                out = run(Nd4j.concat(0, inputs.toArray(INDArray[]::new)), embedding)[0];
                out = out.reshape(out.size(0), out.length() / out.size(0));
            }
            int next = 0;
            for (int i = 0; i < chunk.size(); i++) {
                sink.accept(chunk.get(i), errors[i] == null ? out.getRow(next++) : null, errors[i]);
            }
        }
    }

    // ------------------------------------------------------------------ embed

    /** The backbone's features for an image: the cut output, pooled as the head pools it (feature-map cuts). */
    public float[] embed(ImageInput image) throws IOException {
        return embedding(prepare(image).normalised);
    }

    /** Length of {@link #embed} vectors. */
    public int embeddingSize() {
        long[] s = model.featureShape();
        if (model.cut().kind() == io.transfer4j.zoo.CutPoint.Kind.FEATURE_MAP
                && model.head().pooling() != Pooling.FLATTEN) {
            return (int) s[0];
        }
        long n = 1;
        for (long d : s) {
            n *= d;
        }
        return (int) n;
    }

    // ------------------------------------------------------------------ explain

    /** Grad-CAM for the top predicted class. */
    public GradCam explain(ImageInput image) throws IOException {
        return explain(prepare(image), -1);
    }

    /** Grad-CAM for class {@code classIndex} (a label index). */
    public GradCam explain(ImageInput image, int classIndex) throws IOException {
        int cls = checkClass(classIndex);
        return explain(prepare(image), cls);
    }

    // ------------------------------------------------------------------ lifecycle

    /** Releases the graph copies. Further calls fail. */
    @Override
    public void close() {
        closed = true;
        idle.clear();
    }

    // ------------------------------------------------------------------ internals

    /** An input in both forms: raw pixels (for overlays) and normalised (for the network). */
    private record Prepared(INDArray raw, INDArray normalised) {
    }

    private Prepared prepare(ImageInput input) throws IOException {
        Objects.requireNonNull(input, "image input must not be null; use ImageInput.of(path | bytes | image | pixels)");
        if (input instanceof ImageInput.File f) {
            return prepare(decoder.read(f.path()));
        }
        if (input instanceof ImageInput.Bytes b) {
            return prepare(decoder.read(b.encoded(), null));
        }
        if (input instanceof ImageInput.Image i) {
            return prepare(ImageDecoder.decode(i.image()));
        }
        return prepare(((ImageInput.Pixels) input).pixels());
    }

    private Prepared prepare(DecodedImage decoded) {
        INDArray raw = ImagePipeline.toInput(decoded, model.input(), Normalization.none(), model.interpolation());
        return new Prepared(raw, model.normalization().applyInPlace(raw.dup()));
    }

    private Prepared prepare(INDArray pixels) {
        INDArray raw = InputArrays.toModelChannels(pixels, model.input());
        return new Prepared(raw, model.normalization().applyInPlace(raw.dup()));
    }

    private INDArray[] run(INDArray batch, boolean withEmbedding) {
        Slot s = borrow();
        try {
            if (withEmbedding) {
                return s.inference.output(List.of(model.embeddingVertex()), batch);
            }
            return new INDArray[] {s.inference.output(batch)};
        } finally {
            release(s);
        }
    }

    private float[] embedding(INDArray input) {
        INDArray e = run(input, true)[0];
        return e.reshape(e.size(0), e.length() / e.size(0)).getRow(0).toFloatVector();
    }

    private GradCam explain(Prepared in, int requested) {
        Slot s = borrow();
        try {
            INDArray probs = s.inference.output(in.normalised).getRow(0);
            int cls = requested >= 0 ? requested : ranked(probs, 1).get(0).index();
            if (s.gradCam == null) {
                String layer = gradCamLayer != null ? model.layerName(gradCamLayer)
                        : GradCamEngine.defaultTarget(model.plainConfiguration(), model.inputType(),
                        model.bodyVertices());
                // the derived graph is a plain (unwrapped) graph itself; Grad-CAM's layer is kept in it
                s.gradCam = new GradCamEngine(s.inference.graph().getConfiguration(), s.inference.graph(), layer,
                        model.inputType());
            }
            int outputIndex = model.task() == Task.BINARY ? 0 : cls;
            double sign = model.task() == Task.BINARY && cls == 0 ? -1 : 1;
            GradCamEngine.Raw raw = s.gradCam.compute(s.inference, in.normalised, outputIndex, sign);
            float[][] coarse = GradCamEngine.normalise(raw.cam());
            float[][] full = GradCamEngine.normalise(GradCamEngine.resize(raw.cam(), model.input().height(),
                    model.input().width()));
            double p = probability(probs, cls);
            return new GradCam(cls, model.labels().get(cls), p, s.gradCam.target(), full, coarse,
                    InputArrays.toImage(in.raw));
        } finally {
            release(s);
        }
    }

    private Slot borrow() {
        if (closed) {
            throw new IllegalStateException("this Predictor is closed");
        }
        Slot s = idle.poll();
        if (s != null) {
            return s;
        }
        while (true) {
            int n = created.get();
            if (n >= options.parallelism()) {
                break;
            }
            if (created.compareAndSet(n, n + 1)) {
                return new Slot(derived.copy());
            }
        }
        try {
            return idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a free model copy", e);
        }
    }

    private void release(Slot s) {
        if (!closed) {
            idle.offer(s);
        }
    }

    private double probability(INDArray row, int index) {
        if (model.task() == Task.BINARY) {
            double p = row.getDouble(0);
            return index == 1 ? p : 1 - p;
        }
        return row.getDouble(index);
    }

    private List<Prediction> ranked(INDArray row, int k) {
        checkK(k);
        List<Prediction> all = new ArrayList<>();
        for (int i = 0; i < model.labels().size(); i++) {
            all.add(new Prediction(model.labels().get(i), i, probability(row, i)));
        }
        all.sort(Comparator.comparingDouble(Prediction::probability).reversed()
                .thenComparingInt(Prediction::index));
        return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }

    private static void checkK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k (how many top predictions) must be >= 1; received " + k);
        }
    }

    private int checkClass(int classIndex) {
        if (classIndex < 0 || classIndex >= model.labels().size()) {
            throw new IllegalArgumentException("class index must be in 0.." + (model.labels().size() - 1) + " ("
                    + String.join(", ", model.labels()) + "); received " + classIndex);
        }
        return classIndex;
    }

    private static boolean isImageName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && !n.startsWith(".") && ImageDecoder.hasImageExtension(n)
                || dot < 0 && ImageDecoder.isDicom(p); // PACS exports name DICOM files without an extension
    }

    /** For tests and diagnostics: graph copies created so far. */
    int copies() {
        return created.get();
    }
}
