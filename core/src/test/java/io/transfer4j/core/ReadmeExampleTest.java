package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;

import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/** The Java example of core/README.md, compiled and run; the README must contain this code verbatim. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void readmeExampleRunsAndIsQuotedVerbatim() throws Exception {
        Path images = dir.resolve("shapes");
        ImageFolders.generate(images, new ImageFolders.Spec(3, 12, 32, List.of("png"), 7));
        Path bundle = dir.resolve("shapes.t4j");

        // README-BEGIN
        Zoo zoo = Zoo.builder().offline(true).build();
        Backbone backbone = zoo.random("tiny", InputShape.rgb(32, 32), 42); // or zoo.load("resnet50", ...)
        DirectoryFlow train = ImagePipeline.forBackbone(backbone.spec()).flowFromDirectory(images,
                FlowOptions.builder().targetSize(32, 32).batchSize(12).seed(1).build());

        TransferModel model = TransferModel.builder()
                .backbone(backbone)                                   // cut at its default point (flatten_1)
                .head(HeadSpec.builder().dense(32, Activation.RELU, 0.2, false).build())
                .task(Task.MULTICLASS).labels(train.getLabels())      // labels in class-index order
                .trainable(LayerSelection.headOnly())
                .build();
        model.calibrateBatchNorm(train, 3);                           // random backbones only (see TRAPS.md)
        for (int epoch = 0; epoch < 15; epoch++) {
            model.graph().fit(train);                                 // or training's FineTuner
        }
        model.setTrainable(LayerSelection.fromGroup("block3"), new org.nd4j.linalg.learning.config.Adam(1e-4));
        ModelBundle.save(model, bundle, BundleExtras.none());

        try (Predictor predictor = Predictor.open(bundle)) {          // thread-safe; share it between threads
            List<Prediction> top2 = predictor.predict(ImageInput.of(images.resolve("circles/circles_0000.png")), 2);
            PredictionTable table = predictor.predictAll(images, 1);  // every image below the folder, batched
            table.writeCsv(dir.resolve("predictions.csv"));
            float[] features = predictor.embed(ImageInput.of(images.resolve("circles/circles_0000.png")));
            GradCam cam = predictor.explain(ImageInput.of(images.resolve("circles/circles_0000.png")));
            cam.writeOverlay(dir.resolve("circles_0000-gradcam.png"));
            // README-END
            assertEquals(2, top2.size());
            assertEquals(36, table.rows().size());
            assertEquals(List.of(), table.failures());
            assertEquals(32, features.length);
            assertTrue(Files.size(dir.resolve("circles_0000-gradcam.png")) > 0);
            long correct = table.rows().stream()
                    .filter(r -> r.file().getParent().getFileName().toString().equals(r.top().get(0).label()))
                    .count();
            assertTrue(correct >= 24, "the head learned the shapes: " + correct + "/36 right on training images");
        }
        String readme = Files.readString(Path.of("README.md"));
        String source = Files.readString(Path.of("src/test/java/io/transfer4j/core/ReadmeExampleTest.java"));
        String snippet = source.substring(source.indexOf("// README-BEGIN\n") + 16, source.indexOf("            // README-END"));
        assertTrue(readme.contains(snippet.stripTrailing().stripIndent().strip()), "core/README.md quotes the example verbatim");
    }
}
