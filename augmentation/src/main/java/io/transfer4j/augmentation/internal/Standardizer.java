package io.transfer4j.augmentation.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.augmentation.AugmentOptions;

/**
 * Keras' {@code standardize}: preprocessing function -> rescale -> samplewise centre/std -> featurewise
 * centre/std -> ZCA, on one planar image.
 */
public final class Standardizer {

    /**
     * Statistics from {@code fit}: per-channel mean and std, and the ZCA matrix ({@code d x d}, row-major, for the
     * planar flattening) or null.
     */
    public record FitStats(int channels, int height, int width, float[] mean, float[] std, float[] zca) {
    }

    private final AugmentOptions o;
    private final FitStats stats;

    public Standardizer(AugmentOptions options, FitStats stats) {
        this.o = options;
        this.stats = stats;
    }

    /** True if this changes anything. */
    public boolean active() {
        return o.preprocessingFunction() != null || o.rescale() != 1 || o.samplewiseCenter()
                || o.samplewiseStdNormalization() || o.needsFit();
    }

    public float[] apply(float[] x, int c, int h, int w) {
        x = beforeFeaturewise(x, c, h, w, o);
        int n = h * w;
        if (o.featurewiseCenter()) {
            for (int k = 0; k < c; k++) {
                float m = stats.mean()[k];
                for (int i = k * n; i < (k + 1) * n; i++) {
                    x[i] -= m;
                }
            }
        }
        if (o.featurewiseStdNormalization()) {
            for (int k = 0; k < c; k++) {
                float s = stats.std()[k] + 1e-6f;
                for (int i = k * n; i < (k + 1) * n; i++) {
                    x[i] /= s;
                }
            }
        }
        if (o.zcaWhitening()) {
            int d = x.length;
            float[] pc = stats.zca();
            float[] out = new float[d];
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int i = 0; i < d; i++) {
                    s += x[i] * pc[i * d + j];
                }
                out[j] = (float) s;
            }
            x = out;
        }
        return x;
    }

    /** The steps that come before the featurewise statistics; fit uses them too. Copies {@code x} when needed. */
    static float[] beforeFeaturewise(float[] x, int c, int h, int w, AugmentOptions o) {
        if (o.preprocessingFunction() != null) {
            INDArray a = Nd4j.create(x, new long[] {c, h, w}, DataType.FLOAT);
            INDArray r = o.preprocessingFunction().apply(a);
            if (r == null || r.rank() != 3 || r.size(0) != c || r.size(1) != h || r.size(2) != w) {
                throw new IllegalStateException("preprocessingFunction must return an array of shape [" + c + ", "
                        + h + ", " + w + "]; returned " + (r == null ? "null" : java.util.Arrays.toString(r.shape())));
            }
            x = r.castTo(DataType.FLOAT).dup('c').data().asFloat();
        } else {
            x = x.clone();
        }
        if (o.rescale() != 1) {
            float s = (float) o.rescale();
            for (int i = 0; i < x.length; i++) {
                x[i] *= s;
            }
        }
        if (o.samplewiseCenter() || o.samplewiseStdNormalization()) {
            double sum = 0;
            for (float v : x) {
                sum += v;
            }
            double mean = sum / x.length;
            if (o.samplewiseCenter()) {
                for (int i = 0; i < x.length; i++) {
                    x[i] -= (float) mean;
                }
                mean = 0;
            }
            if (o.samplewiseStdNormalization()) {
                double ss = 0;
                for (float v : x) {
                    ss += (v - mean) * (v - mean);
                }
                float std = (float) Math.sqrt(ss / x.length) + 1e-6f;
                for (int i = 0; i < x.length; i++) {
                    x[i] /= std;
                }
            }
        }
        return x;
    }

    /**
     * Keras' {@code fit} on {@code n} planar images (each {@code c*h*w}), after the steps that precede the featurewise
     * ones (Keras itself skips rescale and the preprocessing function here, which makes its statistics disagree
     * with what {@code standardize} subtracts).
     */
    public static FitStats fit(float[][] images, int c, int h, int w, AugmentOptions o) {
        int n = images.length;
        if (n == 0) {
            throw new IllegalArgumentException("fit needs at least one image");
        }
        int d = c * h * w;
        if (o.zcaWhitening() && d > AugmentOptions.ZCA_MAX_DIMENSION) {
            throw new IllegalArgumentException("ZCA whitening needs channels*height*width <= "
                    + AugmentOptions.ZCA_MAX_DIMENSION + " (its matrix is that size squared); received " + c + "x" + h
                    + "x" + w + " = " + d + ". Use a smaller target size or featurewise centre/std instead");
        }
        float[][] xs = new float[n][];
        for (int i = 0; i < n; i++) {
            xs[i] = beforeFeaturewise(images[i], c, h, w, o);
        }
        int plane = h * w;
        float[] mean = new float[c];
        float[] std = new float[c];
        for (int k = 0; k < c; k++) {
            double s = 0;
            for (float[] x : xs) {
                for (int i = k * plane; i < (k + 1) * plane; i++) {
                    s += x[i];
                }
            }
            mean[k] = (float) (s / ((double) n * plane));
        }
        if (o.featurewiseCenter()) {
            for (float[] x : xs) {
                for (int k = 0; k < c; k++) {
                    for (int i = k * plane; i < (k + 1) * plane; i++) {
                        x[i] -= mean[k];
                    }
                }
            }
        }
        for (int k = 0; k < c; k++) {
            double m = o.featurewiseCenter() ? 0 : mean[k];
            double ss = 0;
            for (float[] x : xs) {
                for (int i = k * plane; i < (k + 1) * plane; i++) {
                    ss += (x[i] - m) * (x[i] - m);
                }
            }
            std[k] = (float) Math.sqrt(ss / ((double) n * plane));
        }
        if (o.featurewiseStdNormalization()) {
            for (float[] x : xs) {
                for (int k = 0; k < c; k++) {
                    for (int i = k * plane; i < (k + 1) * plane; i++) {
                        x[i] /= std[k] + 1e-6f;
                    }
                }
            }
        }
        float[] zca = null;
        if (o.zcaWhitening()) {
            double[][] flat = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    flat[i][j] = xs[i][j];
                }
            }
            INDArray x = Nd4j.create(flat);
            INDArray sigma = x.transpose().mmul(x).divi(n);
            INDArray vectors = sigma.dup();
            INDArray values = Eigen.symmetricGeneralizedEigenvalues(vectors, true);
            INDArray inv = Nd4j.createUninitialized(DataType.DOUBLE, d);
            for (int j = 0; j < d; j++) {
                inv.putScalar(j, 1.0 / Math.sqrt(Math.max(0, values.getDouble(j)) + o.zcaEpsilon()));
            }
            // LAPACK's eigenvectors are columns; check which way ND4J hands them back: sigma * v = lambda * v
            INDArray v0 = vectors.getColumn(0).reshape(d, 1);
            boolean columns = sigma.mmul(v0).sub(v0.mul(values.getDouble(0))).norm2Number().doubleValue()
                    <= 1e-6 * Math.max(1, sigma.norm2Number().doubleValue());
            INDArray cols = columns ? vectors : vectors.transpose();
            INDArray pc = cols.mulRowVector(inv).mmul(cols.transpose());
            zca = pc.castTo(DataType.FLOAT).dup('c').data().asFloat();
        }
        return new FitStats(c, h, w, mean, std, zca);
    }
}
