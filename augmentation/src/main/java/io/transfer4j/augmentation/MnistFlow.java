package io.transfer4j.augmentation;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batches of an {@link MnistData} set as a DL4J {@link DataSetIterator}: features NCHW {@code [n, 1, rows, cols]}
 * float32 scaled to [0, 1] (pixel / 255, as in the Keras tutorials), labels one-hot {@code [n, 10]}.
 *
 * <p>With {@code shuffle} (the default, like Keras's {@code fit}) every epoch has its own order, a pure function of
 * the seed and the epoch number; an epoch ends when the data is used up and {@link #reset()} starts the next one.
 * An optional {@link Augmenter} changes each training image; it gets a random source derived from
 * (seed, epoch, position in the epoch), so the same seed gives the same augmented batches on any number of threads.
 *
 * <pre>{@code
 * MnistData.Split s = MnistData.read(dir, MnistData.Part.TRAIN).split(0.3, 42);
 * DataSetIterator train = MnistFlow.builder(s.train()).batchSize(512).seed(42).build();
 * DataSetIterator val = MnistFlow.builder(s.validation()).batchSize(512).shuffle(false).build();
 * }</pre>
 */
public final class MnistFlow implements DataSetIterator {

    private static final long serialVersionUID = 1L;

    /** Class names of MNIST (the digits). */
    public static final List<String> DIGIT_LABELS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    /** Class names of Fashion-MNIST in label order (Zalando's README). */
    public static final List<String> FASHION_LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /**
     * Changes one training image in place. {@code image} is row-major, {@code rows * cols} values in [0, 1];
     * {@code rng} is private to this image and this epoch, so implementations need no state of their own.
     */
    @FunctionalInterface
    public interface Augmenter {
        void augment(float[] image, int rows, int cols, SplittableRandom rng);
    }

    private final MnistData data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final transient Augmenter augmenter;
    private final List<String> labels;
    private transient DataSetPreProcessor preProcessor;

    private int epoch;
    private int cursor;
    private int[] order;

    private MnistFlow(Builder b) {
        this.data = b.data;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.augmenter = b.augmenter;
        this.labels = b.labels;
        this.order = orderFor(0);
    }

    public static Builder builder(MnistData data) {
        return new Builder(data);
    }

    /** Number of images per epoch. */
    public int samples() {
        return data.size();
    }

    public boolean isAugmented() {
        return augmenter != null;
    }

    /** The epoch being produced (0 first; {@link #reset()} moves to the next). */
    public int epoch() {
        return epoch;
    }

    public MnistData data() {
        return data;
    }

    private int[] orderFor(int e) {
        int n = data.size();
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        if (shuffle) {
            Random rng = new Random(mix(seed, e, -1));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = o[i];
                o[i] = o[j];
                o[j] = t;
            }
        }
        return o;
    }

    /** SplitMix64-style mixing of (seed, epoch, position) into one well-spread seed. */
    private static long mix(long seed, long epoch, long position) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + position * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public DataSet next(int num) {
        if (num <= 0) {
            throw new IllegalArgumentException("batch size must be positive; received " + num);
        }
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " is used up (" + order.length
                    + " images); call reset() to start the next epoch");
        }
        int n = Math.min(num, order.length - cursor);
        int pixels = data.rows() * data.cols();
        float[] features = new float[n * pixels];
        float[] oneHot = new float[n * MnistData.NUM_CLASSES];
        float[] image = augmenter == null ? null : new float[pixels];
        for (int k = 0; k < n; k++) {
            int position = cursor + k;
            int i = order[position];
            if (augmenter == null) {
                data.copyScaled(i, features, k * pixels);
            } else {
                data.copyScaled(i, image, 0);
                augmenter.augment(image, data.rows(), data.cols(), new SplittableRandom(mix(seed, epoch, position)));
                System.arraycopy(image, 0, features, k * pixels, pixels);
            }
            oneHot[k * MnistData.NUM_CLASSES + data.label(i)] = 1f;
        }
        cursor += n;
        INDArray f = Nd4j.create(features, new long[] {n, 1, data.rows(), data.cols()}, 'c');
        INDArray l = Nd4j.create(oneHot, new long[] {n, MnistData.NUM_CLASSES}, 'c');
        DataSet ds = new DataSet(f, l);
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    /** Labels (0..9) of the images in the order the current epoch yields them; handy for confusion matrices. */
    public int[] labelsInYieldOrder() {
        int[] out = new int[order.length];
        for (int k = 0; k < order.length; k++) {
            out[k] = data.label(order[k]);
        }
        return out;
    }

    @Override
    public int inputColumns() {
        return data.rows() * data.cols();
    }

    @Override
    public int totalOutcomes() {
        return MnistData.NUM_CLASSES;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    /** Starts the next epoch (a new order when shuffling, new augmentation draws). */
    @Override
    public void reset() {
        epoch++;
        cursor = 0;
        if (shuffle) {
            order = orderFor(epoch);
        }
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return labels;
    }

    @Override
    public String toString() {
        return "MnistFlow[" + data + ", batch " + batchSize + (shuffle ? ", shuffled, seed " + seed : "")
                + (augmenter != null ? ", augmented" : "") + "]";
    }

    /** {@link Builder#augment(AugmentOptions)}: Keras's transforms work on the 0-255 scale, MnistFlow's images on 0-1. */
    private record KerasTransforms(io.transfer4j.augmentation.internal.Augmenter keras, AugmentOptions options)
            implements Augmenter {
        @Override
        public void augment(float[] image, int rows, int cols, SplittableRandom rng) {
            float[] x = new float[image.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = image[i] * 255f;
            }
            float[] y = keras.apply(x, 1, rows, cols, keras.sample(rows, cols, rng));
            for (int i = 0; i < y.length; i++) {
                image[i] = y[i] / 255f;
            }
        }

        @Override
        public String toString() {
            return "Keras ImageDataGenerator transforms " + options;
        }
    }

    /** Checks every setting in {@link #build()}. */
    public static final class Builder {
        private final MnistData data;
        private int batchSize = 32;
        private boolean shuffle = true;
        private long seed;
        private Augmenter augmenter;
        private List<String> labels = DIGIT_LABELS;

        private Builder(MnistData data) {
            this.data = data;
        }

        /** Images per batch (Keras's default 32); the last batch of an epoch may be smaller. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** A new order every epoch (default true); evaluation flows should pass false. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Augments each image (training flows only: validation and test data must not be augmented). */
        public Builder augmenter(Augmenter augmenter) {
            this.augmenter = augmenter;
            return this;
        }

        /**
         * Keras {@code ImageDataGenerator} random transforms (rotation, shifts, shear, zoom, channel shift, flips,
         * brightness, fill mode, interpolation order) on each training image, in Keras's order, through the same
         * code as {@link ImagePipeline}. {@code cval} and {@code channelShiftRange} are on the 0-255 scale as in
         * Keras. The standardisation options do not apply (MnistFlow's scaling is fixed at pixel / 255) and are
         * refused, as is {@code validationSplit} (use {@link MnistData#split}).
         */
        public Builder augment(AugmentOptions options) {
            if (options == null) {
                throw new IllegalArgumentException("options must not be null; use AugmentOptions.none() for none");
            }
            List<String> refused = new ArrayList<>();
            if (options.rescale() != 1) {
                refused.add("rescale=" + options.rescale());
            }
            if (options.preprocessingFunction() != null) {
                refused.add("preprocessingFunction");
            }
            if (options.featurewiseCenter() || options.featurewiseStdNormalization() || options.zcaWhitening()
                    || options.samplewiseCenter() || options.samplewiseStdNormalization()) {
                refused.add("featurewise/samplewise centre/std or ZCA");
            }
            if (options.validationSplit() != 0) {
                refused.add("validationSplit=" + options.validationSplit());
            }
            if (!refused.isEmpty()) {
                throw new IllegalArgumentException("MnistFlow applies only the random transforms of AugmentOptions; "
                        + "received " + String.join(", ", refused) + ". Its scaling is fixed (pixel / 255) and its "
                        + "validation split is MnistData.split(fraction, seed): remove these options.");
            }
            if (!options.isRandom()) {
                this.augmenter = null;
                return this;
            }
            io.transfer4j.augmentation.internal.Augmenter keras = new io.transfer4j.augmentation.internal.Augmenter(options);
            this.augmenter = new KerasTransforms(keras, options);
            return this;
        }

        /** Ten class names in label order, e.g. {@link #FASHION_LABELS}; default {@link #DIGIT_LABELS}. */
        public Builder labels(List<String> labels) {
            this.labels = labels;
            return this;
        }

        public MnistFlow build() {
            if (data == null) {
                throw new IllegalArgumentException("data must not be null; read it with MnistData.read(...)");
            }
            if (data.size() == 0) {
                throw new IllegalArgumentException("data is empty (" + data + "); a flow needs at least one image");
            }
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be >= 1; received " + batchSize);
            }
            if (labels == null || labels.size() != MnistData.NUM_CLASSES || labels.stream().anyMatch(s -> s == null || s.isBlank())) {
                throw new IllegalArgumentException("labels must be " + MnistData.NUM_CLASSES
                        + " non-blank class names in label order; received " + labels);
            }
            labels = List.copyOf(new ArrayList<>(labels));
            return new MnistFlow(this);
        }
    }
}
