package io.transfer4j.training.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.internal.AtomicFiles;

/**
 * The parameters an epoch can change, as they were when it began: what {@link Engine} puts back when the loss
 * diverges, so the caller's model is left as it was before the failing epoch. Closed at the epoch's end.
 *
 * <p>Up to {@link #MEMORY_LIMIT} bytes of trained parameters are copied in memory, layer by layer (only the layers
 * the phase does not freeze: frozen ones cannot change). A larger phase - VGG16 or ResNet50 with every layer
 * trainable - would keep a second copy of nearly the whole model resident for the whole epoch (VGG16: ~512 MiB on
 * top of the training step); there the model's flattened parameter buffer is written byte for byte to a file
 * instead, straight from native memory (no copy in between), and read straight back into it on a restore. The
 * file goes to the run directory ({@value #FILE}) or, without one, to a fresh file in the temp directory. It is
 * written beside its name and moved into place, read by nothing but {@link #restore} (never by a resume, which
 * reads only the checkpoints {@code checkpoint.json} points to) and deleted by {@link #close}; one left by a
 * killed run is replaced at the next epoch start.
 */
final class RestorePoint implements AutoCloseable {
    /** Trained parameters up to this many bytes are kept in memory; more go to a file. */
    static final long MEMORY_LIMIT = 64L << 20;
    /** The restore point's name in a run directory. */
    static final String FILE = "restore-point.bin";

    private final Map<String, Map<String, INDArray>> copies;
    private final Path file;
    private final long bytes;

    private RestorePoint(Map<String, Map<String, INDArray>> copies, Path file, long bytes) {
        this.copies = copies;
        this.file = file;
        this.bytes = bytes;
    }

    /**
     * Takes the restore point of {@code g}'s layers that are not in {@code frozen}.
     *
     * @param memoryLimit bytes of trained parameters copied in memory at most; above, the file is written
     * @param runDir      the run directory, or null (then the temp directory)
     */
    static RestorePoint take(ComputationGraph g, Set<String> frozen, long memoryLimit, Path runDir) {
        long trained = 0;
        for (Layer l : g.getLayers()) {
            if (!frozen.contains(l.conf().getLayer().getLayerName())) {
                trained += l.numParams() * g.params().dataType().width();
            }
        }
        INDArray flat = g.params();
        if (trained <= memoryLimit || !writable(flat)) {
            return new RestorePoint(copies(g, frozen), null, trained);
        }
        long size = flat.length() * flat.dataType().width();
        Path target = null;
        try {
            target = runDir != null ? runDir.resolve(FILE) : Files.createTempFile("transfer4j-restore-point-", ".bin");
            write(flat, target);
            return new RestorePoint(null, target, size);
        } catch (IOException e) {
            if (runDir == null && target != null) {
                target.toFile().delete();
            }
            throw new UncheckedIOException("could not write the epoch's restore point (" + (size >> 20) + " MiB of "
                    + "parameters) to " + (runDir != null ? runDir : System.getProperty("java.io.tmpdir")) + ": "
                    + e.getMessage() + "; free disk space there or use another run directory", e);
        }
    }

    /**
     * Whether the parameter buffer can be written and read back as one block of native memory: a contiguous vector
     * (DL4J's flattened parameters are a rank-1 view over the whole buffer; every layer's parameters are views into
     * it) of at most 2 GiB, the largest NIO buffer.
     */
    private static boolean writable(INDArray flat) {
        if (flat == null || flat.isEmpty()) {
            return false;
        }
        boolean vector = flat.rank() == 1 || flat.rank() == 2 && flat.size(0) == 1;
        return vector && flat.stride(flat.rank() - 1) == 1
                && (flat.offset() + flat.length()) * flat.dataType().width() <= Integer.MAX_VALUE;
    }

    private static Map<String, Map<String, INDArray>> copies(ComputationGraph g, Set<String> frozen) {
        Map<String, Map<String, INDArray>> m = new LinkedHashMap<>();
        for (Layer l : g.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (!frozen.contains(name) && l.numParams() > 0) {
                Map<String, INDArray> p = new LinkedHashMap<>();
                l.paramTable().forEach((k, v) -> p.put(k, v.dup()));
                m.put(name, p);
            }
        }
        return m;
    }

    /** The model's parameter buffer, as its bytes in native memory (no copy). */
    private static ByteBuffer bytes(INDArray flat) {
        int width = flat.dataType().width();
        ByteBuffer bb = flat.data().asNio().duplicate();
        long end = (flat.offset() + flat.length()) * width;
        if (bb.capacity() < end) {
            throw new IllegalStateException("the parameter buffer's memory (" + bb.capacity() + " bytes) is smaller "
                    + "than its " + flat.length() + " parameters at offset " + flat.offset() + " need");
        }
        bb.limit((int) end);
        bb.position((int) (flat.offset() * width));
        return bb;
    }

    /**
     * Writes the buffer to a file beside {@code target}, then moves it into place: a kill leaves the previous file
     * or a {@code .partial} one, never a half-written {@code target}. Not flushed to disk: the file only serves this
     * process (a resume reads checkpoints), so the page cache is enough.
     */
    private static void write(INDArray flat, Path target) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".partial");
        try {
            ByteBuffer bb = bytes(flat);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long end = bb.limit(), at = bb.position(); at < end; at += CHUNK) {
                    ByteBuffer chunk = bb.duplicate();
                    chunk.position((int) at).limit((int) Math.min(end, at + CHUNK));
                    while (chunk.hasRemaining()) {
                        ch.write(chunk);
                    }
                }
            }
            AtomicFiles.moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Bytes per file write or read (a heap buffer would otherwise be copied whole into a temporary direct one). */
    private static final int CHUNK = 16 << 20;

    /** Puts the parameters back into {@code g} (the graph it was taken from), exactly. */
    void restore(ComputationGraph g) {
        if (copies != null) {
            copies.forEach((layer, params) -> params.forEach((k, v) -> g.getLayer(layer).getParam(k).assign(v)));
            return;
        }
        INDArray flat = g.params();
        ByteBuffer bb = bytes(flat);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() != bb.remaining()) {
                throw new IllegalStateException("the restore point " + file + " holds " + ch.size() + " bytes, the "
                        + "model's parameters " + bb.remaining() + "; it was changed while the epoch ran");
            }
            for (long end = bb.limit(), at = bb.position(); at < end; at += CHUNK) {
                ByteBuffer chunk = bb.duplicate();
                chunk.position((int) at).limit((int) Math.min(end, at + CHUNK));
                while (chunk.hasRemaining()) {
                    if (ch.read(chunk) < 0) {
                        throw new IOException("unexpected end of " + file);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the epoch's restore point " + file + ": " + e.getMessage()
                    + "; the model's parameters are not those from before the epoch", e);
        }
    }

    /** Bytes of parameter copies this restore point holds in memory (0 when they are in a file). */
    long bytesInMemory() {
        return copies == null ? 0 : bytes;
    }

    /** The file holding the parameters, if they went to one. */
    Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** Frees the copies, or deletes the file. */
    @Override
    public void close() {
        if (copies != null) {
            copies.values().forEach(p -> p.values().forEach(INDArray::close));
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the epoch's restore point " + file + " (" + (bytes >> 20)
                    + " MiB); delete it by hand", e);
        }
    }

    @Override
    public String toString() {
        return copies != null ? "restore point in memory (" + bytes + " bytes)"
                : "restore point in " + file + " (" + bytes + " bytes)";
    }
}
