package io.transfer4j.training;

import java.util.List;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** Counts how many passes over the data were started (first batch after a reset). */
final class CountingIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;
    private final transient DataSetIterator delegate;
    private boolean fresh = true;
    int passes;

    CountingIterator(DataSetIterator delegate) {
        this.delegate = delegate;
    }

    @Override
    public DataSet next(int num) {
        return count(delegate.next(num));
    }

    @Override
    public DataSet next() {
        return count(delegate.next());
    }

    private DataSet count(DataSet d) {
        if (fresh) {
            passes++;
            fresh = false;
        }
        return d;
    }

    @Override
    public boolean hasNext() {
        return delegate.hasNext();
    }

    @Override
    public void reset() {
        delegate.reset();
        fresh = true;
    }

    @Override
    public int inputColumns() {
        return delegate.inputColumns();
    }

    @Override
    public int totalOutcomes() {
        return delegate.totalOutcomes();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int batch() {
        return delegate.batch();
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        delegate.setPreProcessor(preProcessor);
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return delegate.getPreProcessor();
    }

    @Override
    public List<String> getLabels() {
        return delegate.getLabels();
    }
}
