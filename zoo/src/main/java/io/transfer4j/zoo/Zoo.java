package io.transfer4j.zoo;

import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import org.deeplearning4j.nn.graph.ComputationGraph;

import io.transfer4j.zoo.internal.Catalogue;
import io.transfer4j.zoo.internal.Downloader;
import io.transfer4j.zoo.internal.Graphs;
import io.transfer4j.zoo.internal.Groups;
import io.transfer4j.zoo.internal.NetworkBlueprint;
import io.transfer4j.zoo.internal.SelfTests;
import io.transfer4j.zoo.internal.WeightLoader;
import io.transfer4j.zoo.internal.WeightStore;

/**
 * The zoo: backbones from a declarative catalogue, built as graphs with Keras layer names, with pretrained
 * weights that are downloaded, verified and cached (or installed by hand on machines without internet).
 *
 * <pre>{@code
 * Zoo zoo = Zoo.fromEnvironment();
 * Backbone b = zoo.random("resnet50", InputShape.rgb(64, 64), 42);
 * b.graph().output(batch);               // [n, 2048] at flatten_1 ... or see b.cutPoints()
 * }</pre>
 *
 * <p>A {@code Zoo} is immutable and safe to share between threads.
 */
public final class Zoo {
    /** Environment variables read by {@link #fromEnvironment()} (and nowhere else). */
    public static final String ENV_HOME = "TRANSFER4J_HOME";
    public static final String ENV_OFFLINE = "TRANSFER4J_OFFLINE";
    public static final String ENV_MIRROR = "TRANSFER4J_MODEL_MIRROR";

    private final Catalogue catalogue;
    private final boolean offline;
    private final WeightStore store;

