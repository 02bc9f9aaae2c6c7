package io.transfer4j.training.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The outputs of a frozen body, computed once and replayed every epoch in a new seeded order.
 *
 * <p>Held in memory as one {@code [examples, features]} matrix while it fits under the memory limit; beyond that
 * every batch is written to a chunk file in the spill directory and epochs read the chunks back in shuffled
 * order (examples shuffled within each chunk). Features keep their per-example shape (vector or feature map).
 */
public final class FeatureCache implements AutoCloseable {
    private final String key;
    private final long[] exampleShape;
    private final int batchSize;
    private final int examples;
    private final long[] classCounts;
    // memory form
    private final INDArray features;
    private final INDArray labels;
    // disk form
    private final Path spillDir;
    private final List<Path> chunks;

    private FeatureCache(String key, long[] exampleShape, int batchSize, int examples, long[] classCounts,
                         INDArray features, INDArray labels, Path spillDir, List<Path> chunks) {
        this.key = key;
        this.exampleShape = exampleShape;
        this.batchSize = batchSize;
        this.examples = examples;
        this.classCounts = classCounts;
        this.features = features;
        this.labels = labels;
        this.spillDir = spillDir;
        this.chunks = chunks;
    }

    /**
     * Runs {@code body} over every batch of {@code source} once.
     *
     * @param key          what the cache was computed from (freeze boundary, body parameters, data)
     * @param memoryLimit  bytes of features kept in memory before spilling to disk
     * @param spillDir     where chunk files go when the limit is exceeded (created on demand, removed by close)
     */
    public static FeatureCache build(String key, DataSetIterator source, UnaryOperator<INDArray> body,
                                     long memoryLimit, Path spillDir) {
        deleteTree(spillDir);   // leftovers of a killed run are never read
        source.reset();
        List<INDArray> fs = new ArrayList<>();
        List<INDArray> ls = new ArrayList<>();
        List<Path> chunks = null;
        long bytes = 0;
        int n = 0;
        int batch = 0;
        long[] shape = null;
        long[] counts = null;
        try {
            while (source.hasNext()) {
                DataSet d = source.next();
                INDArray f = body.apply(d.getFeatures()).castTo(DataType.FLOAT).detach();
                INDArray l = d.getLabels().castTo(DataType.FLOAT).detach();
                if (shape == null) {
                    shape = Arrays.copyOfRange(f.shape(), 1, f.rank());
                    batch = (int) f.size(0);
                    counts = new long[(int) l.size(1)];
                }
                INDArray idx = l.argMax(1);
                for (int i = 0; i < idx.length(); i++) {
                    counts[idx.getInt(i)]++;
                }
                n += (int) f.size(0);
                bytes += f.length() * 4L;
                if (chunks == null && bytes > memoryLimit) {
                    chunks = new ArrayList<>();
                    Files.createDirectories(spillDir);
                    for (int i = 0; i < fs.size(); i++) {
                        chunks.add(writeChunk(spillDir, chunks.size(), fs.get(i), ls.get(i)));
                    }
                    fs.clear();
                    ls.clear();
                }
                if (chunks != null) {
                    chunks.add(writeChunk(spillDir, chunks.size(), f, l));
                } else {
                    fs.add(f.reshape(f.size(0), -1));
                    ls.add(l);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("feature cache: could not write to " + spillDir + ": " + e.getMessage(), e);
        }
        if (n == 0) {
            throw new IllegalArgumentException("feature cache: the training data is empty (no batch at all)");
        }
        if (chunks != null) {
            return new FeatureCache(key, shape, batch, n, counts, null, null, spillDir, List.copyOf(chunks));
        }
        INDArray f = fs.size() == 1 ? fs.get(0) : Nd4j.concat(0, fs.toArray(INDArray[]::new));
        INDArray l = ls.size() == 1 ? ls.get(0) : Nd4j.concat(0, ls.toArray(INDArray[]::new));
        return new FeatureCache(key, shape, batch, n, counts, f, l, null, null);
    }

    private static Path writeChunk(Path dir, int index, INDArray f, INDArray l) throws IOException {
        Path file = dir.resolve(String.format("chunk-%06d.bin", index));
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            Nd4j.write(f, out);
            Nd4j.write(l, out);
        }
        return file;
    }

    public String key() {
        return key;
    }

    public int examples() {
        return examples;
    }

    public boolean onDisk() {
        return chunks != null;
    }

    /** Examples per class (argmax of the labels), in label order. */
    public long[] classCounts() {
        return classCounts.clone();
    }

    /** Batches per epoch. */
    public int batches() {
        return chunks != null ? chunks.size() : (examples + batchSize - 1) / batchSize;
    }

    /** All examples in their original order (for validation). */
    public Iterator<DataSet> inOrder() {
        return epoch(null);
    }

    /** One epoch of batches in an order drawn from {@code seed}. */
    public Iterator<DataSet> shuffled(long seed) {
        return epoch(new Random(seed));
    }

    private Iterator<DataSet> epoch(Random rng) {
        if (chunks != null) {
            List<Path> order = new ArrayList<>(chunks);
            if (rng != null) {
                java.util.Collections.shuffle(order, rng);
            }
            Iterator<Path> it = order.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public DataSet next() {
                    Path p = it.next();
                    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(p)))) {
                        INDArray f = Nd4j.read(in);
                        INDArray l = Nd4j.read(in);
                        if (rng != null) {
                            int[] perm = permutation((int) f.size(0), rng);
                            f = Nd4j.pullRows(f.reshape(f.size(0), -1), 1, perm).reshape(withBatch(perm.length));
                            l = Nd4j.pullRows(l, 1, perm);
                        }
                        return new DataSet(f, l);
                    } catch (IOException e) {
                        throw new UncheckedIOException("feature cache: could not read " + p + ": " + e.getMessage(),
                                e);
                    }
                }
            };
        }
        int[] order = rng == null ? identity(examples) : permutation(examples, rng);
        return new Iterator<>() {
            int pos;

            @Override
            public boolean hasNext() {
                return pos < examples;
            }

            @Override
            public DataSet next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int[] idx = Arrays.copyOfRange(order, pos, Math.min(examples, pos + batchSize));
                pos += idx.length;
                INDArray f = Nd4j.pullRows(features, 1, idx).reshape(withBatch(idx.length));
                INDArray l = Nd4j.pullRows(labels, 1, idx);
                return new DataSet(f, l);
            }
        };
    }

    private long[] withBatch(long n) {
        long[] s = new long[exampleShape.length + 1];
        s[0] = n;
        System.arraycopy(exampleShape, 0, s, 1, exampleShape.length);
        return s;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static int[] permutation(int n, Random rng) {
        int[] a = identity(n);
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
