package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.zoo.Normalization;

/**
 * A folder without class sub-directories, or with class directories but no images, is an error naming the
 * directory and saying what was expected, from both the flow and the scan.
 */
class EmptyFoldersTest {
    @TempDir
    Path tmp;

    @Test
    void noClassDirectoriesIsAnErrorNamingTheFolder() throws Exception {
        Files.writeString(tmp.resolve("readme.txt"), "not a class");
        IllegalArgumentException flow = assertThrows(IllegalArgumentException.class,
                () -> ImagePipeline.of(Normalization.none()).flowFromDirectory(tmp, FlowOptions.builder().build()));
        assertTrue(flow.getMessage().contains("no class sub-directories in '" + tmp + "'"), flow.getMessage());
        assertTrue(flow.getMessage().contains("one sub-directory per class"), flow.getMessage());
        IllegalArgumentException scan = assertThrows(IllegalArgumentException.class,
                () -> DataScan.scan(tmp, ScanOptions.quick()));
        assertTrue(scan.getMessage().contains("no class sub-directories in '" + tmp + "'"), scan.getMessage());
        assertTrue(scan.getMessage().contains("*.jpg"), scan.getMessage());
    }

    @Test
    void classDirectoriesWithoutImagesAreAnErrorListingTheExtensions() throws Exception {
        Files.createDirectories(tmp.resolve("cats"));
        Files.createDirectories(tmp.resolve("dogs"));
        Files.writeString(tmp.resolve("cats/notes.txt"), "no image here");
        for (Exception e : new Exception[] {
            assertThrows(IllegalArgumentException.class,
                    () -> ImagePipeline.of(Normalization.none()).flowFromDirectory(tmp, FlowOptions.builder().build())),
            assertThrows(IllegalArgumentException.class, () -> DataScan.scan(tmp, ScanOptions.quick()))}) {
            assertTrue(e.getMessage().contains("no images in '" + tmp + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("*.png") && e.getMessage().contains("*.tiff"), e.getMessage());
            assertTrue(e.getMessage().contains("[cats, dogs]"), e.getMessage());
        }
    }
}
