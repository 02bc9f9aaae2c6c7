/**
 * Hyperparameter search over transfer-learning runs that share what they can: {@link io.transfer4j.training.tune.Tuner}
 * (the entry point) runs trials drawn from a {@link io.transfer4j.training.tune.SearchSpace} by a
 * {@link io.transfer4j.training.tune.Strategy} (grid or seeded random), stops weak trials early with a
 * {@link io.transfer4j.training.tune.Pruner} (successive halving on the objective at rung epochs), within a
 * {@link io.transfer4j.training.tune.Budget}, and records one {@link io.transfer4j.training.tune.TrialRecord} per
 * trial in a resumable search directory (docs/tuning.md). All trials train on one data split; the frozen body's
 * features are computed once per (body, data) and reused by every trial
 * ({@link io.transfer4j.training.SharedFeatureCaches}).
 */
package io.transfer4j.training.tune;
