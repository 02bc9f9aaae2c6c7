package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.transfer4j.core.internal.Json;
import io.transfer4j.zoo.Normalization;

class ModelBundleTest {
    @TempDir
    Path dir;

    static final TrainingProvenance PROVENANCE = new TrainingProvenance(
            new TrainingProvenance.Plan("ab12", List.of(
                    new TrainingProvenance.PlannedPhase("head", 3, LayerSelection.headOnly(), "Adam[]", "Constant[1e-3]",
                            null, "EarlyStopping[val_loss, patience 3]"),
                    new TrainingProvenance.PlannedPhase("fine-tune", 2, LayerSelection.fromGroup("block2"), "Adam[]",
                            "Constant[1e-5]", Map.of("block2", 0.1), null))),
            new TrainingProvenance.Seeds(77), new TrainingProvenance.Data("files:0123456789abcdef"),
            new TrainingProvenance.Results(new TrainingProvenance.Evaluation(0.75, 0.5, 0.7, Double.NaN)));

    private TransferModel trained() {
        TransferModel m = TransferModelTest.tiny().cut("block2_out")
                .head(HeadSpec.builder().dense(8, Activation.RELU, 0.2, true).build())
                .trainable(LayerSelection.fromGroup("block2")).updater(new Adam(1e-2)).build();
        DataSet ds = TestData.batch(16, 3, 16, 3, 1, 11);
        for (int i = 0; i < 3; i++) {
            m.graph().fit(ds);
        }
        return m;
    }

    @Test
    void saveAndLoadRestoreOutputsTrainableStateAndPreprocessing() throws IOException {
        TransferModel m = trained();
        String history = "[{\"phase\":\"head\",\"epoch\":1}]";
        Path file = ModelBundle.save(m, dir.resolve("sub/model.t4j"), new BundleExtras(PROVENANCE, history, true));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temp file left beside the bundle");
        }
        TransferModel back = ModelBundle.load(file);
        INDArray x = TestData.batch(5, 3, 16, 3, 1, 12).getFeatures();
        assertEquals(m.graph().outputSingle(false, x), back.graph().outputSingle(false, x));
        assertEquals(m.frozenVertices(), back.frozenVertices());
        assertEquals(Set.copyOf(TestBackbones.BLOCK1), back.frozenVertices());
        assertEquals(LayerSelection.fromGroup("block2"), back.trainable());
        assertEquals(TransferModelTest.LABELS, back.labels());
        assertEquals(Normalization.rescale(), back.normalization());
        assertEquals(m.input(), back.input());
        assertEquals(m.cut(), back.cut());
        assertEquals(m.head(), back.head());

