package io.transfer4j.examples;

import java.nio.file.Path;
import java.util.List;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.core.ImageInput;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.Prediction;
import io.transfer4j.core.Predictor;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.FineTunePlan;
import io.transfer4j.training.FineTuner;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/**
 * The Java example of the root README. {@code ReadmeExampleTest} checks that the README shows exactly the code
 * between the markers, and {@code ReadmeExampleIT} runs it.
 */
public final class ReadmeExample {

    private ReadmeExample() {
    }

    /** Fine-tunes a backbone on {@code images/<class>/*}, saves {@code bundle}, predicts one image. */
    public static List<Prediction> run(Path images, Path bundle, String backboneId, int size) throws Exception {
        // README-BEGIN
        Zoo zoo = Zoo.fromEnvironment();   // ~/.transfer4j/models; TRANSFER4J_OFFLINE=1 never touches the network
        Backbone backbone = zoo.loadOrRandom(backboneId, InputShape.rgb(size, size), 42, System.err::println);
        DataSplit split = DataSplit.stratified(images, 0.7, 0.15, 0.15, 42);     // seeded, written to a manifest
        FlowOptions opts = FlowOptions.builder().targetSize(size, size).batchSize(16).seed(42).build();
        ImagePipeline pipeline = ImagePipeline.forBackbone(backbone.spec());      // the backbone's normalisation
        DirectoryFlow train = pipeline.augment(AugmentOptions.builder().rotationRange(15).horizontalFlip(true)
                .build()).flowFromSplit(split, DataSplit.Part.TRAIN, opts);
        DirectoryFlow val = pipeline.flowFromSplit(split, DataSplit.Part.VALIDATION, opts);  // never augmented

        TransferModel model = TransferModel.builder().backbone(backbone).labels(train.getLabels()).build();
        if (!backbone.weights().pretrained()) {
            model.calibrateBatchNorm(train, 3);           // random weights: BatchNorm statistics from the data
        }
        TrainingResult result = FineTuner.builder().model(model).train(train).validation(val)
                .plan(FineTunePlan.kerasRecipe(backbone.lastGroup().name(), 5, 3))   // head, then the top group
                .allowRandomWeights()   // this demo runs anywhere; without it, random stand-in weights are refused
                .seed(42).build().fit();
        ModelBundle.save(result.model(), bundle, BundleExtras.none());

        try (Predictor predictor = Predictor.open(bundle)) {   // thread-safe: share it between threads
            return predictor.predict(ImageInput.of(split.root().resolve(split.test().get(0).file())), 3);
        }
        // README-END
    }
}
