package io.transfer4j.examples;

import java.nio.file.Path;

import org.nd4j.linalg.activations.Activation;

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
 * Example c: VGG16 transfer learning as in the Keras tutorial: {@code VGG16(weights='imagenet',
 * include_top=False)}, every base layer frozen, {@code Flatten -> Dense(128, relu) -> Dense(n, softmax)}, Adam,
 * images from {@code flow_from_directory}. Trained by {@code FineTuner} as {@code transfer4j fit} trains: a
 * checkpoint every epoch in {@code --out} (the same command again continues an interrupted run), early stopping
 * on val_loss with the best weights kept, training and validation accuracy per epoch. The body of {@link #fit} is
 * the tutorial, its Keras lines in the comments.
 *
 * <pre>./transfer4j example vgg16-transfer --data ../shared/datasets/dl4j-animals --out runs/vgg16-transfer</pre>
 */
@Command(name = "vgg16-transfer", mixinStandardHelpOptions = true,
        description = {"Keras tutorial twin: VGG16 with a frozen base, Flatten -> Dense 128 relu -> softmax,",
                "trained on a class-folder data set (flow_from_directory) by FineTuner: checkpoints, early stopping.",
                "Offline: random weights, said clearly."})
public final class Vgg16TransferExample extends AbstractTransferExample {

    @Option(names = "--epochs", defaultValue = "10", description = "Default: ${DEFAULT-VALUE} (as the tutorial).")
    int epochs;

    @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Override
    TrainingResult fit(Path runDir) {
        // base_model = VGG16(weights='imagenet', include_top=False, input_shape=(224, 224, 3))
        // train = ImageDataGenerator(validation_split=0.2).flow_from_directory(DIR, subset='training', ...)
        // val = ImageDataGenerator(validation_split=0.2).flow_from_directory(DIR, subset='validation', ...)
        try (DirectoryFlow train = flow(Subset.TRAINING); DirectoryFlow val = flow(Subset.VALIDATION)) {
            // for layer in base_model.layers: layer.trainable = False
            // x = Flatten()(base_model.output); x = Dense(128, activation='relu')(x)
            // model = Model(base_model.input, Dense(len(classes), activation='softmax')(x))
            TransferModel model = TransferModel.builder().backbone(backbone()).cut("block5_pool")
                    .head(HeadSpec.builder().pooling(Pooling.FLATTEN).dense(128, Activation.RELU).build())
                    .task(Task.MULTICLASS).labels(train.getLabels()).trainable(LayerSelection.headOnly())
                    .seed(seed).build();
            // model.summary()
            log.info(String.format("model: %,d parameters, %,d trainable (the frozen base is block1..block5)",
                    model.graph().numParams(), model.trainableParameters()));
            metrics.put("trainable_parameters", model.trainableParameters());
            // model.compile(optimizer=Adam(learning_rate=1e-3), loss='categorical_crossentropy', metrics=['accuracy'])
            // model.fit(train, validation_data=val, epochs=10, callbacks=[ModelCheckpoint(...),
            //           EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)])
            return FineTuner.builder().allowRandomWeights().model(model).train(train).validation(val)
                    .plan(FineTunePlan.of(Phase.builder("head").maxEpochs(epochs).lr(learningRate)
                            .earlyStopping(EarlyStopping.onValLoss(patience)).build()))
                    .runDir(runDir).seed(seed).progress(progress()).build().fit();
        }
    }

    @Override
    String exampleName() {
        return "vgg16-transfer";
    }

    @Override
    String backboneId() {
        return "vgg16";
    }

    @Override
    void checkOptions() {
        if (epochs < 1) {
            throw new UsageException("--epochs must be >= 1; received " + epochs);
        }
        if (!(learningRate > 0)) {
            throw new UsageException("--learning-rate must be > 0; received " + learningRate);
        }
    }

    /** Runs {@code transfer4j example vgg16-transfer ARGS}. */
    public static void main(String[] args) {
        System.exit(Transfer4j.commandLine().execute(ExampleCommand.args("vgg16-transfer", args)));
    }
}
