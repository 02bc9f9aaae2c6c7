package io.transfer4j.zoo.internal;

import io.transfer4j.zoo.InputShape;

/**
 * What a blueprint needs to build a graph.
 *
 * @param input      the input shape (already validated against the architecture)
 * @param top        whether to include the classifier layers the ImageNet weights were trained with
 * @param seed       the seed for random initialisation
 * @param bnEpsilon  BatchNormalization epsilon (Keras' old ResNet50 names: 1e-3, new names: 1.001e-5)
 * @param classes    the number of classes of the top (ImageNet: 1000)
 */
record BuildOptions(InputShape input, boolean top, long seed, double bnEpsilon, int classes) {
    public BuildOptions {
        if (!(bnEpsilon > 0)) {
            throw new IllegalArgumentException("bnEpsilon must be > 0; received " + bnEpsilon);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1; received " + classes);
        }
    }
}
