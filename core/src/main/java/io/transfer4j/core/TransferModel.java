package io.transfer4j.core;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

import io.transfer4j.augmentation.Interpolation;
import io.transfer4j.core.internal.BatchNormCalibrator;
import io.transfer4j.core.internal.GraphSurgery;
import io.transfer4j.internal.Names;
import io.transfer4j.core.internal.Versions;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.CutPoint;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.LayerGroup;
import io.transfer4j.zoo.Normalization;

/**
 * A backbone cut at a named point, with a new head for the user's labels, and a trainable selection that
 * decides which part of the backbone is frozen. Frozen means frozen: frozen layers run in inference mode (so
 * BatchNorm uses and never updates its running statistics), receive no gradient and have no updater.
 *
 * <pre>{@code
 * TransferModel m = TransferModel.builder()
 *         .backbone(zoo.load("resnet50", InputShape.rgb(224, 224)))
 *         .head(HeadSpec.builder().pooling(Pooling.AVG).dense(256, Activation.RELU, 0.5, false).build())
 *         .task(Task.MULTICLASS).labels(List.of("cat", "dog", "fox"))
 *         .trainable(LayerSelection.headOnly())
 *         .build();
 * m.graph().fit(trainIterator);            // trains the head only
 * m.setTrainable(LayerSelection.fromGroup("res5"), new Adam(1e-5));   // head weights are kept
 * }</pre>
 *
 * <p>Not thread-safe: train from one thread; for concurrent inference use a {@link Predictor}.
 */
public final class TransferModel {

    private final Manifest.BackboneInfo backbone;
    private final InputShape input;
    private final Normalization normalization;
    private final CutPoint cut;
    private final HeadSpec head;
    private final Task task;
    private final List<String> labels;
    private final long seed;
    /** The whole graph (body + head) without frozen wrappers; the recipe for every re-materialisation. */
    private final ComputationGraphConfiguration plain;
    /** Body vertices (network inputs excluded) in topological order, ending with the cut. */
    private final List<String> body;
    private final List<String> headVertices;
    private final Interpolation interpolation;
    private LayerSelection trainable;
    private IUpdater updater;
    private ComputationGraph graph;
    /** The inference-optimised copy of {@link #graph}, rebuilt when the graph or its parameters change. */
    private InferenceGraph inference;
    private TrainingProvenance training = TrainingProvenance.none();

