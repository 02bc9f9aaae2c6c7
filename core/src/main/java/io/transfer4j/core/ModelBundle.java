package io.transfer4j.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.transfer4j.internal.AtomicFiles;
import io.transfer4j.core.internal.GraphSurgery;
import io.transfer4j.core.internal.Json;
import io.transfer4j.core.internal.ZipLimits;
import io.transfer4j.core.internal.Versions;
import io.transfer4j.zoo.CutPoint;

/**
 * A self-describing model file ({@code .t4j}): one zip holding {@code manifest.json} (see {@link Manifest}),
 * {@code graph.zip} (the DL4J graph as written by {@code ModelSerializer}, optionally with updater state) and
 * optionally {@code history.json}. The format is documented in {@code docs/bundle-format.md}.
 *
 * <p>Saving writes a temp file beside the target and moves it into place, so an existing bundle is never left
 * half-written. Loading checks the format version, refuses entries that would escape a directory, and restores
 * the trainable state (frozen wrappers) and preprocessing.
 */
public final class ModelBundle {
    public static final String MANIFEST = "manifest.json";
    public static final String GRAPH = "graph.zip";
    public static final String HISTORY = "history.json";
    private static final Logger LOG = LoggerFactory.getLogger(ModelBundle.class);

    private ModelBundle() {
    }

    /**
     * Writes {@code model} to {@code file} atomically. Parent directories are created.
     *
     * @return {@code file}
     */
    public static Path save(TransferModel model, Path file, BundleExtras extras) throws IOException {
        if (model == null || file == null) {
            throw new IllegalArgumentException("save needs a model and a target file; received model=" + model
                    + ", file=" + file);
        }
        BundleExtras ex = extras == null ? BundleExtras.none() : extras;
        Path target = file.toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException("bundle target " + target + " is a directory; give a file name such"
                    + " as model.t4j");
        }
        model.recordTraining(ex.training());
        Manifest manifest = model.manifest();
        AtomicFiles.write(target, os -> {
            ZipOutputStream zip = new ZipOutputStream(os);
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(Json.mapper().writeValueAsBytes(manifest));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(GRAPH));
            ModelSerializer.writeModel(model.graph(), zip, ex.saveUpdater());
            zip.closeEntry();
            if (ex.history() != null) {
                zip.putNextEntry(new ZipEntry(HISTORY));
                zip.write(ex.history().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            zip.finish();
        });
        return file;
    }

