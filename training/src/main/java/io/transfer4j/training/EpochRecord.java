package io.transfer4j.training;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One epoch of history.
 *
 * @param phase           the phase's name
 * @param epoch           1-based epoch within the phase
 * @param loss            mean training loss over the epoch's batches (with class weights, as optimised)
 * @param valLoss         validation loss, NaN without a validation set
 * @param metrics         the other metrics of this epoch: training {@code accuracy} (from each batch's training
 *                        forward pass, before its update, as Keras reports it) and the validation metrics (none
 *                        without a validation set)
 * @param lr              the base learning rate at the end of the epoch (before group multipliers)
 * @param seconds         wall time of the epoch including validation
 * @param imagesPerSecond training examples per second
 */
public record EpochRecord(String phase, int epoch, double loss, double valLoss, Map<Metric, Double> metrics,
                          double lr, double seconds, double imagesPerSecond) {

    public EpochRecord {
        EnumMap<Metric, Double> copy = new EnumMap<>(Metric.class);
        if (metrics != null) {
            copy.putAll(metrics);
        }
        metrics = Collections.unmodifiableMap(copy);
    }

    /**
     * The epoch as one line within 80 columns for phase names up to {@code fine-tune-res5}, e.g.
     * {@code fine-tune-res5 10/10 loss 0.1234 acc 97.5% val_loss 0.1301 val_acc 99.5% 123s}; accuracies only
     * when computed. The learning rate is in the phase line, the history and the report.
     *
     * @param maxEpochs the phase's maximum, shown as {@code epoch/max}; 0 or less shows the epoch alone
     */
    public String line(int maxEpochs) {
        java.util.Locale root = java.util.Locale.ROOT;
        StringBuilder sb = new StringBuilder(String.format(root, "%s %d%s loss %.4f", phase, epoch,
                maxEpochs > 0 ? "/" + maxEpochs : "", loss));
        double trainAcc = value(Metric.ACCURACY);
        if (!Double.isNaN(trainAcc)) {
            sb.append(String.format(root, " acc %.1f%%", 100 * trainAcc));
        }
        if (!Double.isNaN(valLoss)) {
            sb.append(String.format(root, " val_loss %.4f", valLoss));
        }
        double acc = value(Metric.VAL_ACCURACY);
        if (!Double.isNaN(acc)) {
            sb.append(String.format(root, " val_acc %.1f%%", 100 * acc));
        }
        String time = seconds < 10 ? String.format(root, "%.1fs", seconds)
                : seconds < 1000 ? String.format(root, "%.0fs", seconds)
                : String.format(root, "%.0fm", seconds / 60);
        return sb.append(' ').append(time).toString();
    }

    /**
     * An epoch from its training numbers and its validation metrics (null without validation data): every
     * validation metric is recorded, under its key.
     */
    public static EpochRecord of(String phase, int epoch, double loss, double accuracy, Metrics validation,
                                 double lr, double seconds, double imagesPerSecond) {
        EnumMap<Metric, Double> metrics = new EnumMap<>(Metric.class);
        metrics.put(Metric.ACCURACY, accuracy);
        if (validation != null) {
            for (Metric m : Metric.values()) {
                if (m.validation() && m != Metric.VAL_LOSS) {
                    metrics.put(m, validation.value(m));
                }
            }
        }
        return new EpochRecord(phase, epoch, loss, validation == null ? Double.NaN : validation.loss(), metrics, lr,
                seconds, imagesPerSecond);
    }

    /** Any metric of this epoch, NaN when it was not computed. */
    public double value(Metric metric) {
        return switch (metric) {
            case LOSS -> loss;
            case VAL_LOSS -> valLoss;
            default -> metrics.getOrDefault(metric, Double.NaN);
        };
    }
}