        Manifest man = ModelBundle.readManifest(file);
        assertEquals(1, man.formatVersion());
        assertEquals("test-tiny", man.backbone().id());
        assertEquals("random", man.backbone().weights().kind());
        assertEquals(PROVENANCE, man.training(), "what trained the model round-trips, NaN included");
        assertEquals(PROVENANCE, back.manifest().training(), "and stays with the loaded model");
        com.fasterxml.jackson.databind.JsonNode json = Json.mapper().readTree(entry(file, "manifest.json"));
        assertEquals("files:0123456789abcdef", json.path("data").path("fingerprint").asText());
        assertEquals("NaN", json.path("metrics").path("test").path("rocAuc").asText(), "NaN written as a string");
        assertEquals("fromGroup", json.path("plan").path("phases").path(1).path("trainable").path("kind").asText());
        assertFalse(json.has("training"), "the four parts stay top-level fields, as format 1 has them");
        assertFalse(man.dl4jVersion().equals("unknown"), "DL4J version recorded: " + man.dl4jVersion());
        assertEquals(history, ModelBundle.readHistory(file).orElseThrow());
        // updater state stored: training continues from it
        back.graph().fit(TestData.batch(16, 3, 16, 3, 1, 11));
        try (ZipFile z = new ZipFile(file.toFile())) {
            assertTrue(z.getEntry("manifest.json") != null && z.getEntry("graph.zip") != null);
        }
    }

    @Test
    void bundlesOfEarlierWritersAndLaterOnesStillRead() throws IOException {
        Path good = ModelBundle.save(TransferModelTest.tiny().build(), dir.resolve("m.t4j"), BundleExtras.none());
        ObjectNode old = (ObjectNode) Json.mapper().readTree(entry(good, "manifest.json"));
        // as training wrote it before the provenance was typed: the whole plan as FineTunePlan's JSON
        old.set("plan", Json.mapper().readTree("{\"phases\":[{\"name\":\"head\",\"maxEpochs\":5,"
                + "\"trainable\":{\"kind\":\"headOnly\"},\"optimizer\":{\"type\":\"adam\",\"beta1\":0.9},"
                + "\"schedule\":{\"type\":\"constant\",\"lr\":0.001},\"groupLrMultipliers\":{},"
                + "\"earlyStopping\":{\"monitor\":{\"metric\":\"val_loss\"},\"patience\":3}}]}"));
        old.set("seeds", Json.mapper().readTree("{\"seed\":77}"));
        old.set("data", Json.mapper().readTree("{\"fingerprint\":\"files:0123456789abcdef\"}"));
        old.set("metrics", Json.mapper().readTree("{\"test\":{\"accuracy\":0.5,\"loss\":0.7,\"macroF1\":0.4,"
                + "\"rocAuc\":\"NaN\"}}"));
        old.put("aFieldOfAFutureVersion", "ignored");
        Path file = rewrite(good, Map.of("manifest.json", Json.mapper().writeValueAsBytes(old),
                "history.json", "[1]".getBytes(StandardCharsets.UTF_8)));

        TrainingProvenance t = ModelBundle.readManifest(file).training();
        TrainingProvenance.PlannedPhase head = t.plan().phases().get(0);
        assertEquals("head", head.name());
        assertEquals(5, head.maxEpochs());
        assertEquals(LayerSelection.headOnly(), head.trainable());
        assertEquals("{\"type\":\"adam\",\"beta1\":0.9}", head.optimizer(), "an object is kept as its JSON text");
        assertTrue(head.earlyStopping().contains("patience"), head.earlyStopping());
        assertEquals(null, t.plan().fingerprint());
        assertEquals(new TrainingProvenance.Seeds(77), t.seeds());
        assertEquals(new TrainingProvenance.Data("files:0123456789abcdef"), t.data());
        assertEquals(new TrainingProvenance.Evaluation(0.5, 0.7, 0.4, Double.NaN), t.metrics().test());
        assertEquals("[1]", ModelBundle.readHistory(file).orElseThrow(), "history.json is carried as written");
        assertEquals(t, ModelBundle.load(file).manifest().training());

        // a plan with a custom schedule was recorded as phase -> description; the earliest metrics as testAccuracy;
        // a part that fits no type is left out, and the bundle still loads
        old.set("plan", Json.mapper().readTree("{\"head\":\"head only, 5 epochs, Adam, lr custom\"}"));
        old.set("metrics", Json.mapper().readTree("{\"testAccuracy\":0.9}"));
        old.set("seeds", Json.mapper().readTree("{\"seed\":\"not a number\"}"));
        Path older = rewrite(good, Map.of("manifest.json", Json.mapper().writeValueAsBytes(old)));
        TrainingProvenance o = ModelBundle.readManifest(older).training();
        assertEquals(List.of("head"), o.plan().phases().stream().map(TrainingProvenance.PlannedPhase::name).toList());
        assertEquals(0.9, o.metrics().test().accuracy());
        assertTrue(Double.isNaN(o.metrics().test().loss()), "not recorded then: NaN, not 0");
        assertEquals(null, o.seeds());
        assertEquals(TransferModelTest.LABELS, ModelBundle.load(older).labels());
    }

    @Test
    void saveReplacesAnExistingBundleAtomically() throws IOException {
        Path file = dir.resolve("m.t4j");
        TransferModel a = TransferModelTest.tiny().seed(1).build();
        TransferModel b = TransferModelTest.tiny().seed(2).build();
        ModelBundle.save(a, file, BundleExtras.none());
        ModelBundle.save(b, file, BundleExtras.none());
        assertEquals(2, ModelBundle.readManifest(file).seed());
        // a failing save (target is a directory) leaves everything as it was
        Path asDir = Files.createDirectories(dir.resolve("taken.t4j"));
        assertThrows(IllegalArgumentException.class, () -> ModelBundle.save(a, asDir, BundleExtras.none()));
        assertEquals(2, ModelBundle.readManifest(file).seed());
    }

    @Test
    void loadRestoresFrozenStateEvenWhenTheGraphCarriesNoWrappers() throws IOException {
        // a bundle whose graph was saved with every layer plain (as other writers, e.g. the golden bundle, do)
        TransferModel m = trained();
        m.setTrainable(LayerSelection.all(), new Adam(1e-3));
        Path file = ModelBundle.save(m, dir.resolve("plain.t4j"), BundleExtras.none());
        ObjectNode manifest = (ObjectNode) Json.mapper().readTree(entry(file, "manifest.json"));
        ((ObjectNode) manifest.get("trainable")).set("selection",
                Json.mapper().valueToTree(LayerSelection.fromLayer("block2_conv")));
        Path edited = rewrite(file, Map.of("manifest.json", Json.mapper().writeValueAsBytes(manifest)));
        TransferModel back = ModelBundle.load(edited);
        assertEquals(LayerSelection.fromLayer("block2_conv"), back.trainable());
        assertEquals(Set.copyOf(TestBackbones.BLOCK1), back.frozenVertices());
        INDArray x = TestData.batch(3, 3, 16, 3, 1, 13).getFeatures();
        assertEquals(m.graph().outputSingle(false, x), back.graph().outputSingle(false, x));
    }

    @Test
    void newerFormatVersionIsRefusedWithAClearMessage() throws IOException {
        Path file = ModelBundle.save(TransferModelTest.tiny().build(), dir.resolve("m.t4j"), BundleExtras.none());
        ObjectNode manifest = (ObjectNode) Json.mapper().readTree(entry(file, "manifest.json"));
        manifest.put("formatVersion", 2).put("transfer4jVersion", "9.9");
        Path newer = rewrite(file, Map.of("manifest.json", Json.mapper().writeValueAsBytes(manifest)));
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(newer));
        assertTrue(e.getMessage().contains("format version 2") && e.getMessage().contains("transfer4j 9.9")
                && e.getMessage().contains("Upgrade transfer4j"), e.getMessage());
    }

    @Test
    void aManifestThatContradictsTheGraphIsRefused() throws IOException {
        Path file = ModelBundle.save(TransferModelTest.tiny().build(), dir.resolve("m.t4j"), BundleExtras.none());
        ObjectNode manifest = (ObjectNode) Json.mapper().readTree(entry(file, "manifest.json"));
        manifest.putArray("labels").add("a").add("b").add("c").add("d");
        Path wrong = rewrite(file, Map.of("manifest.json", Json.mapper().writeValueAsBytes(manifest)));
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(wrong));
        assertTrue(e.getMessage().contains("needs 4 outputs but the graph has 3"), e.getMessage());
        manifest.remove("labels");
        Path missing = rewrite(file, Map.of("manifest.json", Json.mapper().writeValueAsBytes(manifest)));
        InvalidBundleException m = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(missing));
        assertTrue(m.getMessage().contains("lacks required fields [labels]"), m.getMessage());
    }

    @Test
    void notABundleTruncatedAndNoManifestGiveClearErrors() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.t4j"), "hello");
        InvalidBundleException notZip = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(text));
        assertTrue(notZip.getMessage().contains("not a zip archive, or truncated"), notZip.getMessage());

        Path good = ModelBundle.save(TransferModelTest.tiny().build(), dir.resolve("m.t4j"), BundleExtras.none());
        byte[] bytes = Files.readAllBytes(good);
        Path cut = Files.write(dir.resolve("cut.t4j"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        InvalidBundleException truncated = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(cut));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());

        Path noManifest = zip(dir.resolve("x.t4j"), Map.of("configuration.json", "{}".getBytes(StandardCharsets.UTF_8)));
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(noManifest));
        assertTrue(e.getMessage().contains("no manifest.json") && e.getMessage().contains("plain DL4J"),
                e.getMessage());

        Path damaged = rewrite(good, Map.of("graph.zip", "garbage".getBytes(StandardCharsets.UTF_8)));
        InvalidBundleException d = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(damaged));
        assertTrue(d.getMessage().contains("could not be read"), d.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> ModelBundle.load(dir.resolve("missing.t4j")));
    }

    @Test
    void entriesEscapingTheTargetAreRefusedAndNothingIsWritten() throws IOException {
        Path good = ModelBundle.save(TransferModelTest.tiny().build(), dir.resolve("m.t4j"), BundleExtras.none());
        Path outside = dir.resolve("evil.txt");
        for (String name : List.of("../evil.txt", "/tmp/evil.txt", "a/../../evil.txt", "..\\evil.txt")) {
            Path bad = rewrite(good, Map.of(name, "pwned".getBytes(StandardCharsets.UTF_8)));
            Path target = dir.resolve("unpacked-" + Math.abs(name.hashCode()));
            InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.unpack(bad, target));
            assertTrue(e.getMessage().contains("outside the bundle") && e.getMessage().contains(name), e.getMessage());
            assertThrows(InvalidBundleException.class, () -> ModelBundle.load(bad));
            assertFalse(Files.exists(outside), "nothing written outside");
            assertFalse(Files.exists(target), "nothing written at all");
        }
        List<Path> files = ModelBundle.unpack(good, dir.resolve("ok"));
        assertEquals(Set.of("manifest.json", "graph.zip"),
                Set.copyOf(files.stream().map(p -> p.getFileName().toString()).toList()));
    }

    @Test
    void aZipBombNestedInGraphZipIsRefusedBeforeDl4jReadsIt() throws IOException {
        // issue 14: a configuration.json followed by gigabytes of spaces made DL4J read it whole (OOM, stack trace)
        Path good = ModelBundle.save(TransferModelTest.tiny().build(), dir.resolve("m.t4j"), BundleExtras.none());
        java.io.ByteArrayOutputStream inner = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream zos = new ZipOutputStream(inner)) {
            zos.putNextEntry(new ZipEntry("configuration.json"));
            zos.write(entryOf(entry(good, "graph.zip"), "configuration.json"));
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 96; i++) { // 96 MiB inflated from ~100 KB: past the ratio and the JSON caps
                zos.write(spaces);
            }
            zos.closeEntry();
        }
        Path bomb = rewrite(good, Map.of("graph.zip", inner.toByteArray()));
        assertTrue(Files.size(bomb) < 1 << 20, "the bomb is small on disk");
        Runtime rt = Runtime.getRuntime();
        long before = rt.totalMemory() - rt.freeMemory();
        InvalidBundleException e = assertThrows(InvalidBundleException.class, () -> ModelBundle.load(bomb));
        assertTrue(e.getMessage().contains("graph.zip: entry 'configuration.json' inflates more than 200:1")
                && e.getMessage().contains("zip bomb") && e.getMessage().contains(bomb.toString()), e.getMessage());
        long grown = rt.totalMemory() - rt.freeMemory() - before;
        assertTrue(grown < 64L << 20, "refused while streaming, not after reading it whole; heap grew " + grown);

        // the same bytes under an outer entry: a manifest that inflates without end is refused too
        java.io.ByteArrayOutputStream big = new java.io.ByteArrayOutputStream();
        big.write('{');
        byte[] blanks = new byte[8 << 20];
        java.util.Arrays.fill(blanks, (byte) ' ');
        big.write(blanks);
        Path manifestBomb = rewrite(good, Map.of("manifest.json", big.toByteArray()));
        InvalidBundleException m = assertThrows(InvalidBundleException.class,
                () -> ModelBundle.readManifest(manifestBomb));
        assertTrue(m.getMessage().contains("manifest.json inflates more than 200:1"), m.getMessage());
        assertEquals(ModelBundle.readManifest(good).labels(), ModelBundle.load(good).labels(), "a real bundle loads");
    }

    /** One entry of a zip held in memory. */
    static byte[] entryOf(byte[] zipBytes, String name) throws IOException {
        try (java.util.zip.ZipInputStream z = new java.util.zip.ZipInputStream(
                new java.io.ByteArrayInputStream(zipBytes))) {
            for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
                if (e.getName().equals(name)) {
                    return z.readAllBytes();
                }
            }
        }
        throw new IOException(name + " not in zip");
    }

    // ---------------------------------------------------------------- helpers

    static byte[] entry(Path zipFile, String name) throws IOException {
        try (ZipFile z = new ZipFile(zipFile.toFile())) {
            return z.getInputStream(z.getEntry(name)).readAllBytes();
        }
    }

    /** A copy of {@code zipFile} with entries replaced or added. */
    Path rewrite(Path zipFile, Map<String, byte[]> replace) throws IOException {
        Path out = Files.createTempFile(dir, "edited", ".t4j");
        try (ZipFile z = new ZipFile(zipFile.toFile());
             OutputStream os = Files.newOutputStream(out); ZipOutputStream zos = new ZipOutputStream(os)) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                zos.putNextEntry(new ZipEntry(e.getName()));
                zos.write(replace.containsKey(e.getName()) ? replace.get(e.getName())
                        : z.getInputStream(e).readAllBytes());
                zos.closeEntry();
            }
            for (Map.Entry<String, byte[]> r : replace.entrySet()) {
                if (z.getEntry(r.getKey()) == null) {
                    zos.putNextEntry(new ZipEntry(r.getKey()));
                    zos.write(r.getValue());
                    zos.closeEntry();
                }
            }
        }
        return out;
    }

    static Path zip(Path out, Map<String, byte[]> entries) throws IOException {
        try (OutputStream os = Files.newOutputStream(out); ZipOutputStream zos = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> r : entries.entrySet()) {
                zos.putNextEntry(new ZipEntry(r.getKey()));
                zos.write(r.getValue());
                zos.closeEntry();
            }
        }
        return out;
    }
}
