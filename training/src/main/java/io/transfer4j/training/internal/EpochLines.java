package io.transfer4j.training.internal;

import java.io.PrintStream;
import io.transfer4j.training.BatchEnd;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.ProgressListener;

/**
 * One line per epoch ({@link EpochRecord#line}), as Keras' {@code verbose=2}.
 */
public final class EpochLines implements ProgressListener {
    private final PrintStream out;
    private int maxEpochs;

    public EpochLines(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onBatch(BatchEnd batch) {
        maxEpochs = batch.maxEpochs();
    }

    @Override
    public void onEpoch(EpochRecord r) {
        out.println(r.line(maxEpochs));
        out.flush();
    }
}
