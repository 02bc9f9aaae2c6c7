package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.Zoo;

/** The example of the module README, compiled and run (the README copies the lines between the markers). */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void readmeExampleRuns() throws Exception {
        Path dir = tmp.resolve("images");
        ImageFolders.generate(dir, new ImageFolders.Spec(4, 10, 40, List.of("png", "jpg"), 1));
        Path runDir = tmp.resolve("run");
        Path file = dir.resolve("circles/circles_0000.png");
        Zoo zoo = Zoo.fromEnvironment();
        int batches = 0;
        // README example start
        BackboneSpec spec = zoo.spec("resnet50");
        ImagePipeline pipe = ImagePipeline.forBackbone(spec)                    // normalisation from the spec
                .augment(AugmentOptions.builder().rotationRange(20).widthShiftRange(0.1).heightShiftRange(0.1)
                        .zoomRange(0.15).horizontalFlip(true).validationSplit(0.2).build());
        FlowOptions opts = FlowOptions.builder().targetSize(64, 64).batchSize(8).seed(7).build();
        try (DirectoryFlow train = pipe.flowFromDirectory(dir, opts.toBuilder().subset(Subset.TRAINING).build());
             DirectoryFlow val = pipe.flowFromDirectory(dir, opts.toBuilder().subset(Subset.VALIDATION).build())) {
            Map<String, Integer> classes = train.classIndices();  // {circles=0, squares=1, stripes=2, triangles=3}
            while (train.hasNext()) {                            // or: graph.fit(train, 5)
                batches++;
                train.next();
            }
            assertFalse(val.isAugmented());                      // validation is never augmented
            assertEquals(Map.of("circles", 0, "squares", 1, "stripes", 2, "triangles", 3), classes);
        }
        // stratified, seeded train/val/test split with a manifest
        DataSplit split = DataSplit.stratified(dir, 0.7, 0.15, 0.15, 42);
        split.write(runDir.resolve("split.json"));
        try (DirectoryFlow test = pipe.flowFromSplit(split, DataSplit.Part.TEST, opts)) {  // not augmented
            assertFalse(test.isAugmented());
        }
        // one image for prediction (what core's Predictor uses)
        INDArray x = ImagePipeline.toInput(ImageDecoder.decode(file), spec.defaultInput(), spec.normalization(),
                Interpolation.BILINEAR);
        // README example end
        assertEquals(4, batches, "32 training images in batches of 8");
        assertArrayEquals(new long[] {1, 3, spec.defaultInput().height(), spec.defaultInput().width()}, x.shape());
        assertEquals(split, DataSplit.read(runDir.resolve("split.json")));
    }
}
