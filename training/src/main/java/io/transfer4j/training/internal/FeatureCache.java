package io.transfer4j.training.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The activations of a frozen prefix (at the cut, or at any freeze boundary), computed once and replayed every
 * epoch.
 *
 * <p>Rows are one example each, kept in arrival order. A cache may hold several <em>views</em> of the same
 * examples (K seeded augmentations of every image); each row knows its view and its sample index (the source's
 * index of the example, e.g. an image flow's file index), so an epoch can be replayed in exactly the order and
 * batch composition the source would have produced ({@link #epoch(int, int[], int)}): a cached run then trains on
 * the same batches as an uncached one. Sources without sample indices are replayed in a seeded permutation
 * ({@link #shuffled(long)}).
 *
 * <p>Held in memory as one {@code [rows, features]} matrix while it fits under the memory limit; beyond that every
 * row goes to one file of fixed-size float32 records in the spill directory and batches are read back by position.
 * Features keep their per-example shape (vector or feature map).
 */
public final class FeatureCache implements AutoCloseable {
    private final String key;
    private final long[] exampleShape;
    private final long rowLength;
    private final int batchSize;
    private final int examples;
    private final int views;
    private final long[] classCounts;
    /** (view, sample) -> row. */
    private final Map<Long, Integer> rowOf;
    /** Rows of view 0 in arrival order. */
    private final int[] firstViewRows;
    private final INDArray labels;
    // memory form
    private final INDArray features;
    // disk form
    private final Path spillDir;
    private final Path rowsFile;

    /** One batch of a source pass: the data and, when the source knows them, the sample index of every row. */
    public record Batch(DataSet data, int[] samples) {
    }

    private FeatureCache(String key, long[] exampleShape, int batchSize, int examples, int views, long[] classCounts,
                         Map<Long, Integer> rowOf, int[] firstViewRows, INDArray labels, INDArray features,
                         Path spillDir, Path rowsFile) {
        this.key = key;
        this.exampleShape = exampleShape;
        this.rowLength = Arrays.stream(exampleShape).reduce(1, (a, b) -> a * b);
        this.batchSize = batchSize;
        this.examples = examples;
        this.views = views;
        this.classCounts = classCounts;
        this.rowOf = rowOf;
        this.firstViewRows = firstViewRows;
        this.labels = labels;
        this.features = features;
        this.spillDir = spillDir;
        this.rowsFile = rowsFile;
    }

    /**
     * Runs {@code body} over every batch of {@code source} once (one view; rows numbered in arrival order).
     *
     * @param key          what the cache was computed from (freeze boundary, prefix parameters, data)
     * @param memoryLimit  bytes of features kept in memory before spilling to disk
     * @param spillDir     where the rows file goes when the limit is exceeded (created on demand, removed by close)
     */
    public static FeatureCache build(String key, DataSetIterator source, UnaryOperator<INDArray> body,
                                     long memoryLimit, Path spillDir) {
        return build(key, 1, view -> {
            source.reset();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return source.hasNext();
                }

                @Override
                public Batch next() {
                    return new Batch(source.next(), null);
                }
            };
        }, body, memoryLimit, spillDir);
    }

    /**
     * Runs {@code body} over every batch of {@code views} passes of a source. Every view must hold the same
     * samples (the same sample indices; sources without indices: the same number of rows).
     *
     * @param pass the batches of view {@code v} (0-based), e.g. an augmented flow's epoch {@code v}
     */
    public static FeatureCache build(String key, int views, IntFunction<Iterator<Batch>> pass,
                                     UnaryOperator<INDArray> body, long memoryLimit, Path spillDir) {
        if (views < 1) {
            throw new IllegalArgumentException("feature cache: views must be >= 1; received " + views);
        }
        deleteTree(spillDir);   // leftovers of a killed run are never read
        List<INDArray> fs = new ArrayList<>();
        List<INDArray> ls = new ArrayList<>();
        Map<Long, Integer> rowOf = new HashMap<>();
        List<Integer> first = new ArrayList<>();
        FileChannel out = null;
        Path rowsFile = spillDir.resolve("rows.f32");
        long bytes = 0;
        int rows = 0;
        int batch = 0;
        int perView = -1;
        long[] shape = null;
        long[] counts = null;
        try {
            for (int v = 0; v < views; v++) {
                Iterator<Batch> it = pass.apply(v);
                int n = 0;
                while (it.hasNext()) {
                    Batch b = it.next();
                    DataSet d = b.data();
                    INDArray f = body.apply(d.getFeatures()).castTo(DataType.FLOAT).detach();
                    INDArray l = d.getLabels().castTo(DataType.FLOAT).detach();
                    int k = (int) f.size(0);
                    if (b.samples() != null && b.samples().length != k) {
                        throw new IllegalStateException("feature cache: a batch of " + k + " examples came with "
                                + b.samples().length + " sample indices");
                    }
                    if (shape == null) {
                        shape = Arrays.copyOfRange(f.shape(), 1, f.rank());
                        batch = k;
                        counts = new long[(int) l.size(1)];
                    }
                    if (v == 0) {
                        INDArray idx = l.argMax(1);
                        for (int i = 0; i < idx.length(); i++) {
                            counts[idx.getInt(i)]++;
                        }
                    }
                    for (int i = 0; i < k; i++) {
                        int sample = b.samples() == null ? n + i : b.samples()[i];
                        if (rowOf.put(slot(v, sample), rows + i) != null) {
                            throw new IllegalStateException("feature cache: sample " + sample + " came twice in view "
                                    + v);
                        }
                        if (v == 0) {
                            first.add(rows + i);
                        }
                    }
                    n += k;
                    rows += k;
                    ls.add(l);
                    INDArray flat = f.reshape('c', f.size(0), -1);
                    bytes += flat.length() * 4L;
                    if (out == null && bytes > memoryLimit) {
                        Files.createDirectories(spillDir);
                        out = FileChannel.open(rowsFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                        for (INDArray earlier : fs) {
                            write(out, earlier);
                        }
                        fs.clear();
                    }
                    if (out != null) {
                        write(out, flat);
                    } else {
                        fs.add(flat);
                    }
                }
                if (v == 0) {
                    perView = n;
                } else if (n != perView) {
                    throw new IllegalStateException("feature cache: view " + v + " has " + n + " examples, view 0 had "
                            + perView + "; every view must hold the same samples");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("feature cache: could not write to " + spillDir + ": " + e.getMessage(), e);
        } finally {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    // the rows were written (or the write failed and was reported above)
                }
            }
        }
        if (rows == 0) {
            throw new IllegalArgumentException("feature cache: the training data is empty (no batch at all)");
        }
        int[] firstRows = first.stream().mapToInt(Integer::intValue).toArray();
        for (int v = 1; v < views; v++) {
            for (long key0 : new ArrayList<>(rowOf.keySet())) {
                if ((int) (key0 >>> 32) == 0 && !rowOf.containsKey(slot(v, (int) key0))) {
                    throw new IllegalStateException("feature cache: sample " + (int) key0 + " is in view 0 but not in"
                            + " view " + v + "; every view must hold the same samples");
                }
            }
        }
        INDArray l = ls.size() == 1 ? ls.get(0) : Nd4j.concat(0, ls.toArray(INDArray[]::new));
        INDArray f = out != null ? null : fs.size() == 1 ? fs.get(0) : Nd4j.concat(0, fs.toArray(INDArray[]::new));
        return new FeatureCache(key, shape, batch, perView, views, counts, rowOf, firstRows, l, f,
                out != null ? spillDir : null, out != null ? rowsFile : null);
    }

    private static long slot(int view, int sample) {
        return ((long) view << 32) | (sample & 0xFFFFFFFFL);
    }

    private static void write(FileChannel out, INDArray flat) throws IOException {
        INDArray c = flat.dup('c');
        ByteBuffer buf = c.data().asNio();
        buf.position(0).limit((int) (c.length() * 4));
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    public String key() {
        return key;
    }

    /** Examples per view. */
    public int examples() {
        return examples;
    }

    public int views() {
        return views;
    }

    public boolean onDisk() {
        return rowsFile != null;
    }

    /** Bytes of one example's cached activations (float32). */
    public long bytesPerExample() {
        return rowLength * 4;
    }

    /** Shape of one example's activations. */
    public long[] exampleShape() {
        return exampleShape.clone();
    }

    /** Examples per class (argmax of the labels, first view), in label order. */
    public long[] classCounts() {
        return classCounts.clone();
    }

    /** Batches per epoch of {@link #shuffled} and {@link #inOrder}. */
    public int batches() {
        return (examples + batchSize - 1) / batchSize;
    }

    /** All examples of the first view in arrival order (for validation). */
    public Iterator<DataSet> inOrder() {
        return batchesOf(firstViewRows, batchSize);
    }

    /** One epoch of the first view in a permutation drawn from {@code seed}. */
    public Iterator<DataSet> shuffled(long seed) {
        int[] perm = permutation(examples, new Random(seed));
        int[] rows = new int[examples];
        for (int i = 0; i < examples; i++) {
            rows[i] = firstViewRows[perm[i]];
        }
        return batchesOf(rows, batchSize);
    }

    /**
     * One epoch of view {@code view} in the source's order: {@code samples} is the order in which the source
     * would yield its sample indices, cut into batches of {@code batch} positions as the source cuts them; samples
     * the cache does not hold (files the source could not decode) are left out of their batch, and empty batches
     * are skipped — exactly what the source does.
     */
    public Iterator<DataSet> epoch(int view, int[] samples, int batch) {
        if (view < 0 || view >= views) {
            throw new IllegalArgumentException("feature cache: view " + view + " of " + views);
        }
        List<int[]> batches = new ArrayList<>();
        for (int from = 0; from < samples.length; from += batch) {
            int[] rows = Arrays.stream(samples, from, Math.min(samples.length, from + batch))
                    .mapToObj(s -> rowOf.get(slot(view, s))).filter(java.util.Objects::nonNull)
                    .mapToInt(Integer::intValue).toArray();
            if (rows.length > 0) {
                batches.add(rows);
            }
        }
        Iterator<int[]> it = batches.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public DataSet next() {
                return read(it.next());
            }
        };
    }

    private Iterator<DataSet> batchesOf(int[] rows, int batch) {
        return new Iterator<>() {
            int pos;

            @Override
            public boolean hasNext() {
                return pos < rows.length;
            }

            @Override
            public DataSet next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int[] idx = Arrays.copyOfRange(rows, pos, Math.min(rows.length, pos + batch));
                pos += idx.length;
                return read(idx);
            }
        };
    }

    private DataSet read(int[] rows) {
        INDArray l = Nd4j.pullRows(labels, 1, rows);
        INDArray f;
        if (rowsFile == null) {
            f = Nd4j.pullRows(features, 1, rows);
        } else {
            f = Nd4j.createUninitialized(DataType.FLOAT, rows.length, rowLength);
            ByteBuffer dst = f.data().asNio();
            long rowBytes = rowLength * 4;
            try (FileChannel in = FileChannel.open(rowsFile, StandardOpenOption.READ)) {
                for (int j = 0; j < rows.length; j++) {
                    ByteBuffer slice = dst.duplicate();
                    slice.position((int) (j * rowBytes)).limit((int) ((j + 1) * rowBytes));
                    long at = rows[j] * rowBytes;
                    while (slice.hasRemaining()) {
                        int r = in.read(slice, at);
                        if (r < 0) {
                            throw new IOException("unexpected end of file at row " + rows[j]);
                        }
                        at += r;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("feature cache: could not read " + rowsFile + ": " + e.getMessage(), e);
            }
        }
        return new DataSet(f.reshape(withBatch(rows.length)), l);
    }

    private long[] withBatch(long n) {
        long[] s = new long[exampleShape.length + 1];
        s[0] = n;
        System.arraycopy(exampleShape, 0, s, 1, exampleShape.length);
        return s;
    }

    private static int[] permutation(int n, Random rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    @Override
    public void close() {
        deleteTree(spillDir);
    }

    private static void deleteTree(Path dir) {
        if (dir != null && Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: a leftover spill directory holds no state anyone reads
            }
        }
    }
}
