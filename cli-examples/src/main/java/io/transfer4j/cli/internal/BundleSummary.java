package io.transfer4j.cli.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import org.deeplearning4j.nn.conf.inputs.InputType;

import io.transfer4j.core.Manifest;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.zoo.ModelSummary;

/** {@code transfer4j summary BUNDLE}: what a bundle is (from its manifest) and its layer table. */
public final class BundleSummary {

    private BundleSummary() {
    }

    /** A summary of the bundle's graph with output shapes for its recorded input. */
    public static ModelSummary table(TransferModel m) {
        return ModelSummary.of(m.graph(), InputType.convolutional(m.input().height(), m.input().width(),
                m.input().channels()));
    }

    /** Manifest facts followed by the Keras-like layer table. */
    public static String describe(Path bundle) throws IOException {
        Manifest man = ModelBundle.readManifest(bundle);
        TransferModel m = ModelBundle.load(bundle);
        StringBuilder sb = new StringBuilder();
        sb.append("Bundle:        ").append(bundle).append(" (format ").append(man.formatVersion()).append(", written ")
                .append(man.created()).append(" by transfer4j ").append(man.transfer4jVersion()).append(")\n");
        sb.append("Backbone:      ").append(man.backbone().id()).append(", weights ")
                .append(man.backbone().weights().pretrained() ? man.backbone().weights().source() : "random init")
                .append(", cut at ").append(man.cut().name()).append('\n');
        sb.append("Input:         ").append(man.input()).append(", normalisation ").append(man.normalization())
                .append('\n');
        sb.append("Task:          ").append(man.task()).append(", ").append(man.labels().size()).append(" labels ")
                .append(man.labels()).append('\n');
        sb.append("Trainable:     ").append(man.trainable().selection().describe()).append(" (")
                .append(man.trainable().frozenVertices().size()).append(" frozen vertices)\n");
        // (bundles of earlier versions recorded {"testAccuracy": ...}; ModelBundle reads that as test.accuracy)
        var test = man.training().metrics() == null ? null : man.training().metrics().test();
        if (test != null && !Double.isNaN(test.accuracy())) {
            sb.append(String.format(Locale.ROOT, "Test accuracy: %.1f %%%n", 100 * test.accuracy()));
        }
        sb.append('\n').append(table(m));
        return sb.toString().stripTrailing();
    }
}
