package io.transfer4j.examples;

import java.util.Map;
import java.util.Objects;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * RMSprop exactly as Keras 2 ({@code tf.keras.optimizers.RMSprop}, TensorFlow's {@code ApplyRMSProp} kernel) does
 * it: {@code ms = rho*ms + (1-rho)*g^2; w -= lr*g / sqrt(ms + eps)}, accumulators starting at zero. DL4J's
 * {@link org.nd4j.linalg.learning.config.RmsProp} (and Keras 3) divide by {@code sqrt(ms) + eps} instead, which
 * lets parameters with tiny gradients keep moving by about {@code lr / sqrt(1 - rho)} per step; see EXAMPLES.md.
 * Constant learning rate only.
 */
public final class Keras2RmsProp implements IUpdater {

    private static final long serialVersionUID = 1L;

    private double learningRate = 0.001;
    private double rho = 0.9;
    private double epsilon = 1e-7;

    /** Keras's defaults: lr 0.001, rho 0.9, epsilon 1e-7. */
    public Keras2RmsProp() {
    }

    public Keras2RmsProp(double learningRate, double rho, double epsilon) {
        if (!(learningRate > 0) || !(rho >= 0 && rho < 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("need learningRate > 0, 0 <= rho < 1, epsilon > 0; received "
                    + learningRate + ", " + rho + ", " + epsilon);
        }
        this.learningRate = learningRate;
        this.rho = rho;
        this.epsilon = epsilon;
    }

    public double getLearningRate() {
        return learningRate;
    }

    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    public double getRho() {
        return rho;
    }

    public void setRho(double rho) {
        this.rho = rho;
    }

    public double getEpsilon() {
        return epsilon;
    }

    public void setEpsilon(double epsilon) {
        this.epsilon = epsilon;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater<Keras2RmsProp> instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater<Keras2RmsProp> instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        Updater u = new Updater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public Keras2RmsProp clone() {
        return new Keras2RmsProp(learningRate, rho, epsilon);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        if (lrSchedule != null) {
            throw new UnsupportedOperationException("Keras2RmsProp has a constant learning rate; received a schedule "
                    + lrSchedule);
        }
        this.learningRate = lr;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Keras2RmsProp k && k.learningRate == learningRate && k.rho == rho && k.epsilon == epsilon;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, rho, epsilon);
    }

    @Override
    public String toString() {
        return "Keras2RmsProp(lr=" + learningRate + ", rho=" + rho + ", epsilon=" + epsilon + ")";
    }

    /** The per-parameter state ({@code ms}) and the update rule. */
    static final class Updater implements GradientUpdater<Keras2RmsProp> {
        static final String MS = "ms";
        private final Keras2RmsProp config;
        private INDArray ms;

        Updater(Keras2RmsProp config) {
            this.config = config;
        }

        @Override
        public Keras2RmsProp getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            INDArray s = state.get(MS);
            if (s == null) {
                throw new IllegalStateException("Keras2RmsProp state needs '" + MS + "'; received " + state.keySet());
            }
            ms = s;
            if (initialize) {
                ms.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(MS, ms);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            ms = viewArray.reshape(gradientOrder, gradientShape);
        }

        /** Turns {@code gradient} into the update DL4J subtracts: {@code lr * g / sqrt(ms + eps)}. */
        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            if (ms == null) {
                throw new IllegalStateException("Keras2RmsProp: state view array not set");
            }
            double rho = config.getRho();
            ms.muli(rho).addi(gradient.mul(gradient).muli(1 - rho));
            gradient.divi(Transforms.sqrt(ms.add(config.getEpsilon()), false)).muli(config.getLearningRate());
        }
    }
}
