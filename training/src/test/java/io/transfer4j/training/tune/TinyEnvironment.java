package io.transfer4j.training.tune;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.augmentation.Subset;
import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.TransferModel;
import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/**
 * Trials on the zoo's tiny backbone (random, seeded, BatchNorm calibrated on a fixed batch size so every trial
 * has the same frozen weights) and a generated 3-class folder of 16 px images, 25 % validation. Counts the
 * training batches all trials read from their flows (the body's forward passes over training data).
 */
final class TinyEnvironment implements TrialEnvironment {
    static final int SIZE = 16;

    final Path data;
    private final Zoo zoo;
    private final List<DirectoryFlow> trainFlows = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** A dense width that makes {@link #model} throw OutOfMemoryError (a trial that runs out of memory). */
    int oomWidth = -1;
    /** A dense width whose trials start with huge head weights, so their loss is NaN/infinite (a diverging trial). */
    int nanWidth = -1;

    TinyEnvironment(Path base, int perClass) throws IOException {
        this.data = base.resolve("images-" + perClass);
        ImageFolders.ensure(data, new ImageFolders.Spec(3, perClass, SIZE, List.of("png"), 11));
        this.zoo = Zoo.builder().home(Files.createDirectories(base.resolve("zoo-home"))).offline(true).build();
    }

    @Override
    public String backboneId() {
        return "tiny";
    }

    @Override
    public List<String> layerGroups() {
        return zoo.spec("tiny").groupNames();
    }

    @Override
    public TransferModel model(TrialParams p) {
        HeadSpec.Builder head = HeadSpec.builder();
        for (int units : p.dense()) {
            if (units == oomWidth) {
                throw new OutOfMemoryError("simulated: no room for a dense layer of " + units);
            }
            head.dense(units, Activation.RELU, p.dropout(), false);
        }
        try (DirectoryFlow calib = flow(4, false, Subset.TRAINING)) {
            TransferModel m = TransferModel.builder().backbone(zoo.random("tiny", new InputShape(3, SIZE, SIZE), 3))
                    .head(head.build()).labels(calib.getLabels()).seed(4).build();
            m.calibrateBatchNorm(calib, 2);
            if (p.dense().contains(nanWidth)) {
                m.graph().paramTable().forEach((k, v) -> {
                    if (m.headVertices().stream().anyMatch(h -> k.startsWith(h + "_"))) {
                        v.assign(3e38);   // a view into the graph's parameters: logits overflow float32
                    }
                });
            }
            return m;
        }
    }

    @Override
    public DataSetIterator train(TrialParams p) {
        DirectoryFlow f = flow(p.batchSize(), p.augment(), Subset.TRAINING);
        trainFlows.add(f);
        return f;
    }

    /** Training batches read from every trial's flow so far (each one a forward pass of the body). */
    long trainBatchesRead() {
        return trainFlows.stream().mapToLong(DirectoryFlow::batchesTaken).sum();
    }

    @Override
    public DataSetIterator validation(TrialParams p) {
        return flow(p.batchSize(), false, Subset.VALIDATION);
    }

    private DirectoryFlow flow(int batch, boolean augment, Subset subset) {
        ImagePipeline pipe = ImagePipeline.forBackbone(zoo.spec("tiny")).augment(AugmentOptions.builder()
                .horizontalFlip(augment).validationSplit(0.25).build());
        FlowOptions opts = FlowOptions.builder().targetSize(SIZE, SIZE).batchSize(batch).seed(5).workers(1)
                .subset(subset).shuffle(subset == Subset.TRAINING).build();
        return pipe.flowFromDirectory(data, opts);
    }
}
