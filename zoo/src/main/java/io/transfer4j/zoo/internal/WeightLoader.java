package io.transfer4j.zoo.internal;

import java.io.IOException;

import org.deeplearning4j.nn.graph.ComputationGraph;

import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.InputShape;

/** Builds the project's graph for a spec and fills it from a verified weights file of either format. */
public final class WeightLoader {
    private WeightLoader() {
    }

    public static Backbone load(BackboneSpec spec, InputShape input, WeightStore.LocalWeights weights) {
        boolean top = Graphs.topFor(spec, input) && weights.source().includesTop();
        String what = spec.id() + " weights " + weights.file();
        ComputationGraph graph;
        try {
            graph = switch (weights.source().format()) {
                case DL4J_ZIP -> {
                    ComputationGraph source = Dl4jWeights.restore(weights.file());
                    ComputationGraph g = Graphs.build(spec, input, top, 0,
                            Dl4jWeights.bnEpsilon(source, Graphs.KERAS_OLD_BN_EPSILON));
                    Dl4jWeights.copy(source, g, what);
                    yield g;
                }
                case KERAS_H5 -> KerasH5Weights.load(spec, input, top, weights.file());
            };
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + what + " (the file verified, so it is the published"
                    + " file; is it the right format?): " + e.getMessage(), e);
        }
        return new Backbone(spec, graph, input, new Backbone.WeightsOrigin("pretrained",
                weights.source().format() + " " + weights.source().uri() + " (" + weights.file() + ")",
                weights.sha256()), Groups.resolve(spec, graph));
    }
}
