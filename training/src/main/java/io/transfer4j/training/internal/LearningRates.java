package io.transfer4j.training.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import io.transfer4j.training.Optimizer;

/**
 * Per-layer learning rates on a Deeplearning4j graph, changed every iteration without rebuilding the updater.
 *
 * <p>Deeplearning4j groups parameters with equal updater configurations into "updater blocks", and each block
 * reads its learning rate from one shared {@link IUpdater} instance. {@link #prepare} therefore gives every layer
 * its own updater instance set to its multiplier's rate and rebuilds the blocks once (layers with equal
 * multipliers share a block); {@link #apply} then only writes the new rate into those instances, which the
 * blocks read at the next step. Frozen layers (no learning rate) are left alone.
 */
public final class LearningRates {
    private final Map<String, Double> multiplierByLayer = new LinkedHashMap<>();
    private final List<IUpdater> updaters = new ArrayList<>();
    private final List<Double> multipliers = new ArrayList<>();
    private double current = Double.NaN;

    private LearningRates() {
    }

    /**
     * Sets up {@code graph}'s trainable layers for a phase.
     *
     * @param graph        the graph being trained (its updater state is kept)
     * @param multiplier   the LR multiplier of a layer by name (1 when the function gives null)
     * @param optimizer    the phase's optimiser (its decoupled weight decay is installed here)
     * @param initialLr    the base learning rate at the start
     */
    public static LearningRates prepare(ComputationGraph graph, java.util.function.Function<String, Double> multiplier,
                                        Optimizer optimizer, double initialLr) {
        LearningRates lr = new LearningRates();
        for (Layer layer : graph.getLayers()) {
            if (!(layer.conf().getLayer() instanceof BaseLayer conf)) {
                continue;
            }
            IUpdater u = conf.getIUpdater();
            if (u == null || !u.hasLearningRate() || layer.numParams() == 0) {
                continue;
            }
            String name = conf.getLayerName();
            Double m = multiplier.apply(name);
            double mult = m == null ? 1.0 : m;
            IUpdater own = Updaters.toUpdater(optimizer, initialLr * mult);
            conf.setIUpdater(own);
            IUpdater ownBias = Updaters.toUpdater(optimizer, initialLr * mult);
            conf.setBiasUpdater(ownBias);
            conf.setRegularization(withDecay(conf.getRegularization(), optimizer.weightDecay()));
            lr.multiplierByLayer.put(name, mult);
            lr.updaters.add(own);
            lr.multipliers.add(mult);
            lr.updaters.add(ownBias);
            lr.multipliers.add(mult);
        }
        // rebuild the updater blocks for the new configurations, keeping the state (moments) where it maps
        var old = graph.getUpdater();
        org.nd4j.linalg.api.ndarray.INDArray state = old == null ? null : old.getStateViewArray();
        graph.setUpdater(null);
        var fresh = graph.getUpdater(true);
        if (state != null && fresh.getStateViewArray() != null && state.length() == fresh.getStateViewArray().length()
                && sameBlocks(old, fresh)) {
            fresh.getStateViewArray().assign(state);
        }
        lr.apply(initialLr);
        return lr;
    }

    private static boolean sameBlocks(org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater a,
                                      org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater b) {
        if (a.getUpdaterBlocks().size() != b.getUpdaterBlocks().size()) {
            return false;
        }
        for (int i = 0; i < a.getUpdaterBlocks().size(); i++) {
            if (!a.getUpdaterBlocks().get(i).getLayersAndVariablesInBlock()
                    .equals(b.getUpdaterBlocks().get(i).getLayersAndVariablesInBlock())) {
                return false;
            }
        }
        return true;
    }

    private static List<Regularization> withDecay(List<Regularization> existing, double decay) {
        List<Regularization> out = new ArrayList<>();
        if (existing != null) {
            existing.stream().filter(r -> !(r instanceof WeightDecay)).forEach(out::add);
        }
        if (decay > 0) {
            out.add(new WeightDecay(decay, true));
        }
        return out;
    }

    /** Sets the base learning rate; each layer gets base times its multiplier. Cheap: call it every batch. */
    public void apply(double baseLr) {
        if (baseLr == current) {
            return;
        }
        for (int i = 0; i < updaters.size(); i++) {
            updaters.get(i).setLrAndSchedule(baseLr * multipliers.get(i), null);
        }
        current = baseLr;
    }

    /** The multiplier of each trainable layer, by layer name. */
    public Map<String, Double> multipliers() {
        return java.util.Collections.unmodifiableMap(multiplierByLayer);
    }
}