    TransferModel(Manifest.BackboneInfo backbone, InputShape input, Normalization normalization, CutPoint cut,
                  HeadSpec head, Task task, List<String> labels, long seed, Interpolation interpolation,
                  ComputationGraphConfiguration plain, IUpdater updater) {
        this.backbone = backbone;
        this.input = input;
        this.normalization = normalization;
        this.cut = cut;
        this.head = head;
        this.task = task;
        this.labels = List.copyOf(labels);
        this.seed = seed;
        this.interpolation = interpolation == null ? Interpolation.NEAREST : interpolation;
        this.plain = plain;
        this.updater = updater;
        Set<String> ancestors = GraphSurgery.ancestors(plain, cut.name());
        List<String> order = GraphSurgery.topologicalOrder(plain);
        this.body = order.stream().filter(v -> ancestors.contains(v) && !plain.getNetworkInputs().contains(v))
                .toList();
        this.headVertices = order.stream().filter(v -> !ancestors.contains(v)).toList();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ accessors

    /** The trainable DL4J graph: body (frozen parts wrapped) + head. A new instance after {@link #setTrainable}. */
    public ComputationGraph graph() {
        return graph;
    }

    /**
     * {@link #graph()} derived for inference ({@link InferenceGraph}: BatchNorm folded into convolutions,
     * activations fused): what evaluation and prediction run. Built on first use and rebuilt when the graph or
     * its parameters have changed since (a training step, loaded weights, {@link #setTrainable}); the check is a
     * checksum of the parameters. The model's own parameters are never touched.
     */
    public InferenceGraph inferenceGraph() {
        InferenceGraph ig = inference;
        if (ig == null || !ig.isCurrentFor(graph)) {
            ig = InferenceGraph.derive(graph, graph.getConfiguration().getNetworkOutputs(),
                    List.of(embeddingVertex()));
            inference = ig;
        }
        return ig;
    }

    public List<String> labels() {
        return labels;
    }

    public Task task() {
        return task;
    }

    public InputShape input() {
        return input;
    }

    public Normalization normalization() {
        return normalization;
    }

    /**
     * This model's vertex name for {@code name}, which may also be a tf.keras layer name that maps one to one
     * (ResNet50's {@code conv5_block3_out} is {@code res5c_relu}); unknown names come back unchanged.
     */
    public String layerName(String name) {
        if (name == null || plain.getVertices().containsKey(name)) {
            return name;
        }
        String mapped = backbone.architecture().vertexName(name);
        return plain.getVertices().containsKey(mapped) ? mapped : name;
    }

    public CutPoint cut() {
        return cut;
    }

    /** The head as built (pooling resolved: null for vector cuts). */
    public HeadSpec head() {
        return head;
    }

    public Manifest.BackboneInfo backbone() {
        return backbone;
    }

    public long seed() {
        return seed;
    }

    /** Resampling a Predictor uses to resize images to {@link #input()}; should match training's. */
    public Interpolation interpolation() {
        return interpolation;
    }

    public LayerSelection trainable() {
        return trainable;
    }

    /** The updater trainable layers currently use. */
    public IUpdater updater() {
        return updater;
    }

    /** Vertex name whose output is the backbone's features (the cut); the feature cache stores its output. */
    public String bodyOutputName() {
        return cut.name();
    }

    /** Shape of one sample's features at the cut: {@code [channels, height, width]} or {@code [features]}. */
    public long[] featureShape() {
        return shapeOf(cutType());
    }

    private static long[] shapeOf(InputType t) {
        if (t instanceof InputType.InputTypeConvolutional c) {
            return new long[] {c.getChannels(), c.getHeight(), c.getWidth()};
        }
        return new long[] {t.arrayElementsPerExample()};
    }

    /** The vertex whose output {@link Predictor#embed} returns: the pooled (or flattened) cut features. */
    public String embeddingVertex() {
        if (cut.kind() == CutPoint.Kind.VECTOR) {
            return cut.name();
        }
        return head.pooling() == Pooling.FLATTEN ? GraphSurgery.FLATTEN : GraphSurgery.POOL;
    }

    /** Body vertex names in topological order (network inputs excluded), the cut last. */
    public List<String> bodyVertices() {
        return body;
    }

    /** Head vertex names in topological order. */
    public List<String> headVertices() {
        return headVertices;
    }

    /** Vertices currently frozen. */
    public Set<String> frozenVertices() {
        return GraphSurgery.frozenVertices(graph.getConfiguration());
    }

    /** Number of parameters that training can change (BatchNorm running statistics excluded). */
    public long trainableParameters() {
        Set<String> frozen = frozenVertices();
        long n = 0;
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (!frozen.contains(name)) {
                org.deeplearning4j.nn.api.Layer in = GraphSurgery.inner(l);
                n += in.paramTable().entrySet().stream()
                        .filter(e -> !e.getKey().equals("mean") && !e.getKey().equals("var")
                                && !e.getKey().equals("log10stdev"))
                        .mapToLong(e -> e.getValue().length()).sum();
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ freezing

    /**
     * Re-freezes/unfreezes: every parameter (head included) and BatchNorm statistic is kept; only which layers
     * train and with which updater changes. Updater state (e.g. Adam moments) starts fresh. {@link #graph()}
     * returns a new graph afterwards; a {@link #headGraph()} obtained before no longer shares parameters.
     */
    public void setTrainable(LayerSelection selection, IUpdater updater) {
        Objects.requireNonNull(selection, "selection");
        Objects.requireNonNull(updater, "updater");
        Set<String> frozen = frozenFor(selection);
        ComputationGraph next = new ComputationGraph(GraphSurgery.materialize(plain, frozen, updater));
        next.init();
        if (graph != null) {
            GraphSurgery.copyParams(graph, next, GraphSurgery.layerNames(graph));
        }
        this.graph = next;
        this.trainable = selection;
        this.updater = updater;
    }

    /** The body vertices a selection freezes; unknown names fail with the valid ones and the nearest. */
    Set<String> frozenFor(LayerSelection selection) {
        int from;
        if (selection instanceof LayerSelection.HeadOnly) {
            from = body.size();
        } else if (selection instanceof LayerSelection.All) {
            from = 0;
        } else if (selection instanceof LayerSelection.FromLayer f) {
            from = body.indexOf(layerName(f.layer()));
            if (from < 0) {
                List<String> layers = body.stream().filter(v -> GraphSurgery.isLayer(plain, v)).toList();
                String after = headVertices.contains(f.layer()) ? " ('" + f.layer() + "' is in the head, which"
                        + " always trains)" : "";
                throw new IllegalArgumentException("Unknown layer '" + f.layer() + "' in " + backbone.id()
                        + " cut at " + cut.name() + after + "; layers: " + String.join(", ", layers) + "."
                        + Names.didYouMean(f.layer(), layers));
            }
        } else {
            LayerSelection.FromGroup g = (LayerSelection.FromGroup) selection;
            List<String> names = backbone.groups().stream().map(LayerGroup::name).toList();
            LayerGroup group = backbone.groups().stream().filter(x -> x.name().equals(g.group())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Unknown layer group '" + g.group() + "' in "
                            + backbone.id() + " cut at " + cut.name() + "; groups: " + String.join(", ", names)
                            + "." + Names.didYouMean(g.group(), names)));
            from = group.layers().stream().mapToInt(body::indexOf).filter(i -> i >= 0).min().orElseThrow();
        }
        return new LinkedHashSet<>(body.subList(0, from));
    }

    /**
     * Sets the running mean/variance of every BatchNorm layer in the backbone from {@code batches} batches of
     * data, computed with the network in training mode (batch statistics). A randomly initialised backbone
     * starts with mean 0 / variance 1, which explodes in inference mode (and frozen layers run in inference
     * mode), so call this before training a random backbone frozen. Only BN statistics change; the iterator is
     * reset before and after (when it supports reset). Feed the same
     * preprocessing the model will see (the backbone's normalisation).
     *
     * @return the number of samples used
     */
    public long calibrateBatchNorm(DataSetIterator data, int batches) {
        Objects.requireNonNull(data, "data");
        if (batches < 1) {
            throw new IllegalArgumentException("batches must be >= 1; received " + batches);
        }
        List<String> bn = body.stream().filter(v -> GraphSurgery.layerConf(plain, v) instanceof BatchNormalization)
                .toList();
        if (bn.isEmpty()) {
            return 0;
        }
        return BatchNormCalibrator.calibrate(graph, plain, bn, data, batches);
    }

    // ------------------------------------------------------------------ feature cache support

    /**
     * A graph from the cut features ({@link #featureShape()}, input named {@link #bodyOutputName()}) to the
     * outputs, whose parameters are a <em>view</em> of this model's head parameters: training it trains this
     * model's head (until the next {@link #setTrainable}). Has its own updater state.
     */
    public ComputationGraph headGraph() {
        return tailGraph(cut.name(), headVertices);
    }

    /**
     * The freeze boundary of the current trainable selection: the one vertex whose output is everything the
     * trainable part reads from the frozen part (for ResNet50 with {@code res5} trainable, the output of stage 4,
     * which both {@code res5a} branches read; for a head-only selection, the cut). Empty when nothing is frozen or
     * the trainable part reads more than one frozen tensor (a selection starting inside a residual block).
     */
    public java.util.Optional<String> freezeBoundary() {
        Set<String> frozen = frozenVertices();
        if (frozen.isEmpty()) {
            return java.util.Optional.empty();
        }
        Set<String> reads = new LinkedHashSet<>();
        for (String v : trainableVertices(frozen)) {
            for (String in : plain.getVertexInputs().getOrDefault(v, List.of())) {
                if (frozen.contains(in) || plain.getNetworkInputs().contains(in)) {
                    reads.add(in);
                }
            }
        }
        if (reads.size() != 1 || plain.getNetworkInputs().contains(reads.iterator().next())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(reads.iterator().next());
    }

    /** Shape of one sample's activations at a vertex: {@code [channels, height, width]} or {@code [features]}. */
    public long[] activationShape(String vertex) {
        InputType t = plain.getLayerActivationTypes(false, false, inputType()).get(vertex);
        if (t == null) {
            throw new IllegalArgumentException("no vertex '" + vertex + "' in this model; vertices: "
                    + String.join(", ", plain.getVertices().keySet()));
        }
        return shapeOf(t);
    }

    /**
     * A graph from the {@link #freezeBoundary()} activations (input named after the boundary vertex) through every
     * trainable vertex to the outputs, whose parameters are a <em>view</em> of this model's parameters: training it
     * trains this model (until the next {@link #setTrainable}), BatchNorm statistics of trainable layers included.
     * Has its own updater state, laid out as the full graph's (same trainable layers, same order).
     *
     * @throws IllegalStateException when the selection has no single freeze boundary
     */
    public ComputationGraph suffixGraph() {
        String boundary = freezeBoundary().orElseThrow(() -> new IllegalStateException("the trainable selection "
                + trainable.describe() + " has no single freeze boundary (nothing frozen, or the trainable layers "
                + "read several frozen outputs); train the whole graph instead"));
        return tailGraph(boundary, trainableVertices(frozenVertices()));
    }

    private List<String> trainableVertices(Set<String> frozen) {
        return GraphSurgery.topologicalOrder(plain).stream()
                .filter(v -> !frozen.contains(v) && !plain.getNetworkInputs().contains(v)).toList();
    }

    /** {@code vertices} (topological order) fed by {@code input}'s activations; parameters viewed, not copied. */
    private ComputationGraph tailGraph(String input, List<String> tail) {
        // DL4J lays parameters out in its own topological order of the graph (a queue over hash sets of vertex
        // indices), which differs between two graphs with the same layers; the tail takes the model graph's order
        // explicitly so its flat parameter vector can be a view of the model's
        List<String> dl4jOrder = new ArrayList<>();
        for (int i : graph.topologicalSortOrder()) {
            dl4jOrder.add(graph.getVertices()[i].getVertexName());
        }
        Set<String> wanted = new HashSet<>(tail);
        List<String> vertices = dl4jOrder.stream().filter(wanted::contains).toList();
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().seed(seed)
                .updater(updater).dataType(dataType()).graphBuilder().addInputs(input);
        for (String name : vertices) {
            GraphVertex v = plain.getVertices().get(name);
            String[] in = plain.getVertexInputs().get(name).toArray(String[]::new);
            if (v instanceof LayerVertex lv) {
                org.deeplearning4j.nn.conf.layers.Layer layer = lv.getLayerConf().getLayer().clone();
                if (layer instanceof org.deeplearning4j.nn.conf.layers.BaseLayer base) {
                    base.setIUpdater(updater.clone());
                    base.setBiasUpdater(null);
                }
                gb.addLayer(name, layer, lv.getPreProcessor() == null ? null : lv.getPreProcessor().clone(), in);
            } else {
                gb.addVertex(name, v.clone(), in);
            }
        }
        gb.setOutputs(plain.getNetworkOutputs().toArray(String[]::new));
        gb.setInputTypes(plain.getLayerActivationTypes(false, false, inputType()).get(input));
        ComputationGraphConfiguration conf = gb.build();
        List<String> order = new ArrayList<>(List.of(input));
        order.addAll(vertices);   // declared in this order, so vertex i has index i
        conf.setTopologicalOrderStr(order);
        conf.setTopologicalOrder(java.util.stream.IntStream.range(0, order.size()).toArray());
        ComputationGraph hg = new ComputationGraph(conf);
        long tailParams = vertices.stream().map(graph::getLayer).filter(Objects::nonNull)
                .mapToLong(l -> GraphSurgery.inner(l).numParams()).sum();
        INDArray all = graph.params();
        // the tail's parameters are the last ones of the flat vector: every tail vertex comes after the input
        // in any topological order, every other vertex before it
        hg.init(tailParams == 0 ? null : all.get(NDArrayIndex.interval(all.length() - tailParams, all.length()))
                .reshape(1, tailParams), false);
        for (String name : vertices) {
            org.deeplearning4j.nn.api.Layer l = graph.getLayer(name);
            if (l != null && l.numParams() > 0 && !GraphSurgery.inner(l).params().equals(hg.getLayer(name).params())) {
                throw new IllegalStateException("parameter layout of '" + name + "' differs between the model"
                        + " and its graph from '" + input + "'; use loadHeadParams to copy instead");
            }
        }
        return hg;
    }

    /** Copies the parameters of a head graph (from {@link #headGraph()}) into this model's head. */
    public void loadHeadParams(ComputationGraph headGraph) {
        GraphSurgery.copyParams(headGraph, graph, headVertices.stream().filter(v -> graph.getLayer(v) != null)
                .toList());
    }

    // ------------------------------------------------------------------ transfer from a trained model

    /**
     * This model's body — every vertex up to and including the cut, with its current parameters (BatchNorm
     * statistics included) — as a {@link Backbone} that a new {@code TransferModel} can start from: transfer from a
     * model you trained yourself (say, a bundle trained on a related task) the way {@code zoo.load} starts from
     * ImageNet weights. The graph is a copy (training the new model never changes this one) built from this
     * model's own layer configurations (BatchNorm epsilon included); its groups are this model's body groups and
     * its cut points are {@code spec}'s that lie inside the body (this model's cut and earlier ones; later layers
     * were never trained here); its default input is this model's input. The weights origin is {@code pretrained},
     * with {@code source} as its source and the SHA-256 of the body's parameters.
     *
     * <pre>{@code
     * TransferModel digits04 = ModelBundle.load(Path.of("digits-0-4.t4j"));
     * Backbone body = digits04.asBackbone(zoo.spec(digits04.backbone().id()), "digits-0-4.t4j");
     * TransferModel digits59 = TransferModel.builder().backbone(body).labels(List.of("5", "6", "7", "8", "9"))
     *         .trainable(LayerSelection.fromGroup("block3")).build();
     * }</pre>
     *
     * @param spec   the catalogue entry of this model's backbone, e.g. {@code zoo.spec(model.backbone().id())}
     * @param source where these weights come from, recorded in the new model's manifest (e.g. the bundle's path)
     * @throws IllegalArgumentException if {@code spec} is another backbone's, or none of its cut points lies in
     *                                  this body
     */
    public Backbone asBackbone(BackboneSpec spec, String source) {
        if (spec == null || !spec.id().equals(backbone.id()) || spec.architecture() != backbone.architecture()) {
            throw new IllegalArgumentException("asBackbone needs the spec of this model's backbone '" + backbone.id()
                    + "' (" + backbone.architecture() + "); received " + (spec == null ? "null" : "'" + spec.id()
                    + "' (" + spec.architecture() + ")") + ". Use zoo.spec(model.backbone().id())");
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("asBackbone needs a source naming where the weights come from (e.g. "
                    + "the bundle's path); received " + (source == null ? "null" : "'" + source + "'"));
        }
        List<CutPoint> cuts = spec.cutPoints().stream().filter(c -> body.contains(c.name())).toList();
        if (cuts.isEmpty()) {
            throw new IllegalArgumentException("none of " + spec.id() + "'s cut points ("
                    + spec.cutPoints().stream().map(CutPoint::name).collect(Collectors.joining(", "))
                    + ") lies in this model's body, which ends at '" + cut.name() + "'");
        }
        ComputationGraph bodyGraph = new ComputationGraph(GraphSurgery.body(plain, inputType(), cut.name(), seed,
                dataType()));
        bodyGraph.init();
        List<String> layers = body.stream().filter(v -> GraphSurgery.isLayer(plain, v)).toList();
        GraphSurgery.copyParams(graph, bodyGraph, layers);
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        for (String layer : layers) {
            for (var p : new java.util.TreeMap<>(bodyGraph.getLayer(layer).paramTable()).entrySet()) {
                sha.update((layer + "/" + p.getKey()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(p.getValue().dup('c').data().asBytes());
            }
        }
        BackboneSpec narrowed = new BackboneSpec(spec.id(), spec.architecture(), spec.description(), List.of(),
                input, spec.minInputSize(), normalization, cuts, backbone.groups().stream().map(LayerGroup::name)
                .toList());
        return new Backbone(narrowed, bodyGraph, input, new Backbone.WeightsOrigin("pretrained", source,
                java.util.HexFormat.of().formatHex(sha.digest())), backbone.groups());
    }

    // ------------------------------------------------------------------ manifest

    /**
     * Records what trained this model (plan, seeds, data fingerprint, metrics); written to the bundle. Parts that
     * are null keep what was recorded before.
     */
    public void recordTraining(TrainingProvenance training) {
        this.training = this.training.with(training);
    }

    /** The manifest a bundle of this model would carry now. */
    public Manifest manifest() {
        return new Manifest(Manifest.FORMAT_VERSION, Versions.transfer4j(), Versions.dl4j(), Versions.java(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), backbone, labels, input, normalization,
                task, head, cut, new Manifest.Trainable(trainable, new ArrayList<>(frozenVertices())), seed,
                interpolation, training.plan(), training.seeds(), training.data(), training.metrics());
    }

    // ------------------------------------------------------------------ internals

    InputType inputType() {
        return InputType.convolutional(input.height(), input.width(), input.channels());
    }

    private InputType cutType() {
        return plain.getLayerActivationTypes(false, false, inputType()).get(cut.name());
    }

    private DataType dataType() {
        DataType t = plain.getDataType();
        return t == null ? DataType.FLOAT : t;
    }

    ComputationGraphConfiguration plainConfiguration() {
        return plain;
    }

    /** Installs a graph read from a bundle (already wrapped as {@code trainable} says). */
    void install(ComputationGraph loaded, LayerSelection selection) {
        this.graph = loaded;
        this.trainable = selection;
    }

    // ------------------------------------------------------------------ builder

    /** Collects a model description; {@link #build()} checks everything and builds the graph. */
    public static final class Builder {
        private Backbone backbone;
        private String cut;
        private HeadSpec head = HeadSpec.defaults();
        private Task task = Task.MULTICLASS;
        private List<String> labels;
        private LayerSelection trainable = LayerSelection.headOnly();
        private long seed = 42;
        private IUpdater updater = new Adam(1e-3);
        private Interpolation interpolation = Interpolation.NEAREST;

        private Builder() {
        }

        /** How images are resized to the input for prediction (use the training flow's); default NEAREST (Keras). */
        public Builder interpolation(Interpolation interpolation) {
            this.interpolation = interpolation;
            return this;
        }

        public Builder backbone(Backbone backbone) {
            this.backbone = backbone;
            return this;
        }

        /** A cut point of the backbone's spec; default: the spec's default cut. */
        public Builder cut(String cutPoint) {
            this.cut = cutPoint;
            return this;
        }

        public Builder head(HeadSpec head) {
            this.head = head;
            return this;
        }

        public Builder task(Task task) {
            this.task = task;
            return this;
        }

        /** Class labels in output index order (for BINARY: negative first, positive second). */
        public Builder labels(List<String> labels) {
            this.labels = labels == null ? null : new ArrayList<>(labels);
            return this;
        }

        /** What trains initially; default {@link LayerSelection#headOnly()}. */
        public Builder trainable(LayerSelection trainable) {
            this.trainable = trainable;
            return this;
        }

        /** Seed for the head's initial weights; default 42. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Updater of the trainable layers; default Adam(1e-3). */
        public Builder updater(IUpdater updater) {
            this.updater = updater;
            return this;
        }

        public TransferModel build() {
            if (backbone == null) {
                throw new IllegalArgumentException("a backbone is required: .backbone(zoo.load(\"resnet50\", input))");
            }
            if (task == null) {
                throw new IllegalArgumentException("task is required: MULTICLASS, BINARY or MULTILABEL");
            }
            if (head == null) {
                throw new IllegalArgumentException("head is required; use HeadSpec.defaults() for pooling only");
            }
            if (trainable == null) {
                throw new IllegalArgumentException("trainable is required, e.g. LayerSelection.headOnly()");
            }
            if (updater == null) {
                throw new IllegalArgumentException("updater is required, e.g. new Adam(1e-3)");
            }
            if (interpolation == null) {
                throw new IllegalArgumentException("interpolation is required: NEAREST, BILINEAR or BICUBIC");
            }
            checkLabels();
            List<String> cutNames = backbone.spec().cutPoints().stream().map(CutPoint::name).toList();
            CutPoint cutPoint;
            if (cut == null) {
                cutPoint = backbone.spec().defaultCut();
            } else {
                String name = backbone.layerName(cut); // tf.keras names are aliases (conv5_block3_out)
                cutPoint = backbone.spec().cutPoints().stream().filter(c -> c.name().equals(name)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("Unknown cut point '" + cut + "' for "
                                + backbone.id() + "; valid: " + String.join(", ", cutNames) + "."
                                + Names.didYouMean(cut, cutNames)));
            }
            ComputationGraphConfiguration bconf = backbone.graph().getConfiguration();
            if (!bconf.getVertices().containsKey(cutPoint.name())) {
                List<String> present = cutNames.stream().filter(bconf.getVertices()::containsKey).toList();
                throw new IllegalArgumentException("cut point '" + cutPoint.name() + "' of " + backbone.id()
                        + " is not in the graph built for input " + backbone.input() + "; cut points present: "
                        + String.join(", ", present));
            }
            HeadSpec resolved = head;
            if (cutPoint.kind() == CutPoint.Kind.VECTOR && head.pooling() != null) {
                throw new IllegalArgumentException("cut '" + cutPoint.name() + "' is a VECTOR of "
                        + cutPoint.features() + " features; pooling " + head.pooling() + " applies only to feature-"
                        + "map cuts (" + backbone.spec().cutPoints().stream()
                        .filter(c -> c.kind() == CutPoint.Kind.FEATURE_MAP).map(CutPoint::name)
                        .collect(Collectors.joining(", ")) + "); leave pooling unset");
            }
            if (cutPoint.kind() == CutPoint.Kind.FEATURE_MAP && head.pooling() == null) {
                resolved = new HeadSpec(Pooling.AVG, head.dense());
            }
            DataType dt = bconf.getDataType() == null ? DataType.FLOAT : bconf.getDataType();
            InputShape in = backbone.input();
            ComputationGraphConfiguration plain = GraphSurgery.assemble(bconf,
                    InputType.convolutional(in.height(), in.width(), in.channels()), cutPoint.name(),
                    cutPoint.kind() == CutPoint.Kind.FEATURE_MAP, resolved, task, task.outputs(labels.size()), seed,
                    updater, dt);
            Set<String> kept = GraphSurgery.ancestors(bconf, cutPoint.name());
            List<LayerGroup> groups = new ArrayList<>();
            for (LayerGroup g : backbone.groups()) {
                List<String> layers = g.layers().stream().filter(kept::contains).toList();
                if (!layers.isEmpty()) {
                    groups.add(new LayerGroup(g.name(), layers));
                }
            }
            Manifest.BackboneInfo info = new Manifest.BackboneInfo(backbone.id(), backbone.spec().architecture(),
                    backbone.weights(), groups);
            TransferModel m = new TransferModel(info, in, backbone.normalization(), cutPoint, resolved, task,
                    labels, seed, interpolation, plain, updater);
            checkGroupSelection(backbone, groups);
            m.setTrainable(trainable, updater);
            GraphSurgery.copyParams(backbone.graph(), m.graph, m.body.stream()
                    .filter(v -> GraphSurgery.isLayer(plain, v)).toList());
            return m;
        }

        private void checkGroupSelection(Backbone b, List<LayerGroup> kept) {
            if (trainable instanceof LayerSelection.FromGroup g
                    && kept.stream().noneMatch(x -> x.name().equals(g.group()))
                    && b.groups().stream().anyMatch(x -> x.name().equals(g.group()))) {
                throw new IllegalArgumentException("layer group '" + g.group() + "' of " + b.id()
                        + " lies after the cut; groups before the cut: "
                        + kept.stream().map(LayerGroup::name).collect(Collectors.joining(", ")));
            }
        }

        private void checkLabels() {
            if (labels == null || labels.isEmpty()) {
                throw new IllegalArgumentException("labels are required (class names in output index order);"
                        + " received " + labels);
            }
            Set<String> seen = new HashSet<>();
            for (String l : labels) {
                if (l == null || l.isBlank()) {
                    throw new IllegalArgumentException("labels must be non-blank; received " + labels);
                }
                if (!seen.add(l)) {
                    throw new IllegalArgumentException("labels must be unique; '" + l + "' appears twice in " + labels);
                }
            }
            switch (task) {
                case MULTICLASS -> {
                    if (labels.size() < 2) {
                        throw new IllegalArgumentException("MULTICLASS needs >= 2 labels; received " + labels
                                + " (use BINARY for yes/no or MULTILABEL for independent tags)");
                    }
                }
                case BINARY -> {
                    if (labels.size() != 2) {
                        throw new IllegalArgumentException("BINARY needs exactly 2 labels (negative, positive);"
                                + " received " + labels.size() + ": " + labels);
                    }
                }
                case MULTILABEL -> {
                    // any number >= 1
                }
            }
        }
    }
}
