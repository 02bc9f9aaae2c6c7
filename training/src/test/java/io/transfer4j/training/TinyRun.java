package io.transfer4j.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.augmentation.Subset;
import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.TransferModel;
import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/**
 * The shared test set-up: a generated 3-class folder of 16 px images, folder flows with a 25 % validation split
 * and the zoo's tiny backbone with calibrated BatchNorm statistics. Everything is seeded, so two calls give the
 * same model and the same batches (in this JVM or a child JVM).
 */
final class TinyRun implements AutoCloseable {
    static final int SIZE = 16;

    final Path data;
    final DirectoryFlow train;
    final DirectoryFlow validation;
    final TransferModel model;

    private TinyRun(Path data, DirectoryFlow train, DirectoryFlow validation, TransferModel model) {
        this.data = data;
        this.train = train;
        this.validation = validation;
        this.model = model;
    }

    /** The generated folder under {@code dir} (created once, reused when complete). */
    static Path ensureData(Path dir, int perClass) throws IOException {
        Path data = dir.resolve("images-" + perClass);
        ImageFolders.ensure(data, new ImageFolders.Spec(3, perClass, SIZE, List.of("png"), 11));
        return data;
    }

    static TinyRun open(Path data, Path zooHome, boolean augment, int batchSize) {
        Zoo zoo = Zoo.builder().home(zooHome).offline(true).build();
        ImagePipeline pipe = ImagePipeline.forBackbone(zoo.spec("tiny"));
        if (augment) {
            pipe = pipe.augment(AugmentOptions.builder().horizontalFlip(true).validationSplit(0.25).build());
        } else {
            pipe = pipe.augment(AugmentOptions.builder().validationSplit(0.25).build());
        }
        FlowOptions opts = FlowOptions.builder().targetSize(SIZE, SIZE).batchSize(batchSize).seed(5)
                .workers(1).build();
        DirectoryFlow train = pipe.flowFromDirectory(data, opts.toBuilder().subset(Subset.TRAINING).build());
        DirectoryFlow val = ImagePipeline.forBackbone(zoo.spec("tiny"))
                .augment(AugmentOptions.builder().validationSplit(0.25).build()).flowFromDirectory(data,
                opts.toBuilder().subset(Subset.VALIDATION).shuffle(false).build());
        Backbone b = zoo.random("tiny", new InputShape(3, SIZE, SIZE), 3);
        TransferModel m = TransferModel.builder().backbone(b)
                .head(HeadSpec.builder().dense(8, org.nd4j.linalg.activations.Activation.RELU, 0.2, false).build())
                .labels(train.getLabels()).seed(4).build();
        m.calibrateBatchNorm(train, 2);
        train.setEpoch(0);
        return new TinyRun(data, train, val, m);
    }

    /** Every parameter of a graph, copied, in a stable order. */
    static List<INDArray> params(ComputationGraph g) {
        List<INDArray> out = new ArrayList<>();
        g.paramTable().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> out.add(e.getValue().dup()));
        return out;
    }

    /** History without the wall-clock columns. */
    static List<String> comparable(List<EpochRecord> h) {
        return h.stream().map(e -> e.phase() + "/" + e.epoch() + " loss=" + e.loss() + " val=" + e.valLoss()
                + " " + e.metrics() + " lr=" + e.lr()).toList();
    }

    static Path zooHome(Path base) throws IOException {
        return Files.createDirectories(base.resolve("zoo-home"));
    }

    @Override
    public void close() {
        train.close();
        validation.close();
    }
}
