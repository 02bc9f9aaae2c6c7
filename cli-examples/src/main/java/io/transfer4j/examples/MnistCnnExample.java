package io.transfer4j.examples;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.cli.Transfer4j;
import picocli.CommandLine.Command;

/**
 * Example a: the Keras Fashion-MNIST tutorial's CNN (93,322 parameters) trained from scratch with RMSprop,
 * batch 512, 15 epochs, 30 % of the training set held out for validation; learning curve and test accuracy.
 *
 * <pre>./transfer4j example mnist-cnn --data ../shared/datasets/mnist --out runs/mnist-cnn</pre>
 */
@Command(name = "mnist-cnn", mixinStandardHelpOptions = true,
        description = {"Keras tutorial twin: small CNN from scratch on MNIST / Fashion-MNIST (IDX or Kaggle CSV).",
                "Writes history.csv, learning-curve.png and metrics.json to --out."})
public final class MnistCnnExample extends AbstractMnistExample {

    @Override
    String exampleName() {
        return "mnist-cnn";
    }

    @Override
    AugmentOptions augmentation() {
        return AugmentOptions.none();
    }

    /** Runs {@code transfer4j example mnist-cnn ARGS}. */
    public static void main(String[] args) {
        System.exit(Transfer4j.commandLine().execute(ExampleCommand.args("mnist-cnn", args)));
    }
}
