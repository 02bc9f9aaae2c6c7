package io.transfer4j.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/** Shared set-up: a generated 3-class folder, a tiny-backbone bundle, and a local[2] Spark context. */
final class SparkFixtures {
    static final int SIZE = 16;

    private SparkFixtures() {
    }

    static Zoo zoo(Path dir) throws IOException {
        return Zoo.builder().home(Files.createDirectories(dir.resolve("zoo-home"))).offline(true).build();
    }

    static Path images(Path dir, int perClass) throws IOException {
        Path data = dir.resolve("images");
        ImageFolders.generate(data, new ImageFolders.Spec(3, perClass, SIZE, List.of("png", "jpg"), 7));
        return data;
    }

    /** A tiny-backbone model with calibrated BatchNorm statistics (untrained head), saved as a bundle. */
    static Path bundle(Path dir, Path images) throws IOException {
        Zoo zoo = zoo(dir);
        FlowOptions opts = FlowOptions.builder().targetSize(SIZE, SIZE).batchSize(8).seed(5).workers(1).build();
        try (DirectoryFlow flow = ImagePipeline.forBackbone(zoo.spec("tiny")).flowFromDirectory(images, opts)) {
            Backbone b = zoo.random("tiny", new InputShape(3, SIZE, SIZE), 3);
            TransferModel m = TransferModel.builder().backbone(b).head(HeadSpec.builder().build())
                    .labels(flow.getLabels()).seed(4).build();
            m.calibrateBatchNorm(flow, 2);
            return ModelBundle.save(m, dir.resolve("model.t4j"), BundleExtras.none());
        }
    }

    static JavaSparkContext local2() {
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("transfer4j-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        return new JavaSparkContext(conf);
    }
}
