package io.transfer4j.zoo;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Adler32;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/** Test catalogues pointing at loopback or file URLs, and a small generated model zip to serve. */
final class TestCatalogues {
    static final String FILE_NAME = "tiny_dl4j_inference.zip";

    private TestCatalogues() {
    }

    /** A seeded tiny backbone (with its top, at 3x32x32) written by ModelSerializer. */
    static byte[] tinyZip(Path dir, long seed) throws IOException {
        ComputationGraph g = Zoo.builder().home(dir.resolve("unused")).build()
                .random("tiny", InputShape.rgb(32, 32), seed).graph();
        Path zip = dir.resolve("tiny-" + seed + ".zip");
        ModelSerializer.writeModel(g, zip.toFile(), false);
        return Files.readAllBytes(zip);
    }

    static String adler32(byte[] bytes) {
        Adler32 a = new Adler32();
        a.update(bytes);
        return Long.toString(a.getValue());
    }

    /** A catalogue with one backbone {@code tiny} whose only weights are a dl4j zip at {@code uri}. */
    static Path tiny(Path dir, URI uri, String adler32, long size) throws IOException {
        String json = """
            {"formatVersion": 1, "backbones": [{
              "id": "tiny", "architecture": "TINY", "description": "tiny test backbone",
              "weights": [{"format": "dl4j-zip", "uri": "%s", "fileName": "%s", "size": %d,
                           "checksumAlgorithm": "adler32", "checksum": "%s", "includesTop": true,
                           "licence": "test"}],
              "defaultInput": {"channels": 3, "height": 32, "width": 32}, "minInputSize": 8,
              "normalization": {"mode": "rescale", "order": "RGB", "scale": 0.00392156862745098,
                                "mean": [], "std": []},
              "cutPoints": [{"name": "flatten_1", "kind": "VECTOR", "features": 32},
                            {"name": "block3_pool", "kind": "FEATURE_MAP", "features": 32}],
              "groupNames": ["block1", "block2", "block3", "fc"]}]}
            """.formatted(uri, FILE_NAME, size, adler32);
        Files.createDirectories(dir);
        Path file = dir.resolve("catalogue-" + Math.abs(uri.hashCode()) + "-" + adler32 + ".json");
        Files.writeString(file, json);
        return file;
    }
}
