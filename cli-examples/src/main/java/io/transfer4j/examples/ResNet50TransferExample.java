package io.transfer4j.examples;

import java.nio.file.Path;

import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.Subset;
import io.transfer4j.cli.Transfer4j;
import io.transfer4j.cli.UsageException;
import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.Pooling;
import io.transfer4j.core.Task;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.EarlyStopping;
import io.transfer4j.training.FineTunePlan;
import io.transfer4j.training.FineTuner;
import io.transfer4j.training.Phase;
import io.transfer4j.training.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Example d: ResNet50 transfer as in the Keras tutorial: {@code ResNet50(weights='imagenet', include_top=False)}
 * -> {@code GlobalAveragePooling2D} -> {@code Dense(n, softmax)}; first the head alone (base frozen), then the last
 * stage ({@code res5}) unfrozen and fine-tuned with a 100x lower learning rate. Both phases are one
 * {@code FineTunePlan} run by {@code FineTuner}: checkpoints in {@code --out}, early stopping on val_loss.
 *
 * <p>With random weights (offline) the BatchNorm running statistics of the frozen base are first calibrated on a
 * few training batches: a random ResNet50's statistics (mean 0, variance 1) explode in inference mode, and frozen
 * layers run in inference mode.
 *
 * <pre>./transfer4j example resnet50-transfer --data ../shared/datasets/dl4j-animals --out runs/resnet50-transfer</pre>
 */
@Command(name = "resnet50-transfer", mixinStandardHelpOptions = true,
        description = {"Keras tutorial twin: ResNet50, GlobalAveragePooling -> softmax, head first, then fine-tuning",
                "of the last stage (res5), by FineTuner: checkpoints, early stopping. Offline: random weights (BN "
                        + "statistics calibrated), said clearly."})
public final class ResNet50TransferExample extends AbstractTransferExample {

    @Option(names = "--head-epochs", defaultValue = "5", description = "Epochs with the base frozen. Default: ${DEFAULT-VALUE}.")
    int headEpochs;

    @Option(names = "--fine-tune-epochs", defaultValue = "5",
            description = "Epochs with res5 unfrozen. Default: ${DEFAULT-VALUE}.")
    int fineTuneEpochs;

    @Option(names = "--learning-rate", defaultValue = "0.001",
            description = "Adam learning rate of the head phase; fine-tuning uses 1/100 of it. Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Override
    TrainingResult fit(Path runDir) {
        // base_model = ResNet50(weights='imagenet', include_top=False, input_shape=(224, 224, 3))
        // train = ImageDataGenerator(validation_split=0.2).flow_from_directory(DIR, subset='training', ...)
        // val = ImageDataGenerator(validation_split=0.2).flow_from_directory(DIR, subset='validation', ...)
        try (DirectoryFlow train = flow(Subset.TRAINING); DirectoryFlow val = flow(Subset.VALIDATION)) {
            // base_model.trainable = False
            // x = GlobalAveragePooling2D()(base_model.output)
            // model = Model(base_model.input, Dense(len(classes), activation='softmax')(x))
            TransferModel model = TransferModel.builder().backbone(backbone()).cut("res5c_relu")
                    .head(HeadSpec.builder().pooling(Pooling.AVG).build())
                    .task(Task.MULTICLASS).labels(train.getLabels()).trainable(LayerSelection.headOnly())
                    .seed(seed).build();
            if (!backbone().weights().pretrained()) {   // no Keras line: ImageNet weights bring their statistics
                long n = model.calibrateBatchNorm(train, 4);
                train.reset();
                log.info(String.format("calibrated the random backbone's BatchNorm statistics on %d training images", n));
            }
            // model.summary()
            log.info(String.format("model: %,d parameters, %,d trainable in the head phase", model.graph().numParams(),
                    model.trainableParameters()));
            // model.compile(optimizer=Adam(1e-3), loss='categorical_crossentropy', metrics=['accuracy'])
            // model.fit(train, validation_data=val, epochs=5, callbacks=[checkpoint, early_stopping])
            Phase head = Phase.builder("head").maxEpochs(headEpochs).lr(learningRate)
                    .earlyStopping(EarlyStopping.onValLoss(patience)).build();
            // for layer in base_model.layers: layer.trainable = layer.name.startswith('conv5_')   (res5)
            // model.compile(optimizer=Adam(1e-5), loss='categorical_crossentropy', metrics=['accuracy'])
            // model.fit(train, validation_data=val, epochs=5, callbacks=[checkpoint, early_stopping])
            Phase fineTune = Phase.builder("fine-tune-res5").maxEpochs(Math.max(1, fineTuneEpochs))
                    .trainable(LayerSelection.fromGroup("res5")).lr(learningRate / 100)
                    .earlyStopping(EarlyStopping.onValLoss(patience)).build();
            FineTunePlan plan = fineTuneEpochs > 0 ? FineTunePlan.of(head, fineTune) : FineTunePlan.of(head);
            return FineTuner.builder().allowRandomWeights().model(model).train(train).validation(val).plan(plan)
                    .runDir(runDir).seed(seed).progress(progress()).build().fit();
        }
    }

    @Override
    String exampleName() {
        return "resnet50-transfer";
    }

    @Override
    String backboneId() {
        return "resnet50";
    }

    @Override
    void checkOptions() {
        if (headEpochs < 1 || fineTuneEpochs < 0) {
            throw new UsageException("--head-epochs must be >= 1 and --fine-tune-epochs >= 0; received "
                    + headEpochs + " and " + fineTuneEpochs);
        }
        if (!(learningRate > 0)) {
            throw new UsageException("--learning-rate must be > 0; received " + learningRate);
        }
    }

    /** Runs {@code transfer4j example resnet50-transfer ARGS}. */
    public static void main(String[] args) {
        System.exit(Transfer4j.commandLine().execute(ExampleCommand.args("resnet50-transfer", args)));
    }
}
