package io.transfer4j.training;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Per-class loss weights for imbalanced data: none, explicit per label, or {@code balanced} (scikit-learn's and
 * Keras's recipe: {@code n_samples / (n_classes * count[c])}, computed from the training set's counts).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ClassWeights.None.class, name = "none"),
        @JsonSubTypes.Type(value = ClassWeights.Balanced.class, name = "balanced"),
        @JsonSubTypes.Type(value = ClassWeights.Explicit.class, name = "explicit")})
public sealed interface ClassWeights {

    static ClassWeights none() {
        return new None();
    }

    static ClassWeights balanced() {
        return new Balanced();
    }

    static ClassWeights explicit(Map<String, Double> weights) {
        return new Explicit(weights);
    }

    /**
     * The weight of each class, in label order.
     *
     * @param labels the class labels in index order
     * @param counts training examples per class, in label order
     */
    double[] resolve(List<String> labels, long[] counts);

    /** All weights 1. */
    record None() implements ClassWeights {
        @Override
        public double[] resolve(List<String> labels, long[] counts) {
            double[] w = new double[labels.size()];
            java.util.Arrays.fill(w, 1.0);
            return w;
        }
    }

    /** {@code n / (classes * count)}; a class with no training example is an error (its weight is infinite). */
    record Balanced() implements ClassWeights {
        @Override
        public double[] resolve(List<String> labels, long[] counts) {
            if (counts.length != labels.size()) {
                throw new IllegalArgumentException("balanced class weights: " + counts.length + " counts for "
                        + labels.size() + " labels");
            }
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            double[] w = new double[counts.length];
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    throw new IllegalArgumentException("balanced class weights: class '" + labels.get(i)
                            + "' has no training example; add images for it or remove the class folder");
                }
                w[i] = n / (double) (counts.length * counts[i]);
            }
            return w;
        }
    }

    /** Weights by label; every label must be given, each weight finite and &gt; 0. */
    record Explicit(Map<String, Double> weights) implements ClassWeights {
        public Explicit {
            Objects.requireNonNull(weights, "explicit class weights: map is required");
            weights = new TreeMap<>(weights);
            weights.forEach((k, v) -> {
                if (v == null || !(v > 0) || v.isInfinite()) {
                    throw new IllegalArgumentException("class weight for '" + k + "' must be finite and > 0; "
                            + "received " + v);
                }
            });
            weights = java.util.Collections.unmodifiableMap(weights);
        }

        @Override
        public double[] resolve(List<String> labels, long[] counts) {
            if (!weights.keySet().equals(new java.util.TreeSet<>(labels))) {
                throw new IllegalArgumentException("explicit class weights name " + weights.keySet()
                        + " but the classes are " + labels + "; give exactly one weight per class");
            }
            return labels.stream().mapToDouble(weights::get).toArray();
        }
    }
}
