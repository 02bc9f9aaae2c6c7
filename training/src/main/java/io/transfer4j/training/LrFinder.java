package io.transfer4j.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.internal.LearningRates;
import io.transfer4j.training.internal.Updaters;

/**
 * The learning-rate range test (Smith 2015; fastai's {@code lr_find}): train for a few steps while the learning
 * rate grows exponentially from {@code minLr} to {@code maxLr}, record the smoothed loss, stop when it diverges,
 * and suggest the rate where the loss falls fastest. The model is left exactly as it was (parameters, BatchNorm
 * statistics and trainable state).
 */
public final class LrFinder {

    /**
     * The curve and the suggestion.
     *
     * @param lrs        the learning rate of each step
     * @param losses     the smoothed (exponential moving average, debiased) loss after each step
     * @param suggestion the rate at the steepest descent of the smoothed loss
     */
    public record Result(List<Double> lrs, List<Double> losses, double suggestion) {
        public Result {
            lrs = List.copyOf(lrs);
            losses = List.copyOf(losses);
        }
    }

    private LrFinder() {
    }

    /** fastai's defaults: 1e-7 to 10 over 100 steps, training what the model currently trains, Adam. */
    public static Result find(TransferModel model, DataSetIterator train, long seed) {
        return find(model, train, model.trainable(), Optimizer.adam(), 1e-7, 10, 100, seed);
    }

    public static Result find(TransferModel model, DataSetIterator train, LayerSelection trainable,
                              Optimizer optimizer, double minLr, double maxLr, int steps, long seed) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(train, "train");
        if (!(minLr > 0) || !(maxLr > minLr) || Double.isInfinite(maxLr)) {
            throw new IllegalArgumentException("lrFind needs 0 < minLr < maxLr (finite); received " + minLr + " and "
                    + maxLr);
        }
        if (steps < 5) {
            throw new IllegalArgumentException("lrFind needs at least 5 steps; received " + steps);
        }
        LayerSelection originalSelection = model.trainable();
        IUpdater originalUpdater = model.updater();
        Map<String, INDArray> saved = new LinkedHashMap<>();
        model.graph().paramTable().forEach((k, v) -> saved.put(k, v.dup()));
        List<Double> lrs = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        try {
            Nd4j.getRandom().setSeed(seed);
            model.setTrainable(trainable, Updaters.toUpdater(optimizer, minLr));
            ComputationGraph g = model.graph();
            LearningRates rates = LearningRates.prepare(g, layer -> null, optimizer, minLr);
            train.reset();
            double avg = 0;
            double best = Double.POSITIVE_INFINITY;
            double beta = 0.98;
            for (int i = 0; i < steps; i++) {
                if (!train.hasNext()) {
                    train.reset();
                    if (!train.hasNext()) {
                        throw new IllegalArgumentException("lrFind: the training data is empty");
                    }
                }
                DataSet d = train.next();
                double lr = minLr * Math.pow(maxLr / minLr, i / (double) (steps - 1));
                rates.apply(lr);
                g.fit(d);
                double loss = g.score();
                if (!Double.isFinite(loss)) {
                    break;
                }
                avg = beta * avg + (1 - beta) * loss;
                double smoothed = avg / (1 - Math.pow(beta, i + 1));
                lrs.add(lr);
                losses.add(smoothed);
                best = Math.min(best, smoothed);
                if (i > 0 && smoothed > 4 * best) {
                    break;
                }
            }
        } finally {
            model.setTrainable(originalSelection, originalUpdater);
            Map<String, INDArray> table = model.graph().paramTable();
            saved.forEach((k, v) -> table.get(k).assign(v));
        }
        return new Result(lrs, losses, suggest(lrs, losses, minLr));
    }

    /** The rate at the most negative slope of loss over log(lr), ignoring the noisy first and last points. */
    static double suggest(List<Double> lrs, List<Double> losses, double fallback) {
        int n = lrs.size();
        if (n < 3) {
            return n == 0 ? fallback : lrs.get(0);
        }
        int from = Math.min(n / 10, n - 3);
        int to = Math.max(from + 2, n - Math.max(1, n / 20));
        int bestI = from + 1;
        double bestSlope = Double.POSITIVE_INFINITY;
        for (int i = from + 1; i < to; i++) {
            double slope = (losses.get(i) - losses.get(i - 1)) / (Math.log(lrs.get(i)) - Math.log(lrs.get(i - 1)));
            if (slope < bestSlope) {
                bestSlope = slope;
                bestI = i;
            }
        }
        return lrs.get(bestI);
    }
}
