package io.transfer4j.training.tune;

import java.util.List;

import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import io.transfer4j.core.TransferModel;

/**
 * What a search trains on, built per trial from its values: a fresh model on the same backbone weights (the
 * trial's {@code dense}, {@code dropout}, {@code pooling}), and the training and validation data of the one split
 * every trial shares (the trial's {@code batchSize}, {@code augment}, {@code augmentStrength}). Data and model
 * must be deterministic for given values (seeded), so the same seed gives the same search. Folder flows
 * ({@code ImagePipeline.flowFromDirectory}) let trials share the frozen body's features; iterators that
 * implement {@link AutoCloseable} are closed after the trial.
 */
public interface TrialEnvironment {
    /** The backbone's id, for messages and search.json. */
    String backboneId();

    /** The backbone's layer groups, input side first (checked against the space's {@code unfreeze} values). */
    List<String> layerGroups();

    /** A new model for a trial (body frozen, new head), its frozen weights the same for every trial. */
    TransferModel model(TrialParams params);

    DataSetIterator train(TrialParams params);

    /** Validation data (never augmented); the objective and the pruner read its metrics. */
    DataSetIterator validation(TrialParams params);
}
