package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.zoo.internal.Checksums;

/**
 * Sources whose publisher gives no checksum (Keras' MobileNetV2 files) are checked by their exact byte size; such a
 * file is still installed only when it matches, and its SHA-256 is recorded like any other file's.
 */
class SizeChecksumTest {
    @TempDir
    Path tmp;

    @Test
    void theSizeIsTheChecksumAndZeroOrTextIsRefused() throws Exception {
        Path f = tmp.resolve("f.bin");
        Files.write(f, new byte[1234]);
        Checksums.Result r = Checksums.of(f, ChecksumAlgorithm.SIZE);
        assertEquals("1234", r.publisher());
        assertEquals("size:1234", r.label());
        assertEquals(64, r.sha256().length());
        URI uri = URI.create("https://example.org/x.h5");
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new WeightSource(
                WeightFormat.KERAS_H5, uri, "x.h5", -1, ChecksumAlgorithm.SIZE, "0", true, ""));
        assertTrue(zero.getMessage().contains("has no checksum"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WeightSource(WeightFormat.KERAS_H5, uri, "x.h5", -1,
                ChecksumAlgorithm.SIZE, "9.4MB", true, ""));
    }

    @Test
    void installAcceptsOnlyAFileOfThePublishedSize() throws Exception {
        byte[] bytes = TestCatalogues.tinyZip(tmp, 3);
        Path good = tmp.resolve("tiny.zip");
        Files.write(good, bytes);
        Path bad = tmp.resolve("tiny-short.zip");
        Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        Path catalogue = TestCatalogues.tiny(tmp, URI.create("http://127.0.0.1:9/tiny.zip"), "1", -1);
        Files.writeString(catalogue, Files.readString(catalogue)
                .replace("\"checksumAlgorithm\": \"adler32\", \"checksum\": \"1\"",
                        "\"checksumAlgorithm\": \"size\", \"checksum\": \"" + bytes.length + "\""));
        assertTrue(Files.readString(catalogue).contains("\"size\""), "catalogue rewritten");
        Zoo zoo = Zoo.builder().home(tmp.resolve("cache")).dl4jHome(tmp.resolve("d")).kerasHome(tmp.resolve("k"))
                .offline(true).catalogue(catalogue).build();
        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class, () -> zoo.install("tiny", bad));
        assertEquals(WeightsUnavailableException.Reason.CHECKSUM_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("size:" + bytes.length), e.getMessage());
        assertFalse(zoo.present("tiny").isPresent(), "the cache is untouched");
        Path installed = zoo.install("tiny", good);
        assertTrue(Files.exists(installed.resolveSibling(installed.getFileName() + ".sha256")),
                "a SHA-256 is recorded beside the file for later uses");
        assertTrue(zoo.load("tiny", InputShape.rgb(32, 32)).weights().pretrained());
    }
}
