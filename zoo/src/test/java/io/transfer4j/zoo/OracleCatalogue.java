package io.transfer4j.zoo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A zoo whose catalogue lists one backbone exactly as the built-in catalogue does, but with a single
 * {@code file:} weights source (and its MD5) - so a test's file is fetched, verified, cached and loaded along the
 * same path as a user's download.
 */
final class OracleCatalogue {
    private OracleCatalogue() {
    }

    static Zoo zoo(Path dir, String id, Path file, WeightFormat format, boolean includesTop) throws Exception {
        BackboneSpec spec = Zoo.builder().build().spec(id);
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md5.update(buf, 0, n);
            }
        }
        Normalization norm = spec.normalization();
        Map<String, Object> source = Map.of("format", format.toString(), "uri", file.toUri().toString(),
                "fileName", file.getFileName().toString(), "size", Files.size(file), "checksumAlgorithm", "md5",
                "checksum", HexFormat.of().formatHex(md5.digest()), "includesTop", includesTop, "licence", "test");
        Map<String, Object> backbone = Map.of("id", id, "architecture", spec.architecture().name(),
                "description", "oracle test", "weights", List.of(source),
                "defaultInput", Map.of("channels", spec.defaultInput().channels(),
                        "height", spec.defaultInput().height(), "width", spec.defaultInput().width()),
                "minInputSize", spec.minInputSize(),
                "normalization", Map.of("mode", norm.mode(), "order", norm.order().name(), "scale", norm.scale(),
                        "mean", norm.mean(), "std", norm.std()),
                "cutPoints", spec.cutPoints().stream().map(c -> Map.of("name", c.name(), "kind", c.kind().name(),
                        "features", c.features())).toList(),
                "groupNames", spec.groupNames());
        Files.createDirectories(dir);
        Path catalogue = dir.resolve("catalogue.json");
        new ObjectMapper().writeValue(catalogue.toFile(), Map.of("formatVersion", 1, "backbones",
                List.of(backbone)));
        return Zoo.builder().home(dir.resolve("cache")).dl4jHome(dir.resolve("dl4j")).kerasHome(dir.resolve("keras"))
                .catalogue(catalogue).build();
    }
}
