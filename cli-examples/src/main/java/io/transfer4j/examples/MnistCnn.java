package io.transfer4j.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.deeplearning4j.nn.api.Model;
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
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

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

    /** Loss and accuracy of one pass, as Keras reports them. */
    public record Score(double loss, double accuracy, long samples) {
    }

    /** One epoch's row of the history, with Keras's names in {@link #toString()}. */
    public record Epoch(int epoch, double loss, double accuracy, double valLoss, double valAccuracy, double seconds,
                        double imagesPerSecond) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "epoch %d - %.1fs (%.0f img/s) - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f",
                    epoch, seconds, imagesPerSecond, loss, accuracy, valLoss, valAccuracy);
        }
    }

    /**
     * Trains for {@code epochs} epochs like Keras's {@code fit(..., validation_data=...)}: training loss and accuracy
     * are averages over the epoch's batches (measured on each batch's forward pass, before its update), validation
     * ones are measured after the epoch. {@code onEpoch} sees each row as it is produced.
     */
    public static List<Epoch> fit(MultiLayerNetwork net, DataSetIterator train, DataSetIterator validation, int epochs,
                                  Consumer<Epoch> onEpoch) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1; received " + epochs);
        }
        BatchAccuracy accuracy = new BatchAccuracy(net);
        net.addListeners(accuracy);
        List<Epoch> history = new ArrayList<>();
        try {
            for (int e = 1; e <= epochs; e++) {
                if (e > 1 || !train.hasNext()) {
                    train.reset();
                }
                long start = System.nanoTime();
                double lossSum = 0;
                long samples = 0;
                accuracy.clear();
                while (train.hasNext()) {
                    DataSet batch = train.next();
                    accuracy.labels = batch.getLabels();
                    net.fit(batch);
                    long n = batch.numExamples();
                    lossSum += net.score() * n;
                    samples += n;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                Score val = evaluate(net, validation);
                Epoch row = new Epoch(e, lossSum / samples, accuracy.correct / (double) samples, val.loss(),
                        val.accuracy(), seconds, samples / seconds);
                history.add(row);
                onEpoch.accept(row);
            }
        } finally {
            net.getListeners().remove(accuracy);
        }
        return history;
    }

    /** Mean categorical cross-entropy (probabilities clipped as Keras does) and accuracy over a whole iterator. */
    public static Score evaluate(MultiLayerNetwork net, DataSetIterator data) {
        return GraphFit.evaluate(x -> net.output(x, false), data);
    }

    /**
     * Counts correct predictions on each training batch from the forward pass DL4J does anyway: the listener gets
     * the activations up to the last hidden layer, and the output layer's argmax is one small matrix product away.
     */
    private static final class BatchAccuracy extends BaseTrainingListener {
        private final MultiLayerNetwork net;
        INDArray labels;
        long correct;

        BatchAccuracy(MultiLayerNetwork net) {
            this.net = net;
        }

        void clear() {
            correct = 0;
        }

        @Override
        @SuppressWarnings("try")   // the workspace scope is used for its side effect only
        public void onForwardPass(Model model, List<INDArray> activations) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                INDArray hidden = activations.get(activations.size() - 1);
                org.deeplearning4j.nn.api.Layer out = net.getLayer(net.getnLayers() - 1);
                INDArray logits = hidden.mmul(out.getParam("W")).addiRowVector(out.getParam("b"));
                correct += GraphFit.correct(logits, labels);
            }
        }
    }
}
