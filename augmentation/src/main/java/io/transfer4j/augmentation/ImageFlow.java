package io.transfer4j.augmentation;

import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.transfer4j.augmentation.internal.SampleProcessor;
import io.transfer4j.augmentation.internal.Seeds;
import io.transfer4j.zoo.Normalization;

/**
 * The batching machinery shared by {@link DirectoryFlow} and {@link ArrayFlow}: a DL4J {@link DataSetIterator} of
 * NCHW float32 batches, shuffled per epoch from the seed, with every sample's random transform drawn from a
 * generator seeded by (seed, epoch, sample index) and batches prepared ahead by background threads. The batches
 * are therefore identical whatever the number of worker threads and whatever the prefetch depth.
 *
 * <p>An epoch ends when {@link #hasNext()} is false; {@link #reset()} starts the next epoch (new shuffle, new
 * random transforms) if at least one batch of the current epoch was taken. Close the flow to stop its threads
 * (they are daemon threads, so a forgotten flow does not keep the JVM alive).
 */
public abstract class ImageFlow implements DataSetIterator, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ImageFlow.class);
    private static final AtomicInteger FLOW_IDS = new AtomicInteger();

    private final transient FlowOptions options;
    private final transient SampleProcessor processor;
    private final transient Normalization normalization;
    private final List<String> classNames;
    private final int[] labels;
    private final int size;
    private final boolean augmented;

    private transient DataSetPreProcessor preProcessor;
    private transient ExecutorService pool;
    private final transient Map<String, BadFile> skipped = new ConcurrentHashMap<>();
    private final transient Deque<Future<Batch>> inFlight = new ArrayDeque<>();
    private transient Batch peeked;
    private int epoch;
    private int nextToSubmit;
    private int nextToTake;
    private boolean takenThisEpoch;
    private transient int[] order;
    private transient List<Integer> lastBatch = List.of();
    private long waitedNanos;
    private long batchesTaken;

    /** One prepared batch: the data and which samples it holds (bad files left out). */
    private record Batch(DataSet data, List<Integer> samples, int epoch, List<float[]> toSave) {
    }

    ImageFlow(FlowOptions options, SampleProcessor processor, Normalization normalization, List<String> classNames,
              int[] labels, int size) {
        this.options = options;
        this.processor = processor;
        this.normalization = normalization;
        this.classNames = List.copyOf(classNames);
        this.labels = labels;
        this.size = size;
        this.augmented = processor.augments();
        this.order = computeOrder(epoch);
    }

    /** The sample's image, decoded, converted and resized, on the 0-255 scale (before any random transform). */
    abstract float[] load(int index) throws ImageDecodeException;

    /**
     * As {@link #load(int)}, allowed to return {@code scratch} (a per-thread array of the sample's size that the
     * caller copies out of before the next load); flows that cannot use it ignore it.
     */
    float[] load(int index, float[] scratch) throws ImageDecodeException {
        return load(index);
    }

    /** A short name of the sample for logs and saved files. */
    abstract String name(int index);

    // ---- what the flow holds ----

    /** Number of samples (Keras {@code samples}); files found bad while decoding are still counted here. */
    public int samples() {
        return size;
    }

    /** True if training-time random transforms are applied (never for validation/test flows). */
    public boolean isAugmented() {
        return augmented;
    }

    public FlowOptions options() {
        return options;
    }

    /** The number of batches per epoch, {@code ceil(samples / batchSize)} as Keras. */
    public int batchesPerEpoch() {
        return (size + options.batchSize() - 1) / options.batchSize();
    }

    /** The current epoch (0-based). */
    public int epoch() {
        return epoch;
    }

    /** The class index of every sample, in sample order (Keras {@code classes}); null without labels. */
    public int[] classes() {
        return labels == null ? null : labels.clone();
    }

    /** Sample indices in the order the current epoch yields them. */
    public int[] epochOrder() {
        return order.clone();
    }

    /**
     * Sample indices in the order epoch {@code epoch} yields them, without moving the flow (a cache replaying the
     * flow's batches asks this).
     */
    public int[] epochOrder(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0; received " + epoch);
        }
        return computeOrder(epoch);
    }

    /** Sample indices of the batch most recently returned by {@link #next()}. */
    public List<Integer> lastBatchSamples() {
        return lastBatch;
    }

    /**
     * The file of every sample, relative to the flow's folder and {@code /}-separated, in sample order, when the
     * samples are files (a folder flow: {@link DirectoryFlow#filenames()}); empty for in-memory data. Training
     * names evaluated samples and fingerprints its data with it, without knowing which flow it has.
     */
    public java.util.Optional<List<String>> sampleFiles() {
        return java.util.Optional.empty();
    }

    /** Files left out because they could not be decoded, each reported once. */
    public List<BadFile> skippedFiles() {
        return List.copyOf(skipped.values());
    }

    /**
     * How long callers of {@link #hasNext()} / {@link #next()} have waited for batches since the flow was built:
     * with enough prefetch this stays a small share of the training time (compare with your step time).
     */
    public java.time.Duration waitTime() {
        return java.time.Duration.ofNanos(waitedNanos);
    }

    /** Batches handed out since the flow was built. */
    public long batchesTaken() {
        return batchesTaken;
    }

    /** Jumps to the start of an epoch (e.g. when resuming training); batches are a function of the epoch. */
    public void setEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0; received " + epoch);
        }
        cancelInFlight();
        this.epoch = epoch;
        restart();
    }

    // ---- DataSetIterator ----

    @Override
    public boolean hasNext() {
        while (peeked == null) {
            if (nextToTake >= batchesPerEpoch()) {
                return false;
            }
            Batch b = take();
            if (!b.samples().isEmpty()) {
                peeked = b;
            }
        }
        return true;
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has no more batches; call reset() for the next epoch");
        }
        Batch b = peeked;
        peeked = null;
        takenThisEpoch = true;
        batchesTaken++;
        lastBatch = b.samples();
        if (options.saveToDir() != null) {
            // written when the batch is handed out, not when prefetched (as Keras: only yielded images are saved)
            for (int j = 0; j < b.samples().size(); j++) {
                save(b.toSave().get(j), processor.channels(), processor.height(), processor.width(),
                        b.samples().get(j), b.epoch());
            }
        }
        DataSet ds = b.data();
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public DataSet next(int num) {
        if (num != options.batchSize()) {
            throw new UnsupportedOperationException("this flow yields batches of " + options.batchSize()
                    + " (FlowOptions.batchSize); received a request for " + num);
        }
        return next();
    }

    @Override
    public int inputColumns() {
        return processor.channels() * processor.height() * processor.width();
    }

    @Override
    public int totalOutcomes() {
        return classNames.size();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** False: the flow prefetches itself; DL4J must not wrap it in another asynchronous iterator. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        cancelInFlight();
        if (takenThisEpoch) {
            epoch++;
        }
        restart();
    }

    @Override
    public int batch() {
        return options.batchSize();
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    /** The class names in index order. */
    @Override
    public List<String> getLabels() {
        return classNames;
    }

    @Override
    public void close() {
        cancelInFlight();
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
    }

    // ---- machinery ----

    private void restart() {
        takenThisEpoch = false;
        nextToSubmit = 0;
        nextToTake = 0;
        peeked = null;
        order = computeOrder(epoch);
    }

    private int[] computeOrder(int ep) {
        if (options.shuffle()) {
            return Seeds.permutation(size, options.seed(), ep);
        }
        int[] o = new int[size];
        for (int i = 0; i < size; i++) {
            o[i] = i;
        }
        return o;
    }

    private void cancelInFlight() {
        for (Future<Batch> f : inFlight) {
            f.cancel(true);
        }
        inFlight.clear();
    }

    private Batch take() {
        long t0 = System.nanoTime();
        try {
            return takeTimed();
        } finally {
            waitedNanos += System.nanoTime() - t0;
        }
    }

    private Batch takeTimed() {
        if (options.prefetch() == 0) {
            return build(epoch, nextToTake++, order);
        }
        int window = options.prefetch() + options.workers() - 1;
        while (inFlight.size() < window && nextToSubmit < batchesPerEpoch()) {
            final int e = epoch;
            final int b = nextToSubmit++;
            final int[] ord = order;
            inFlight.add(pool().submit(() -> build(e, b, ord)));
        }
        Future<Batch> f = inFlight.poll();
        nextToTake++;
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (CancellationException e) {
            throw new IllegalStateException("batch preparation was cancelled (flow closed?)", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c.getMessage(), c);
        }
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            int id = FLOW_IDS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(options.workers(), r -> {
                Thread t = new Thread(r, "transfer4j-flow" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    private Batch build(int ep, int batchIndex, int[] ord) {
        int from = batchIndex * options.batchSize();
        int to = Math.min(size, from + options.batchSize());
        int c = processor.channels();
        int h = processor.height();
        int w = processor.width();
        int per = c * h * w;
        // each sample goes into the batch's native buffer as soon as it is ready (one bulk copy), so the resized
        // and the augmented sample can live in per-thread scratch arrays unless samples are kept for saveToDir
        INDArray features = Nd4j.createUninitialized(DataType.FLOAT, to - from, c, h, w);
        java.nio.FloatBuffer dst = features.data().asNioFloat();
        boolean scratch = options.saveToDir() == null;
        List<float[]> toSave = options.saveToDir() == null ? List.of() : new ArrayList<>(to - from);
        List<Integer> kept = new ArrayList<>(to - from);
        for (int p = from; p < to; p++) {
            int i = ord[p];
            float[] x;
            try {
                x = scratch ? load(i, scratch(LOAD_SCRATCH, per)) : load(i);
            } catch (ImageDecodeException e) {
                if (options.badFiles() == BadFilePolicy.FAIL) {
                    throw new UncheckedIOException(e.getMessage()
                            + " (the flow's bad-file policy is FAIL; use BadFilePolicy.SKIP to leave such files out)", e);
                }
                String key = name(i);
                BadFile bad = new BadFile(e.path() == null ? java.nio.file.Path.of(key) : e.path(), key, e.kind(),
                        e.detail());
                if (skipped.putIfAbsent(key, bad) == null) {
                    LOG.warn("Skipping {}", bad);
                }
                continue;
            }
            if (augmented) {
                x = processor.augment(x, Seeds.sample(options.seed(), ep, i),
                        scratch ? scratch(AFFINE_SCRATCH, per) : null);
            }
            if (options.saveToDir() != null) {
                toSave.add(x);
            }
            x = processor.standardize(x);
            if (!toSave.isEmpty() && toSave.get(toSave.size() - 1) == x) {
                x = x.clone(); // normalised in place below; the saved copy stays on the 0-255 scale
            }
            if (x.length != per) {
                throw new IllegalStateException("sample " + name(i) + " has " + x.length + " values; expected " + per);
            }
            io.transfer4j.augmentation.internal.Normalize.apply(x, c, h, w, normalization);
            dst.put(kept.size() * per, x);
            kept.add(i);
        }
        int k = kept.size();
        if (k == 0) {
            return new Batch(null, List.of(), ep, List.of());
        }
        if (k < to - from) {
            features = features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, k)).dup(); // bad files left out
        }
        return new Batch(new DataSet(features, labels(kept, features)), List.copyOf(kept), ep, toSave);
    }

    /** Per-thread arrays for a loaded (resized) sample and for its augmented copy: two, as one is read into the other. */
    private static final ThreadLocal<float[]> LOAD_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> AFFINE_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's reusable array of exactly {@code n} floats from {@code slot}. */
    private static float[] scratch(ThreadLocal<float[]> slot, int n) {
        float[] a = slot.get();
        if (a.length != n) {
            a = new float[n];
            slot.set(a);
        }
        return a;
    }

    private INDArray labels(List<Integer> kept, INDArray features) {
        int k = kept.size();
        switch (options.classMode()) {
            case NONE -> {
                return null;
            }
            case INPUT -> {
                return features.dup();
            }
            case CATEGORICAL -> {
                requireLabels();
                float[] y = new float[k * classNames.size()];
                for (int j = 0; j < k; j++) {
                    y[j * classNames.size() + labels[kept.get(j)]] = 1f;
                }
                return Nd4j.create(y, new long[] {k, classNames.size()}, DataType.FLOAT);
            }
            default -> {
                requireLabels();
                float[] y = new float[k];
                for (int j = 0; j < k; j++) {
                    y[j] = labels[kept.get(j)];
                }
                return Nd4j.create(y, new long[] {k, 1}, DataType.FLOAT);
            }
        }
    }

    private void requireLabels() {
        if (labels == null) {
            throw new IllegalStateException("class mode " + options.classMode() + " needs labels, and this flow has "
                    + "none; use ClassMode.NONE or ClassMode.INPUT");
        }
    }

    private void save(float[] x, int c, int h, int w, int index, int ep) {
        try {
            java.nio.file.Files.createDirectories(options.saveToDir());
            java.awt.image.BufferedImage img = io.transfer4j.augmentation.internal.Images.toBufferedImage(x, c, h, w);
            String hash = Long.toString(Math.floorMod(Seeds.derive(options.seed(), ep, index), 10_000_000L));
            String fmt = options.saveFormat();
            String file = (options.savePrefix().isEmpty() ? "" : options.savePrefix()) + "_" + index + "_" + hash + "."
                    + (fmt.equals("jpeg") ? "jpg" : fmt);
            io.transfer4j.augmentation.internal.Images.writeAtomically(img, fmt, options.saveToDir().resolve(file));
        } catch (java.io.IOException e) {
            throw new UncheckedIOException("cannot save augmented image to " + options.saveToDir() + ": "
                    + e.getMessage(), e);
        }
    }
}
