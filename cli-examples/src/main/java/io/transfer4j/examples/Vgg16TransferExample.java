package io.transfer4j.examples;

import java.util.List;
import java.util.Map;

import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;

import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.cli.Output;
import io.transfer4j.cli.Transfer4j;
import io.transfer4j.cli.UsageException;
import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.Pooling;
import io.transfer4j.core.Task;
import io.transfer4j.core.TransferModel;
import io.transfer4j.zoo.Backbone;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Example c: VGG16 transfer learning as in the Keras tutorial: {@code VGG16(weights='imagenet',
 * include_top=False)}, every base layer frozen, {@code Flatten -> Dense(128, relu) -> Dense(n, softmax)}, Adam,
 * images from {@code flow_from_directory}.
 *
 * <pre>./transfer4j example vgg16-transfer --data ../shared/datasets/dl4j-animals --out runs/vgg16-transfer</pre>
 */
@Command(name = "vgg16-transfer", mixinStandardHelpOptions = true,
        description = {"Keras tutorial twin: VGG16 with a frozen base, Flatten -> Dense 128 relu -> softmax,",
                "trained on a class-folder data set (flow_from_directory). Offline: random weights, said clearly."})
public final class Vgg16TransferExample extends AbstractTransferExample {

    @Option(names = "--epochs", defaultValue = "10", description = "Default: ${DEFAULT-VALUE} (as the tutorial).")
    int epochs;

    @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
    double learningRate;

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

    @Override
    List<MnistCnn.Epoch> train(Backbone backbone, List<String> labels, DirectoryFlow trainFlow, DirectoryFlow valFlow,
                               Output log, Map<String, Object> metrics, List<Integer> phaseStarts) {
        TransferModel model = TransferModel.builder().backbone(backbone).cut("block5_pool")
                .head(HeadSpec.builder().pooling(Pooling.FLATTEN).dense(128, Activation.RELU).build())
                .task(Task.MULTICLASS).labels(labels).trainable(LayerSelection.headOnly()).seed(seed)
                .updater(new Adam(learningRate)).build();
        log.info(String.format("model: %,d parameters, %,d trainable (the frozen base is block1..block5)",
                model.graph().numParams(), model.trainableParameters()));
        metrics.put("parameters", model.graph().numParams());
        metrics.put("trainable_parameters", model.trainableParameters());
        metrics.put("optimizer", Map.of("name", "Adam", "learning_rate", learningRate));
        metrics.put("epochs", epochs);
        return GraphFit.fit(model.graph(), trainFlow, valFlow, epochs, 1, row -> printEpoch(log, "head", row));
    }

    /** Runs {@code transfer4j example vgg16-transfer ARGS}. */
    public static void main(String[] args) {
        System.exit(Transfer4j.commandLine().execute(ExampleCommand.args("vgg16-transfer", args)));
    }
}
