package io.transfer4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.core.Prediction;
import io.transfer4j.testdata.ImageFolders;

/** Runs the README's Java example as a user would, on generated class folders (ResNet50 at 32 px, offline). */
class ReadmeExampleIT {

    @TempDir
    Path tmp;

    @Test
    void readmeExampleTrainsSavesAndPredicts() throws Exception {
        Path images = tmp.resolve("images");
        ImageFolders.generate(images, new ImageFolders.Spec(3, 14, 32, List.of("png", "jpg"), 5));
        Path bundle = tmp.resolve("model.t4j");
        List<Prediction> top = ReadmeExample.run(images, bundle, "resnet50", 32);
        assertTrue(Files.size(bundle) > 1_000_000, "a ResNet50 bundle holds its weights");
        assertEquals(3, top.size(), "top-3 of three classes");
        double sum = top.stream().mapToDouble(Prediction::probability).sum();
        assertEquals(1.0, sum, 1e-3, "softmax over all classes");
        assertTrue(top.get(0).probability() >= top.get(2).probability(), "sorted best first");
        assertTrue(ImageFolders.ALL_CLASSES.contains(top.get(0).label()), top.toString());
    }
}
