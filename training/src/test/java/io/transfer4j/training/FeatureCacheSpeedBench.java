package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.core.TransferModel;
import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/**
 * Per-epoch time of ResNet50 head training with and without the feature cache, at a small input size (a
 * measurement, not a unit test: runs only with {@code -Dtransfer4j.bench=true}). Prints the numbers.
 *
 * <pre>./mvnw -B -q -o -pl training -am verify -Dtest=FeatureCacheSpeedBench -Dtransfer4j.bench=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@EnabledIfSystemProperty(named = "transfer4j.bench", matches = "true")
class FeatureCacheSpeedBench {

    @Test
    void resnet50HeadEpochsAreFasterOnCachedFeatures(@TempDir Path dir) throws Exception {
        int size = Integer.getInteger("transfer4j.bench.size", 64);
        int perClass = Integer.getInteger("transfer4j.bench.perClass", 32);
        Path data = dir.resolve("images");
        ImageFolders.generate(data, new ImageFolders.Spec(3, perClass, size, List.of("png"), 3));
        Zoo zoo = Zoo.builder().home(dir.resolve("zoo")).offline(true).build();
        ImagePipeline pipe = ImagePipeline.forBackbone(zoo.spec("resnet50"));
        FlowOptions opts = FlowOptions.builder().targetSize(size, size).batchSize(16).seed(1).build();
        double[] perEpoch = new double[2];
        for (FeatureCacheMode mode : List.of(FeatureCacheMode.OFF, FeatureCacheMode.AUTO)) {
            try (DirectoryFlow train = pipe.flowFromDirectory(data, opts)) {
                TransferModel m = TransferModel.builder()
                        .backbone(zoo.random("resnet50", new InputShape(3, size, size), 1))
                        .labels(train.getLabels()).seed(2).build();
                m.calibrateBatchNorm(train, 2);
                long t0 = System.nanoTime();
                TrainingResult r = FineTuner.builder().model(m).train(train).featureCache(mode)
                        .plan(FineTunePlan.of(Phase.builder("head").maxEpochs(3).lr(1e-3).build())).seed(1).build()
                        .fit();
                double total = (System.nanoTime() - t0) / 1e9;
                double later = (r.history().get(1).seconds() + r.history().get(2).seconds()) / 2;
                perEpoch[mode == FeatureCacheMode.OFF ? 0 : 1] = later;
                System.out.printf("BENCH resnet50 %dpx %d images, cache %s: epochs %.3f / %.3f / %.3f s, total %.1f s"
                        + " (incl. cache build)%n", size, perClass * 3, mode, r.history().get(0).seconds(),
                        r.history().get(1).seconds(), r.history().get(2).seconds(), total);
            }
        }
        System.out.printf("BENCH speed-up per epoch after the first: %.1fx%n", perEpoch[0] / perEpoch[1]);
        assertTrue(perEpoch[0] / perEpoch[1] > 1, "the cache must make epochs faster");
    }
}
