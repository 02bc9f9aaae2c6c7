package io.transfer4j.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
 * Example d: ResNet50 transfer as in the Keras tutorial: {@code ResNet50(weights='imagenet', include_top=False)}
 * -> {@code GlobalAveragePooling2D} -> {@code Dense(n, softmax)}; first the head alone (base frozen), then the last
 * stage ({@code res5}) unfrozen and fine-tuned with a 100x lower learning rate.
 *
 * <p>With random weights (offline) the BatchNorm running statistics of the frozen base are first calibrated on a
 * few training batches: a random ResNet50's statistics (mean 0, variance 1) explode in inference mode, and frozen
 * layers run in inference mode.
 *
 * <pre>./transfer4j example resnet50-transfer --data ../shared/datasets/dl4j-animals --out runs/resnet50-transfer</pre>
 */
@Command(name = "resnet50-transfer", mixinStandardHelpOptions = true,
        description = {"Keras tutorial twin: ResNet50, GlobalAveragePooling -> softmax, head first, then fine-tuning",
                "of the last stage (res5). Offline: random weights (BN statistics calibrated), said clearly."})
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

    @Override
    List<MnistCnn.Epoch> train(Backbone backbone, List<String> labels, DirectoryFlow trainFlow, DirectoryFlow valFlow,
                               Output log, Map<String, Object> metrics, List<Integer> phaseStarts) {
        TransferModel model = TransferModel.builder().backbone(backbone).cut("res5c_relu")
                .head(HeadSpec.builder().pooling(Pooling.AVG).build())
                .task(Task.MULTICLASS).labels(labels).trainable(LayerSelection.headOnly()).seed(seed)
                .updater(new Adam(learningRate)).build();
        if (!backbone.weights().pretrained()) {
            long n = model.calibrateBatchNorm(trainFlow, 4);
            trainFlow.reset();
            log.info(String.format("calibrated the random backbone's BatchNorm statistics on %d training images", n));
        }
        log.info(String.format("model: %,d parameters, %,d trainable in the head phase", model.graph().numParams(),
                model.trainableParameters()));
        metrics.put("parameters", model.graph().numParams());
        metrics.put("head_phase", Map.of("epochs", headEpochs, "optimizer", "Adam", "learning_rate", learningRate,
                "trainable_parameters", model.trainableParameters()));
        List<MnistCnn.Epoch> history = new ArrayList<>(
                GraphFit.fit(model.graph(), trainFlow, valFlow, headEpochs, 1, row -> printEpoch(log, "head", row)));
        if (fineTuneEpochs > 0) {
            double fineLr = learningRate / 100;
            model.setTrainable(LayerSelection.fromGroup("res5"), new Adam(fineLr));
            log.info(String.format("fine-tuning res5: %,d trainable parameters, Adam lr %s", model.trainableParameters(), fineLr));
            metrics.put("fine_tune_phase", Map.of("epochs", fineTuneEpochs, "optimizer", "Adam", "learning_rate",
                    fineLr, "unfrozen", "res5", "trainable_parameters", model.trainableParameters()));
            phaseStarts.add(headEpochs + 1);
            history.addAll(GraphFit.fit(model.graph(), trainFlow, valFlow, fineTuneEpochs, headEpochs + 1,
                    row -> printEpoch(log, "fine-tune res5", row)));
        }
        return history;
    }

    /** Runs {@code transfer4j example resnet50-transfer ARGS}. */
    public static void main(String[] args) {
        System.exit(Transfer4j.commandLine().execute(ExampleCommand.args("resnet50-transfer", args)));
    }
}
