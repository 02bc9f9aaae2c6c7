package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;

import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;
import picocli.CommandLine;

/** {@code transfer4j models ...} and {@code transfer4j summary}, as a user on an air-gapped machine runs them. */
class ModelsCommandTest {
    @TempDir
    Path tmp;
    private Path catalogue;
    private Path weights;
    private String adler;

    record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        CommandLine cl = Transfer4j.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Run models(String... args) {
        List<String> all = new ArrayList<>(List.of("models"));
        all.addAll(List.of(args));
        all.addAll(List.of("--home", tmp.resolve("home").toString(), "--catalogue", catalogue.toString()));
        return run(all.toArray(String[]::new));
    }

    @BeforeEach
    void tinyCatalogue() throws Exception {
        weights = tmp.resolve("downloads").resolve("tiny.zip");
        Files.createDirectories(weights.getParent());
        ModelSerializer.writeModel(Zoo.builder().home(tmp).build().random("tiny", InputShape.rgb(32, 32), 5).graph(),
                weights.toFile(), false);
        Adler32 a = new Adler32();
        a.update(Files.readAllBytes(weights));
        adler = Long.toString(a.getValue());
        catalogue = tmp.resolve("catalogue.json");
        Files.writeString(catalogue, """
            {"formatVersion": 1, "backbones": [{
              "id": "tiny", "architecture": "TINY", "description": "tiny test backbone",
              "weights": [{"format": "dl4j-zip", "uri": "http://127.0.0.1:9/tiny.zip", "fileName": "tiny.zip",
                           "size": -1, "checksumAlgorithm": "adler32", "checksum": "%s", "includesTop": true,
                           "licence": "test"}],
              "defaultInput": {"channels": 3, "height": 32, "width": 32}, "minInputSize": 8,
              "normalization": {"mode": "none", "order": "RGB", "scale": 1.0, "mean": [], "std": []},
              "cutPoints": [{"name": "flatten_1", "kind": "VECTOR", "features": 32}],
              "groupNames": ["block1", "block2", "block3", "fc"]}]}
            """.formatted(adler));
    }

    @Test
    void airGappedInstallThenListVerifyPathAndInfo() throws Exception {
        Run before = models("list");
        assertEquals(0, before.code(), before.err());
        assertTrue(before.out().lines().anyMatch(l -> l.startsWith("tiny ") && l.contains(" no ")), before.out());

        Run offline = models("download", "tiny", "--offline");
        assertEquals(ExitCode.FAILURE, offline.code());
        assertTrue(offline.err().contains("transfer4j models install tiny --from FILE"), offline.err());
        List<String> lines = offline.err().lines().toList();
        assertTrue(lines.get(0).startsWith("transfer4j: Offline mode"), offline.err());
        assertTrue(lines.subList(1, lines.size() - 1).stream().allMatch(l -> l.startsWith("  ")),
                "a short first line, then an indented list: " + offline.err());
        assertTrue(lines.get(lines.size() - 1).startsWith("(run again with --verbose"), offline.err());

        Run path = models("path", "tiny");
        assertEquals(ExitCode.FAILURE, path.code());
        assertEquals(tmp.resolve("home").resolve("tiny").resolve("tiny.zip").toAbsolutePath().toString(),
                path.out().trim());

        Path wrong = tmp.resolve("wrong.zip");
        Files.writeString(wrong, "not the weights");
        Run refused = models("install", "tiny", "--from", wrong.toString());
        assertEquals(ExitCode.FAILURE, refused.code());
        assertTrue(refused.err().contains("adler32:" + adler) && refused.err().contains("not changed"), refused.err());

        Run installed = models("install", "tiny", "--from", weights.toString());
        assertEquals(0, installed.code(), installed.err());
        Path cached = tmp.resolve("home").resolve("tiny").resolve("tiny.zip");
        assertTrue(Files.isRegularFile(cached));

        Run list = models("list");
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("tiny ") && l.contains(" yes ")), list.out());
        Run verify = models("verify", "tiny");
        assertEquals(0, verify.code(), verify.out());
        assertTrue(verify.out().contains("OK") && verify.out().contains("adler32:" + adler), verify.out());
        assertEquals(0, models("path", "tiny").code());

        Files.write(cached, new byte[] {1, 2, 3});
        Run bad = models("verify");
        assertEquals(ExitCode.FAILURE, bad.code());
        assertTrue(bad.out().contains("FAILED"), bad.out());

        Run json = models("list", "--json");
        assertEquals(0, json.code(), json.err());
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out().lines().reduce((a, b) -> b)
                .orElseThrow());
        assertEquals("result", tree.get("type").asText());
        assertEquals("tiny", tree.get("models").get(0).get("id").asText());
        assertTrue(tree.get("models").get(0).get("cached").asBoolean());

        Run info = models("info", "tiny");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("flatten_1") && info.out().contains("block3")
                && info.out().contains("predictions") && info.out().contains("none(RGB"), info.out());
    }

    @Test
    void selftestWithoutInstalledWeightsSaysSoAndExitsWithItsOwnCode() {
        Run r = run("models", "selftest", "mobilenetv2", "--offline", "--home", tmp.resolve("empty").toString());
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("No pretrained weights for mobilenetv2 are installed")
                && r.err().contains("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5")
                && r.err().contains("transfer4j models install mobilenetv2 --from FILE"), r.err());
        Run tiny = models("selftest", "tiny");
        assertEquals(3, tiny.code(), "the tiny catalogue's weights are not installed: " + tiny.err());
    }

    @Test
    void unknownIdsAndMissingFilesAreUsageErrors() {
        Run unknown = models("info", "resnt50");
        assertEquals(ExitCode.USAGE, unknown.code());
        assertTrue(unknown.err().contains("valid ids: tiny"), unknown.err());
        Run missing = models("install", "tiny", "--from", tmp.resolve("nope.zip").toString());
        assertEquals(ExitCode.USAGE, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
    }

    @Test
    void summaryPrintsAKerasLikeTableForBackboneIds() {
        Run r = run("summary", "tiny");
        assertEquals(0, r.code(), r.err());
        // convs 224 + 1,168 + 4,640, BN 4 x (8 + 16 + 32), predictions 32 x 1000 + 1000
        assertTrue(r.out().contains("Total params: 39,256"), r.out());
        assertTrue(r.out().contains("Non-trainable params: 112"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("block3_conv1 (ConvolutionLayer)")
                && l.contains("(None, 32, 8, 8)") && l.contains("4,640")), r.out());
        Run noTop = run("summary", "tiny", "--input", "48x40", "--json");
        assertEquals(0, noTop.code(), noTop.err());
        assertTrue(noTop.out().contains("\"total\":6256"), noTop.out());
        Run nearest = run("summary", "vgg61");
        assertEquals(ExitCode.USAGE, nearest.code());
        assertTrue(nearest.err().contains("Did you mean 'vgg16'?"), nearest.err());
        Run small = run("summary", "vgg16", "--input", "16");
        assertEquals(ExitCode.USAGE, small.code());
        assertTrue(small.err().contains("at least 32x32"), small.err());
    }
}
