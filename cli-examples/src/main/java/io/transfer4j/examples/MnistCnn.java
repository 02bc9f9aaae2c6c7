package io.transfer4j.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.FineTuner;
import io.transfer4j.training.Metrics;
import io.transfer4j.training.TrainingAccuracy;

/**
 * The small CNN of the Keras Fashion-MNIST tutorial, built and trained with DL4J:
 *
 * <pre>
 * Conv2D(32, 3x3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3x3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3x3, relu)
 *   -> Flatten -> Dense(64, relu) -> Dense(10, softmax)          93,322 parameters (as Keras's model.summary())
 * compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
 * </pre>
 *
 * <p>Keras defaults are made explicit because DL4J's differ: weights Glorot-uniform with zero biases (DL4J's
 * default init is XAVIER, a normal distribution); RMSprop lr 0.001, rho 0.9, epsilon 1e-7 (DL4J's {@code new
 * RmsProp()} is lr 0.1, decay 0.95, epsilon 1e-8). "valid" padding = DL4J's {@link ConvolutionMode#Truncate}.
 */
public final class MnistCnn {

    /** Keras's {@code RMSprop()} defaults. */
    public static final double KERAS_RMSPROP_LR = 0.001;
    public static final double KERAS_RMSPROP_RHO = 0.9;
    public static final double KERAS_RMSPROP_EPSILON = 1e-7;

    private MnistCnn() {
    }

    /** Keras's {@code optimizer='rmsprop'}. */
    public static IUpdater kerasRmsProp() {
        return new RmsProp(KERAS_RMSPROP_LR, KERAS_RMSPROP_RHO, KERAS_RMSPROP_EPSILON);
    }

    /** The tutorial network for {@code rows x cols} single-channel images and ten classes. */
    public static MultiLayerConfiguration configuration(int rows, int cols, long seed, IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .biasInit(0.0)
                .convolutionMode(ConvolutionMode.Truncate)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2d_1").nOut(32).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("max_pooling2d_1")
                        .kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2d_2").nOut(64).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("max_pooling2d_2")
                        .kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2d_3").nOut(64).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("dense_1").nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("dense_2").nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(rows, cols, 1))
                .build();
    }

    /** The initialised network; transfer4j's backend defaults (oneDNN layer helpers) are applied first. */
    public static MultiLayerNetwork network(int rows, int cols, long seed, IUpdater updater) {
        io.transfer4j.zoo.Backend.ensureInitialised();
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(rows, cols, seed, updater));
        net.init();
        return net;
    }

    /**
     * Trains for {@code epochs} epochs like Keras's {@code fit(..., validation_data=...)}, one {@link EpochRecord}
     * per epoch (phase {@code "train"}): training loss and accuracy are averages over the epoch's batches, taken
     * from each batch's own forward pass before its update ({@link TrainingAccuracy}); validation numbers come from
     * the one evaluator after the epoch. {@code onEpoch} sees each record as it is produced.
     */
    public static List<EpochRecord> fit(MultiLayerNetwork net, DataSetIterator train, DataSetIterator validation,
                                        int epochs, Consumer<EpochRecord> onEpoch) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1; received " + epochs);
        }
        TrainingAccuracy accuracy = new TrainingAccuracy();
        net.addListeners(accuracy);
        List<EpochRecord> history = new ArrayList<>();
        try {
            for (int e = 1; e <= epochs; e++) {
                if (e > 1 || !train.hasNext()) {
                    train.reset();
                }
                long start = System.nanoTime();
                double lossSum = 0;
                long samples = 0;
                accuracy.reset();
                while (train.hasNext()) {
                    DataSet batch = train.next();
                    accuracy.labels(batch.getLabels());
                    net.fit(batch);
                    long n = batch.numExamples();
                    lossSum += net.score() * n;
                    samples += n;
                }
                double trainSeconds = (System.nanoTime() - start) / 1e9;
                Metrics val = evaluate(net, validation);
                EpochRecord row = EpochRecord.of("train", e, lossSum / samples, accuracy.accuracy(), val,
                        learningRate(net), (System.nanoTime() - start) / 1e9, samples / trainSeconds);
                history.add(row);
                onEpoch.accept(row);
            }
        } finally {
            net.getListeners().remove(accuracy);
        }
        return history;
    }

    /** Every metric over a whole iterator, with the one evaluator (probabilities clipped as Keras's loss). */
    public static Metrics evaluate(MultiLayerNetwork net, DataSetIterator data) {
        List<String> labels = data.getLabels() != null ? data.getLabels()
                : java.util.stream.IntStream.range(0, data.totalOutcomes()).mapToObj(Integer::toString).toList();
        Metrics m = FineTuner.evaluate(x -> net.output(x, false), data, labels, 1);
        if (m.examples() == 0) {
            throw new IllegalArgumentException("the evaluation data is empty");
        }
        return m;
    }

    private static double learningRate(MultiLayerNetwork net) {
        Double lr = net.getLearningRate(0);
        return lr == null ? Double.NaN : lr;
    }
}
