package io.transfer4j.cli.report;

import java.util.Objects;

/**
 * A misclassified test image for the report.
 *
 * @param file        where the image is (shown as text)
 * @param actual      its true label
 * @param predicted   the predicted label
 * @param probability the predicted label's probability
 * @param imagePng    a small PNG of the input image
 * @param gradCamPng  a small PNG of the Grad-CAM overlay, or null when it could not be computed
 */
public record ConfusedSample(String file, String actual, String predicted, double probability, byte[] imagePng,
                             byte[] gradCamPng) {
    public ConfusedSample {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(predicted, "predicted");
        Objects.requireNonNull(imagePng, "imagePng");
    }
}