    /** Reads only the manifest (cheap: the graph is not loaded). */
    public static Manifest readManifest(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            return manifest(zip, file);
        }
    }

    /**
     * The training history stored in the bundle ({@code history.json}), as the JSON text training wrote, if any.
     * Training's {@code History.fromBundle} reads it as the run's {@code EpochRecord}s.
     */
    public static Optional<String> readHistory(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            manifest(zip, file);
            ZipEntry e = zip.getEntry(HISTORY);
            if (e == null) {
                return Optional.empty();
            }
            try (InputStream in = ZipLimits.bounded(zip.getInputStream(e), ZipLimits.MAX_JSON_BYTES,
                    e.getCompressedSize(), file + "!" + HISTORY)) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (ZipLimits.LimitExceeded ex) {
                throw new InvalidBundleException("bundle " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * Checks a plain DL4J model zip (e.g. one written by {@code ModelSerializer}) against the caps {@link #load}
     * applies to a bundle's graph — entry sizes and compression ratios, counted while streaming — before DL4J
     * reads its entries whole into memory.
     *
     * @throws IllegalArgumentException naming the file, the entry and the cap when one is exceeded
     */
    public static void checkDl4jZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            ZipLimits.checkNestedZip(in, -1, file.toString());
        } catch (ZipLimits.LimitExceeded e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Loads a bundle: the graph with its trainable state (frozen wrappers as the manifest says), labels,
     * input shape and normalisation. Updater state is restored when the bundle has it.
     */
    public static TransferModel load(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            Manifest m = manifest(zip, file);
            ZipEntry g = zip.getEntry(GRAPH);
            if (g == null) {
                throw new InvalidBundleException("bundle " + file + " has a manifest but no " + GRAPH
                        + " entry; the file is incomplete. Re-export the model.");
            }
            try (InputStream in = zip.getInputStream(g)) { // sizes checked while streaming, before DL4J reads it
                ZipLimits.checkNestedZip(in, g.getCompressedSize(), file + "!" + GRAPH);
            } catch (ZipLimits.LimitExceeded e) {
                throw new InvalidBundleException("bundle " + e.getMessage(), e);
            } catch (IOException e) {
                throw new InvalidBundleException("bundle " + file + ": " + GRAPH + " is not a readable zip ("
                        + e.getMessage() + "); the file is damaged. Re-export the model.", e);
            }
            ComputationGraph graph;
            try (InputStream in = zip.getInputStream(g)) {
                graph = ModelSerializer.restoreComputationGraph(in, true);
            } catch (IOException | RuntimeException e) {
                throw new InvalidBundleException("bundle " + file + ": the DL4J graph in " + GRAPH
                        + " could not be read (" + e.getMessage() + "); the file is damaged. Re-export the model.", e);
            }
            return restore(m, graph, file);
        }
    }

    /**
     * Extracts a bundle's entries into {@code dir} (created if needed), refusing any entry that would land
     * outside it. Nothing is written if any entry is unsafe.
     */
    public static List<Path> unpack(Path file, Path dir) throws IOException {
        try (ZipFile zip = open(file)) {
            Path root = dir.toAbsolutePath().normalize();
            List<Path> written = new ArrayList<>();
            Files.createDirectories(root);
            for (ZipEntry e : Collections.list(zip.entries())) {
                if (e.isDirectory()) {
                    continue;
                }
                Path out = root.resolve(e.getName()).normalize();
                Path tmp = Files.createTempFile(root, ".unpack-", ".tmp");
                try (InputStream in = zip.getInputStream(e)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.createDirectories(out.getParent());
                    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                written.add(out);
            }
            return written;
        }
    }

    // ------------------------------------------------------------------ internals

    /** Opens a bundle zip and checks every entry name before anything is read. */
    private static ZipFile open(Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("bundle path is null");
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such bundle file");
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidBundleException(file + " is not a file; a bundle is a single .t4j file");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new InvalidBundleException(file + " is not a transfer4j bundle: not a zip archive, or truncated ("
                    + e.getMessage() + "). A bundle is the .t4j file written by ModelBundle.save or"
                    + " by 'transfer4j fit' or 'transfer4j quickstart'.", e);
        }
        try {
            for (ZipEntry e : Collections.list(zip.entries())) {
                checkEntryName(file, e.getName());
            }
        } catch (InvalidBundleException | RuntimeException e) {
            zip.close();
            throw e;
        }
        return zip;
    }

    static void checkEntryName(Path file, String name) throws InvalidBundleException {
        String n = name.replace('\\', '/');
        boolean unsafe = n.startsWith("/") || n.matches("^[A-Za-z]:.*") || n.isEmpty() || n.indexOf('\0') >= 0;
        for (String part : n.split("/")) {
            if (part.equals("..")) {
                unsafe = true;
            }
        }
        if (unsafe) {
            throw new InvalidBundleException("bundle " + file + " contains an entry named '" + name + "' that points"
                    + " outside the bundle (absolute path or '..'); refusing to read it. The file is corrupt or was"
                    + " crafted; nothing was extracted.");
        }
    }

    private static Manifest manifest(ZipFile zip, Path file) throws IOException {
        ZipEntry e = zip.getEntry(MANIFEST);
        if (e == null) {
            boolean dl4j = zip.getEntry("configuration.json") != null;
            throw new InvalidBundleException(file + " is a zip file but not a transfer4j bundle: it has no "
                    + MANIFEST + (dl4j ? " (it looks like a plain DL4J ModelSerializer file, which carries no labels"
                    + " or preprocessing; build a TransferModel and save it with ModelBundle.save)" : "") + ".");
        }
        JsonNode tree;
        try (InputStream in = ZipLimits.bounded(zip.getInputStream(e), ZipLimits.MAX_JSON_BYTES,
                e.getCompressedSize(), file + "!" + MANIFEST)) {
            tree = Json.mapper().readTree(in);
        } catch (ZipLimits.LimitExceeded ex) {
            throw new InvalidBundleException("bundle " + ex.getMessage(), ex);
        } catch (IOException ex) {
            throw new InvalidBundleException("bundle " + file + ": " + MANIFEST + " is not valid JSON ("
                    + ex.getMessage() + ")", ex);
        }
        JsonNode v = tree == null ? null : tree.get("formatVersion");
        if (v == null || !v.canConvertToInt()) {
            throw new InvalidBundleException("bundle " + file + ": " + MANIFEST + " has no integer formatVersion;"
                    + " this is not a transfer4j manifest");
        }
        int version = v.asInt();
        if (version > Manifest.FORMAT_VERSION) {
            JsonNode by = tree.get("transfer4jVersion");
            throw new InvalidBundleException("bundle " + file + " uses format version " + version
                    + (by != null ? " (written by transfer4j " + by.asText() + ")" : "") + ", newer than this transfer4j "
                    + Versions.transfer4j() + " reads (up to " + Manifest.FORMAT_VERSION + "). Upgrade transfer4j to"
                    + " load it.");
        }
        if (version < 1) {
            throw new InvalidBundleException("bundle " + file + ": formatVersion must be >= 1; received " + version);
        }
        Manifest m;
        try {
            TrainingProvenance training = tree instanceof ObjectNode o ? provenance(o, file) : null;
            m = Json.mapper().treeToValue(tree, Manifest.class).withTraining(training);
        } catch (IOException | IllegalArgumentException ex) {
            throw new InvalidBundleException("bundle " + file + ": " + MANIFEST + " is malformed: "
                    + ex.getMessage(), ex);
        }
        List<String> missing = new ArrayList<>();
        if (m.backbone() == null) {
            missing.add("backbone");
        }
        if (m.labels() == null || m.labels().isEmpty()) {
            missing.add("labels");
        }
        if (m.input() == null) {
            missing.add("input");
        }
        if (m.normalization() == null) {
            missing.add("normalization");
        }
        if (m.task() == null) {
            missing.add("task");
        }
        if (m.head() == null) {
            missing.add("head");
        }
        if (m.cut() == null) {
            missing.add("cut");
        }
        if (!missing.isEmpty()) {
            throw new InvalidBundleException("bundle " + file + ": " + MANIFEST + " lacks required fields "
                    + missing);
        }
        return m;
    }

    /**
     * Reads the manifest's training parts ({@code plan}, {@code seeds}, {@code data}, {@code metrics}) and takes
     * them out of {@code tree}. Each part is read on its own, and one that does not fit its type (written by another
     * transfer4j version) is left out with a warning: provenance describes a model but is not needed to use it, so
     * it never makes a bundle unreadable. Bundles written before these parts were typed recorded the whole plan
     * as training's JSON, with optimiser, schedule and early stopping as objects (read as their JSON text), or, for
     * a plan with a custom schedule, as phase name to description (read as the phase names); the earliest ones
     * recorded the test accuracy alone as {@code metrics.testAccuracy}.
     */
    private static TrainingProvenance provenance(ObjectNode tree, Path file) {
        return new TrainingProvenance(
                part(legacyPlan(tree.remove("plan")), TrainingProvenance.Plan.class, "plan", file),
                part(tree.remove("seeds"), TrainingProvenance.Seeds.class, "seeds", file),
                part(tree.remove("data"), TrainingProvenance.Data.class, "data", file),
                part(legacyMetrics(tree.remove("metrics")), TrainingProvenance.Results.class, "metrics", file));
    }

    private static <T> T part(JsonNode node, Class<T> type, String field, Path file) {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            return Json.mapper().treeToValue(node, type);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("bundle {}: the manifest's '{}' is not in a form this transfer4j reads ({}); it is left out",
                    file, field, e.getMessage().lines().findFirst().orElse(""));
            return null;
        }
    }

    private static JsonNode legacyMetrics(JsonNode metrics) {
        if (metrics instanceof ObjectNode o && !o.has("test") && o.path("testAccuracy").isNumber()) {
            ObjectNode upgraded = JsonNodeFactory.instance.objectNode();
            upgraded.putObject("test").put("accuracy", o.get("testAccuracy").asDouble()).put("loss", Double.NaN)
                    .put("macroF1", Double.NaN).put("rocAuc", Double.NaN);
            return upgraded;
        }
        return metrics;
    }

    private static JsonNode legacyPlan(JsonNode plan) {
        if (!(plan instanceof ObjectNode o)) {
            return plan;
        }
        if (o.get("phases") instanceof ArrayNode phases) {
            for (JsonNode p : phases) {
                if (p instanceof ObjectNode phase) {
                    for (String f : List.of("optimizer", "schedule", "earlyStopping")) {
                        JsonNode v = phase.get(f);
                        if (v != null && v.isContainerNode()) {
                            phase.put(f, v.toString());
                        }
                    }
                }
            }
            return o;
        }
        if (!o.has("fingerprint")) {
            ObjectNode upgraded = JsonNodeFactory.instance.objectNode();
            ArrayNode phases = upgraded.putArray("phases");
            o.fieldNames().forEachRemaining(name -> phases.addObject().put("name", name));
            return upgraded;
        }
        return o;
    }

    private static TransferModel restore(Manifest m, ComputationGraph graph, Path file) throws InvalidBundleException {
        ComputationGraphConfiguration plain = GraphSurgery.unwrapAll(graph.getConfiguration());
        String cut = m.cut().name();
        if (!plain.getVertices().containsKey(cut)) {
            throw new InvalidBundleException("bundle " + file + ": the manifest's cut '" + cut
                    + "' is not a vertex of the graph");
        }
        if (m.cut().kind() == CutPoint.Kind.FEATURE_MAP && m.head().pooling() == null) {
            throw new InvalidBundleException("bundle " + file + ": a FEATURE_MAP cut needs head.pooling");
        }
        String outputName = plain.getNetworkOutputs().get(0);
        if (!(GraphSurgery.layerConf(plain, outputName)
                instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer outLayer)) {
            throw new InvalidBundleException("bundle " + file + ": the graph's output '" + outputName
                    + "' is not a dense output layer; this is not a transfer4j model graph");
        }
        long outputs = outLayer.getNOut();
        if (outputs != m.task().outputs(m.labels().size())) {
            throw new InvalidBundleException("bundle " + file + ": " + m.task() + " with " + m.labels().size()
                    + " labels needs " + m.task().outputs(m.labels().size()) + " outputs but the graph has " + outputs);
        }
        IUpdater updater = plain.getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer b
                        && b.getIUpdater() != null)
                .map(v -> ((BaseLayer) ((LayerVertex) v).getLayerConf().getLayer()).getIUpdater())
                .reduce((a, b) -> b).orElse(new Adam(1e-3));
        TransferModel model = new TransferModel(m.backbone(), m.input(), m.normalization(), m.cut(), m.head(),
                m.task(), m.labels(), m.seed(), m.interpolation(), plain, updater);
        model.recordTraining(m.training());
        LayerSelection selection = m.trainable() == null || m.trainable().selection() == null
                ? LayerSelection.headOnly() : m.trainable().selection();
        Set<String> expected = model.frozenFor(selection);
        Set<String> actual = GraphSurgery.frozenVertices(graph.getConfiguration());
        model.install(graph, selection);
        if (!expected.equals(actual)) {
            // The graph was written without (or with other) frozen wrappers: re-apply the recorded state.
            LOG.debug("bundle {}: re-applying trainable state {} (graph had {} frozen vertices)", file,
                    selection.describe(), actual.size());
            model.setTrainable(selection, updater);
        }
        return model;
    }
}
