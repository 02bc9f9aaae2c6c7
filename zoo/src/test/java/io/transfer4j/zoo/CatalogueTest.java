package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in catalogue's content, and clear errors for broken catalogue files. */
class CatalogueTest {
    @TempDir
    Path tmp;

    @Test
    void builtInCatalogueListsThePublishersFilesAndChecksums() {
        Zoo zoo = Zoo.builder().home(tmp).build();
        assertEquals(List.of("vgg16", "resnet50", "mobilenetv2", "tiny"), zoo.catalogue().stream().map(BackboneSpec::id).toList());
        BackboneSpec vgg = zoo.spec("vgg16");
        WeightSource dl4j = vgg.weights().get(0);
        assertEquals(WeightFormat.DL4J_ZIP, dl4j.format());
        assertEquals("adler32:3501732770", dl4j.checksumLabel());
        assertEquals("https://dl4jdata.blob.core.windows.net/models/vgg16_dl4j_inference.zip", dl4j.uri().toString());
        assertEquals("md5:6d6bbae143d832006294945121d1f1fc", vgg.weights().get(1).checksumLabel());
        assertEquals("adler32:3914447815", zoo.spec("resnet50").weights().get(0).checksumLabel());
        assertEquals(Normalization.caffe(), vgg.normalization());
        assertEquals(List.of("block5_pool", "fc2"), vgg.cutPoints().stream().map(CutPoint::name).toList());
        assertEquals(List.of("stem", "res2", "res3", "res4", "res5", "fc"), zoo.spec("resnet50").groupNames());
        assertTrue(zoo.spec("tiny").weights().isEmpty());
    }

    private IllegalArgumentException broken(String json) throws Exception {
        Path file = tmp.resolve("c.json");
        Files.writeString(file, json);
        return assertThrows(IllegalArgumentException.class, () -> Zoo.builder().home(tmp).catalogue(file).build());
    }

    private static String entry(String id, String groups, String checksum) {
        return """
            {"id": "%s", "architecture": "TINY", "description": "",
             "weights": [{"format": "dl4j-zip", "uri": "file:/x.zip", "fileName": "x.zip", "size": -1,
                          "checksumAlgorithm": "adler32", "checksum": "%s", "includesTop": true, "licence": ""}],
             "defaultInput": {"channels": 3, "height": 32, "width": 32}, "minInputSize": 8,
             "normalization": {"mode": "none", "order": "RGB", "scale": 1.0, "mean": [], "std": []},
             "cutPoints": [{"name": "flatten_1", "kind": "VECTOR", "features": 32}],
             "groupNames": %s}""".formatted(id, checksum, groups);
    }

    @Test
    void brokenCataloguesAreRejectedSayingWhatIsWrong() throws Exception {
        IllegalArgumentException group = broken("{\"formatVersion\": 1, \"backbones\": ["
                + entry("t", "[\"block1\", \"blok2\"]", "1") + "]}");
        assertTrue(group.getMessage().contains("'blok2'") && group.getMessage().contains("Did you mean 'block2'?"),
                group.getMessage());
        IllegalArgumentException twice = broken("{\"formatVersion\": 1, \"backbones\": ["
                + entry("t", "[]", "1") + "," + entry("t", "[]", "1") + "]}");
        assertTrue(twice.getMessage().contains("'t' twice"), twice.getMessage());
        IllegalArgumentException version = broken("{\"formatVersion\": 2, \"backbones\": ["
                + entry("t", "[]", "1") + "]}");
        assertTrue(version.getMessage().contains("formatVersion 2"), version.getMessage());
        IllegalArgumentException noChecksum = broken("{\"formatVersion\": 1, \"backbones\": ["
                + entry("t", "[]", "0") + "]}");
        assertTrue(noChecksum.getMessage().contains("no checksum"), noChecksum.getMessage());
        IllegalArgumentException md5 = broken("{\"formatVersion\": 1, \"backbones\": ["
                + entry("t", "[]", "1").replace("\"adler32\"", "\"md5\"") + "]}");
        assertTrue(md5.getMessage().contains("not a valid md5"), md5.getMessage());
        IllegalArgumentException junk = broken("{\"formatVersion\": 1, \"backbones\": [{\"id\": \"t\", \"architecture\": \"VGG19\"}]}");
        assertTrue(junk.getMessage().contains("not valid") && junk.getMessage().contains("VGG19"), junk.getMessage());
    }
}