    private Zoo(Builder b) {
        this.catalogue = b.catalogue;
        this.offline = b.offline;
        this.store = new WeightStore(b.home, b.dl4jHome, b.kerasHome, b.offline, b.mirror,
                new Downloader(b.connectTimeout, b.readTimeout, b.retries, b.retryBackoff, b.listener));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A zoo configured from the environment: {@code TRANSFER4J_HOME} (cache under {@code $TRANSFER4J_HOME/models},
     * default {@code ~/.transfer4j/models}), {@code TRANSFER4J_OFFLINE=1} (never touch the network) and
     * {@code TRANSFER4J_MODEL_MIRROR} (a base URL serving the weight files by their file names).
     */
    public static Zoo fromEnvironment() {
        return builderFromEnvironment().build();
    }

    /** A builder preset from the environment (see {@link #fromEnvironment()}), for callers that override some values. */
    public static Builder builderFromEnvironment() {
        return builderFromEnvironment(System.getenv());
    }

    static Zoo fromEnvironment(Map<String, String> env) {
        return builderFromEnvironment(env).build();
    }

    static Builder builderFromEnvironment(Map<String, String> env) {
        Builder b = builder();
        String home = env.get(ENV_HOME);
        if (home != null && !home.isBlank()) {
            b.home(Path.of(home).resolve("models"));
        }
        String offline = env.get(ENV_OFFLINE);
        if (offline != null && !offline.isBlank()) {
            b.offline(parseFlag(ENV_OFFLINE, offline));
        }
        String mirror = env.get(ENV_MIRROR);
        if (mirror != null && !mirror.isBlank()) {
            try {
                b.mirror(URI.create(mirror.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ENV_MIRROR + " must be a base URL such as"
                        + " https://mirror.example.org/models/; received '" + mirror + "'", e);
            }
        }
        return b;
    }

    private static boolean parseFlag(String name, String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException(name + " must be 1 or 0 (or true/false); received '"
                    + value + "'");
        };
    }

    /** Every backbone in the catalogue, in catalogue order. */
    public List<BackboneSpec> catalogue() {
        return catalogue.specs();
    }

    /**
     * The spec for {@code id}.
     *
     * @throws IllegalArgumentException for an unknown id, listing the valid ids and the nearest one
     */
    public BackboneSpec spec(String id) {
        return catalogue.spec(id);
    }

    /**
     * A randomly initialised backbone with the same layer names, groups and cut points as the pretrained one.
     * The classifier top is included only at the spec's default input (e.g. 3x224x224). BatchNormalization
     * running statistics are not calibrated (mean 0, variance 1): see core's {@code calibrateBatchNorm}.
     *
     * @throws IllegalArgumentException for an unknown id or an input the architecture cannot take
     */
    public Backbone random(String id, InputShape input, long seed) {
        return random(id, input, seed, Graphs.topFor(spec(id), input));
    }

    /**
     * Like {@link #random(String, InputShape, long)} with an explicit choice of the classifier top, which exists
     * only at the spec's default input (leaving it out at 224 px saves VGG16's 124 M fc parameters).
     */
    public Backbone random(String id, InputShape input, long seed, boolean withTop) {
        BackboneSpec spec = spec(id);
        spec.checkInput(input, false);
        if (withTop && !Graphs.topFor(spec, input)) {
            throw new IllegalArgumentException(id + "'s classifier top exists only at its default input "
                    + spec.defaultInput() + "; received " + input + ". Build it without the top.");
        }
        ComputationGraph graph = Graphs.build(spec, input, withTop, seed, Graphs.KERAS_OLD_BN_EPSILON);
        return new Backbone(spec, graph, input, Backbone.WeightsOrigin.random("random init, seed " + seed),
                Groups.resolve(spec, graph));
    }

    /**
     * The backbone with verified pretrained weights, built for {@code input} (any size from the spec's minimum;
     * the classifier top only at the weights' own input size and if the weights file has it). Weights come from
     * the cache, a verified DL4J or Keras cache, or a download (see {@link #fetch}).
     *
     * @throws WeightsUnavailableException if no verified weights can be had; the message says how to install them
     * @throws IllegalArgumentException    for an unknown id or an input the weights cannot take
     */
    public Backbone load(String id, InputShape input) {
        BackboneSpec spec = spec(id);
        spec.checkInput(input, true);
        WeightStore.LocalWeights weights = store.fetch(spec);
        return WeightLoader.load(spec, input, weights);
    }

    /**
     * {@link #load} if verified weights can be had, else {@link #random} after telling {@code why} the reason (for
     * quickstarts and demos that must run anywhere). A backbone that stands in for unavailable weights is marked
     * {@link Backbone.WeightsOrigin#fallback()} (its source names the cause), and {@code FineTuner} refuses to train
     * it unless told {@code allowRandomWeights()}: from random initialisation small data reaches about chance
     * accuracy.
     */
    public Backbone loadOrRandom(String id, InputShape input, long seed, Consumer<String> why) {
        BackboneSpec spec = spec(id);
        spec.checkInput(input, false);
        if (input.channels() == spec.defaultInput().channels() && !spec.weights().isEmpty()) {
            try {
                return load(id, input);
            } catch (WeightsUnavailableException e) {
                why.accept("Using random weights for " + id + ": " + e.getMessage());
                Backbone b = random(id, input, seed);
                return new Backbone(b.spec(), b.graph(), b.input(), Backbone.WeightsOrigin.fallback(
                        "pretrained weights unavailable (" + e.reason() + "): " + e.getMessage()), b.groups());
            }
        }
        why.accept("Using random weights for " + id + ": " + (spec.weights().isEmpty()
                ? "the catalogue lists no pretrained weights for it."
                : "the pretrained weights take " + spec.defaultInput().channels() + "-channel input, not "
                        + input.channels() + "."));
        return random(id, input, seed);
    }

    /**
     * The preprocessing self-test: a known photo (scikit-image's chelsea, a tabby cat, CC0) through {@code id}'s
     * installed pretrained weights with their ImageNet top, at the weights' own input size; passes if a cat class
     * is in the top 5. Uses only weights already on disk (never downloads).
     *
     * @throws WeightsUnavailableException (OFFLINE) if no weights with the top are on disk, saying how to install them
     * @throws IllegalArgumentException    for an unknown id or a backbone whose catalogue lists no weights with a top
     */
    public SelfTestResult selfTest(String id) {
        BackboneSpec spec = spec(id);
        List<WeightSource> withTop = spec.weights().stream().filter(WeightSource::includesTop).toList();
        if (withTop.isEmpty()) {
            throw new IllegalArgumentException(id + " has no pretrained weights with an ImageNet classifier top in"
                    + " the catalogue; the self-test needs one. Backbones with one: " + catalogue().stream()
                    .filter(s -> s.weights().stream().anyMatch(WeightSource::includesTop)).map(BackboneSpec::id)
                    .toList());
        }
        String install = "Install one of: " + withTop.stream().map(w -> w.fileName() + " (" + w.uri() + ")")
                .toList() + " with " + WeightsUnavailableException.installHint(id);
        if (present(id).isEmpty()) {
            throw new WeightsUnavailableException(id, WeightsUnavailableException.Reason.OFFLINE,
                    "No pretrained weights for " + id + " are installed (looked in " + home() + " and the DL4J and"
                            + " Keras caches). " + install, null);
        }
        Backbone b = load(id, spec.defaultInput());
        if (!b.hasTop()) {
            throw new WeightsUnavailableException(id, WeightsUnavailableException.Reason.OFFLINE,
                    "The installed " + id + " weights (" + b.weights().source() + ") have no ImageNet classifier"
                            + " top, which the self-test needs. " + install, null);
        }
        return SelfTests.run(b, SelfTests.photo(), SelfTests.IMAGE + " (scikit-image, CC0)", SelfTests.CATS);
    }

    /**
     * A verified weights file for {@code id} on disk, downloading it if needed (mirror first, then the publisher;
     * sources in catalogue order). Nothing half-written is ever left in the cache.
     *
     * @throws WeightsUnavailableException offline without a cached copy, download failures, checksum mismatches
     */
    public Path fetch(String id) {
        return store.fetch(spec(id)).file();
    }

    /**
     * Installs a weights file obtained elsewhere (air-gapped machines): verified against the publisher's checksum
     * of each of the backbone's sources, then copied into the cache atomically.
     *
     * @return the installed file in the cache
     * @throws WeightsUnavailableException (CHECKSUM_MISMATCH) if the file matches no source; the cache is untouched
     */
    public Path install(String id, Path file) {
        return store.install(spec(id), file).file();
    }

    /** Verifies every weights file of {@code id} on disk (our cache, DL4J's, Keras'). */
    public VerifyResult verify(String id) {
        return store.verify(spec(id));
    }

    /**
     * Where {@code id}'s weights are: the first file present on disk (not verified here; see {@link #verify}), or
     * else the cache path its first source would be downloaded to.
     */
    public Path path(String id) {
        return present(id).orElseGet(() -> {
            BackboneSpec spec = spec(id);
            if (spec.weights().isEmpty()) {
                throw new IllegalArgumentException("The catalogue lists no pretrained weights for " + id);
            }
            return store.cacheFile(spec, spec.weights().get(0));
        });
    }

    /** The first weights file of {@code id} present on disk, without verifying it (cheap; for listings). */
    public Optional<Path> present(String id) {
        return store.present(spec(id));
    }

    /** Parameters of {@code id} at its default input, with or without the classifier top (no allocation). */
    public long parameterCount(String id, boolean withTop) {
        BackboneSpec spec = spec(id);
        return Graphs.parameterCount(Graphs.configuration(spec, spec.defaultInput(), withTop, 0,
                Graphs.KERAS_OLD_BN_EPSILON));
    }

    /**
     * The memory preflight for {@code id}'s backbone (without the classifier top) at {@code input} and
     * {@code batch}, from its configuration alone: nothing is allocated, so it answers at once even for inputs
     * far too large to build (e.g. 100000 px).
     *
     * @throws IllegalArgumentException for an unknown id or an input the architecture cannot take
     */
    public MemoryEstimate memoryEstimate(String id, InputShape input, int batch, MemoryEstimate.Mode mode) {
        BackboneSpec spec = spec(id);
        spec.checkInput(input, false);
        return MemoryEstimate.of(Graphs.configuration(spec, input, false, 0, Graphs.KERAS_OLD_BN_EPSILON), input,
                batch, mode);
    }

    /** The names of {@code id}'s classifier (top) layers, which exist only at its default input. */
    public List<String> topLayers(String id) {
        return NetworkBlueprint.of(spec(id).architecture()).topLayers();
    }

    /** A Keras-like summary of any graph (output shapes unknown: use {@link ModelSummary#of} with input types). */
    public static ModelSummary summary(ComputationGraph graph) {
        return ModelSummary.of(graph);
    }

    /** A Keras-like summary of a backbone, with output shapes for its input size. */
    public static ModelSummary summary(Backbone backbone) {
        return ModelSummary.of(backbone);
    }

    /** The layer groups of {@code spec} resolved against any graph that follows its naming (e.g. a reloaded one). */
    public static List<LayerGroup> groups(BackboneSpec spec, ComputationGraph graph) {
        return Groups.resolve(spec, graph);
    }

    /** The cache directory. */
    public Path home() {
        return store.home();
    }

    public boolean offline() {
        return offline;
    }

    /** Configures a {@link Zoo}; every value is checked in {@link #build()}. */
    public static final class Builder {
        private Catalogue catalogue;
        private URL catalogueUrl;
        private Path home;
        private boolean offline;
        private URI mirror;
        private DownloadListener listener = DownloadListener.NONE;
        private Duration connectTimeout = Duration.ofSeconds(20);
        private Duration readTimeout = Duration.ofSeconds(60);
        private int retries = 4;
        private Duration retryBackoff = Duration.ofSeconds(2);
        private Path dl4jHome;
        private Path kerasHome;

        private Builder() {
        }

        /** The weights cache (default {@code ~/.transfer4j/models}). */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        /** A base URL serving the catalogue's weight files by file name, tried before the publishers' URLs. */
        public Builder mirror(URI mirror) {
            this.mirror = mirror;
            return this;
        }

        /** A catalogue file to use instead of the built-in one. */
        public Builder catalogue(Path file) {
            Objects.requireNonNull(file, "catalogue file");
            try {
                this.catalogueUrl = file.toUri().toURL();
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException("catalogue path " + file + " is not a valid file path", e);
            }
            return this;
        }

        /** A catalogue resource to use instead of the built-in one. */
        public Builder catalogue(URL url) {
            this.catalogueUrl = Objects.requireNonNull(url, "catalogue url");
            return this;
        }

        public Builder progress(DownloadListener listener) {
            this.listener = listener;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** The longest wait for the next bytes of a download before the attempt fails (and is retried). */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        /** Attempts after the first failed one, with exponential backoff starting at {@code backoff}. */
        public Builder retries(int retries, Duration backoff) {
            this.retries = retries;
            this.retryBackoff = backoff;
            return this;
        }

        /** Where DL4J keeps its zoo cache (default {@code ~/.deeplearning4j}); verified files there are reused. */
        public Builder dl4jHome(Path dir) {
            this.dl4jHome = dir;
            return this;
        }

        /** Where Keras keeps its cache (default {@code ~/.keras}); verified files there are reused. */
        public Builder kerasHome(Path dir) {
            this.kerasHome = dir;
            return this;
        }

        public Zoo build() {
            Path userHome = Path.of(System.getProperty("user.home"));
            home = (home == null ? userHome.resolve(".transfer4j").resolve("models") : home).toAbsolutePath();
            dl4jHome = dl4jHome == null ? userHome.resolve(".deeplearning4j") : dl4jHome;
            kerasHome = kerasHome == null ? userHome.resolve(".keras") : kerasHome;
            if (listener == null) {
                throw new IllegalArgumentException("progress listener must not be null; use DownloadListener.NONE");
            }
            requirePositive("connectTimeout", connectTimeout);
            requirePositive("readTimeout", readTimeout);
            if (retries < 0 || retries > 20) {
                throw new IllegalArgumentException("retries must be in [0, 20]; received " + retries);
            }
            if (retryBackoff == null || retryBackoff.isNegative()) {
                throw new IllegalArgumentException("retry backoff must be >= 0; received " + retryBackoff);
            }
            if (mirror != null) {
                String scheme = mirror.getScheme();
                if (scheme == null || !(scheme.equals("http") || scheme.equals("https") || scheme.equals("file"))) {
                    throw new IllegalArgumentException("mirror must be an http, https or file URL; received "
                            + mirror);
                }
                if (!mirror.toString().endsWith("/")) {
                    mirror = URI.create(mirror + "/");
                }
            }
            catalogue = catalogueUrl == null ? Catalogue.builtIn() : Catalogue.read(catalogueUrl);
            return new Zoo(this);
        }

        private static void requirePositive(String name, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be a positive duration; received " + d);
            }
        }
    }
}
