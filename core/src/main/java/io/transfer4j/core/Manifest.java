package io.transfer4j.core;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.transfer4j.augmentation.Interpolation;
import io.transfer4j.zoo.Architecture;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.CutPoint;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.LayerGroup;
import io.transfer4j.zoo.Normalization;

/**
 * What a model bundle says about itself ({@code manifest.json}, format version {@value #FORMAT_VERSION}).
 * Everything a Predictor needs to feed the model (input shape, normalisation, labels) and everything a reader
 * needs to trust and reproduce it (versions, backbone weights checksum, plan, seeds, data fingerprint, metrics).
 *
 * @param formatVersion     the bundle format; readers refuse newer ones
 * @param transfer4jVersion library version that wrote the bundle
 * @param dl4jVersion       Deeplearning4j version that wrote the graph
 * @param javaVersion       Java runtime version that wrote the bundle
 * @param created           ISO-8601 UTC time of writing
 * @param backbone          which backbone, where its weights came from, its layer groups (as kept after the cut)
 * @param labels            class labels in output index order
 * @param input             the input shape the graph was built for (channels x height x width)
 * @param normalization     the preprocessing the backbone expects (applied by the Predictor)
 * @param task              multi-class, binary or multi-label
 * @param head              the head attached at the cut (pooling resolved)
 * @param cut               where the backbone was cut
 * @param trainable         the trainable selection and the frozen vertices at save time
 * @param seed              the seed the model (head initialisation) was built with
 * @param interpolation     resampling used to resize images to {@code input} (as in training); null = NEAREST
 * @param plan              the fine-tuning plan, when trained (written by training), else null
 * @param seeds             seeds used in training (split, shuffling, augmentation), else null
 * @param data              what the model was trained on (a data fingerprint), else null
 * @param metrics           the finished model's metrics (on the test set), else null
 * @see TrainingProvenance the four training parts together ({@link #training()})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(int formatVersion, String transfer4jVersion, String dl4jVersion, String javaVersion,
                       String created, BackboneInfo backbone, List<String> labels, InputShape input,
                       Normalization normalization, Task task, HeadSpec head, CutPoint cut, Trainable trainable,
                       long seed, Interpolation interpolation, TrainingProvenance.Plan plan,
                       TrainingProvenance.Seeds seeds, TrainingProvenance.Data data,
                       TrainingProvenance.Results metrics) {

    /** The bundle format this version of transfer4j writes and the newest it reads. */
    public static final int FORMAT_VERSION = 1;

    public Manifest {
        labels = labels == null ? List.of() : List.copyOf(labels);
        if (interpolation == null) {
            interpolation = Interpolation.NEAREST;
        }
    }

    /**
     * The backbone a model was built from.
     *
     * @param id           catalogue id, e.g. {@code resnet50}
     * @param architecture network family
     * @param weights      origin of the weights: pretrained (source + sha256) or random
     * @param groups       layer groups for gradual unfreezing, restricted to the layers kept after the cut
     */
    public record BackboneInfo(String id, Architecture architecture, Backbone.WeightsOrigin weights,
                               List<LayerGroup> groups) {
        public BackboneInfo {
            groups = groups == null ? List.of() : List.copyOf(groups);
        }
    }

    /**
     * Trainable state.
     *
     * @param selection    what trains
     * @param frozenVertices the vertex names that are frozen (derived from the selection; recorded for readers)
     */
    public record Trainable(LayerSelection selection, List<String> frozenVertices) {
        public Trainable {
            frozenVertices = frozenVertices == null ? List.of() : List.copyOf(frozenVertices);
        }
    }

    /** What trained the model: the manifest's {@code plan}, {@code seeds}, {@code data} and {@code metrics}. */
    public TrainingProvenance training() {
        return new TrainingProvenance(plan, seeds, data, metrics);
    }

    /** This manifest with the non-null parts of {@code training} in place of its own. */
    public Manifest withTraining(TrainingProvenance training) {
        TrainingProvenance t = training().with(training);
        return new Manifest(formatVersion, transfer4jVersion, dl4jVersion, javaVersion, created, backbone, labels,
                input, normalization, task, head, cut, trainable, seed, interpolation, t.plan(), t.seeds(), t.data(),
                t.metrics());
    }
}
