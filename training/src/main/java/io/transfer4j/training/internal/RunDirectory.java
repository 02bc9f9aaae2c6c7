package io.transfer4j.training.internal;

import io.transfer4j.internal.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * A run directory's checkpoints. Each checkpoint is a directory {@code ckpt-NNNNNN} holding {@code state.json},
 * {@code params.bin} (every parameter of the model by name, BatchNorm statistics included),
 * {@code updater.bin} (the optimiser state of the graph being trained), {@code snapshot-KEY.bin} files and
 * {@code sha256.json} (the SHA-256 of each of those files, checked before any of them is read back, so a checkpoint
 * damaged on disk is refused by name instead of being fed to ND4J's reader). It is written completely and flushed
 * to disk first; only then does the pointer file {@code checkpoint.json} move
 * atomically to name it, and older checkpoints are deleted. A kill at any moment therefore leaves the previous
 * checkpoint intact and pointed to.
 */
public final class RunDirectory {
    static final String POINTER = "checkpoint.json";
    static final String SUMS = "sha256.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    public RunDirectory(Path dir) {
        this.dir = dir;
    }

    public Path path() {
        return dir;
    }

    /** What a checkpoint holds. */
    public record Checkpoint(RunState state, Map<String, INDArray> params, INDArray updater,
                             Map<String, Map<String, INDArray>> snapshots) {
    }

    private record Pointer(String checkpoint) {
    }

    public boolean hasCheckpoint() {
        return Files.isRegularFile(dir.resolve(POINTER));
    }

    /** Writes a new checkpoint and makes it the current one. */
    public void write(Checkpoint c) throws IOException {
        Files.createDirectories(dir);
        int next = currentIndex().map(i -> i + 1).orElse(1);
        String name = String.format("ckpt-%06d", next);
        Path tmp = dir.resolve(name + ".partial");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        Map<String, String> sums = new java.util.TreeMap<>();
        sums.put("state.json", writeSynced(tmp.resolve("state.json"), out -> out.write(JSON.writeValueAsBytes(c.state()))));
        sums.put("params.bin", writeSynced(tmp.resolve("params.bin"), out -> writeArrays(out, c.params())));
        if (c.updater() != null) {
            sums.put("updater.bin", writeSynced(tmp.resolve("updater.bin"),
                    out -> writeArray(c.updater(), new DataOutputStream(out))));
        }
        for (Map.Entry<String, Map<String, INDArray>> s : c.snapshots().entrySet()) {
            String file = "snapshot-" + s.getKey() + ".bin";
            sums.put(file, writeSynced(tmp.resolve(file), out -> writeArrays(out, s.getValue())));
        }
        writeSynced(tmp.resolve(SUMS), out -> out.write(JSON.writeValueAsBytes(sums)));
        Path finalDir = dir.resolve(name);
        deleteTree(finalDir);
        Files.move(tmp, finalDir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.write(dir.resolve(POINTER), out -> out.write(JSON.writeValueAsBytes(new Pointer(name))));
        // older checkpoints are no longer pointed to
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().startsWith("ckpt-") && !p.getFileName().toString().equals(name))
                    .forEach(RunDirectory::deleteTreeQuietly);
        }
    }

    /** Reads the current checkpoint, if any. */
    public Optional<Checkpoint> read() throws IOException {
        if (!hasCheckpoint()) {
            return Optional.empty();
        }
        for (int attempt = 0; ; attempt++) {
            Pointer p = JSON.readValue(dir.resolve(POINTER).toFile(), Pointer.class);
            Path c = dir.resolve(p.checkpoint());
            try {
                return Optional.of(readChecked(c));
            } catch (java.nio.file.NoSuchFileException e) {
                // a live run may have moved the pointer on and deleted this checkpoint while we read it
                Pointer now = JSON.readValue(dir.resolve(POINTER).toFile(), Pointer.class);
                if (now.equals(p) || attempt >= 3) {
                    throw new IOException("run directory " + dir + " points to checkpoint " + p.checkpoint()
                            + ", which is incomplete or missing (" + e.getMessage() + "); the directory was changed "
                            + "by hand. Start a new run directory.", e);
                }
            }
        }
    }

    /**
     * Reads checkpoint {@code c} after checking its files against {@code sha256.json}; a damaged checkpoint (or one
     * ND4J cannot read) is an {@link IOException} that names it, never ND4J's allocation failure or stack trace.
     */
    private Checkpoint readChecked(Path c) throws IOException {
        String what = "checkpoint " + c.getFileName() + " in " + dir;
        String advice = ". The run cannot continue from it; start a new run directory (its settings are in "
                + dir.resolve("config.json") + ": fit --config that file --run-dir NEW_DIR).";
        Path sumsFile = c.resolve(SUMS);
        if (Files.exists(sumsFile)) {
            Map<String, String> sums = JSON.readValue(Files.readAllBytes(sumsFile),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
            for (Map.Entry<String, String> e : sums.entrySet()) {
                Path f = c.resolve(e.getKey());
                if (!Files.exists(f)) {
                    throw new java.nio.file.NoSuchFileException(f.toString());
                }
                String actual = sha256(f);
                if (!actual.equals(e.getValue())) {
                    throw new IOException(what + " is damaged: " + e.getKey() + " has SHA-256 " + actual
                            + ", not the " + e.getValue() + " recorded when it was written" + advice);
                }
            }
        }
        try {
            return readCheckpoint(c);
        } catch (java.nio.file.NoSuchFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IOException(what + " cannot be read (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()) + ")" + advice, e);
        }
    }

    private static String sha256(Path f) throws IOException {
        java.security.MessageDigest md = digest();
        try (var in = new java.security.DigestInputStream(Files.newInputStream(f), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    private static java.security.MessageDigest digest() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private Checkpoint readCheckpoint(Path c) throws IOException {
        RunState state = JSON.readValue(Files.readAllBytes(c.resolve("state.json")), RunState.class);
        if (state.formatVersion() > RunState.FORMAT_VERSION) {
            throw new IOException("checkpoint " + c + " has format version " + state.formatVersion()
                    + "; this transfer4j reads up to " + RunState.FORMAT_VERSION + ". Resume with a newer version.");
        }
        Map<String, INDArray> params = readArrays(c.resolve("params.bin"));
        INDArray updater = null;
        if (Files.exists(c.resolve("updater.bin"))) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                    Files.newInputStream(c.resolve("updater.bin"))))) {
                updater = Nd4j.read(in);
            }
        }
        Map<String, Map<String, INDArray>> snapshots = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(c)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String n = f.getFileName().toString();
                if (n.startsWith("snapshot-") && n.endsWith(".bin")) {
                    snapshots.put(n.substring("snapshot-".length(), n.length() - ".bin".length()), readArrays(f));
                }
            }
        }
        return new Checkpoint(state, params, updater, snapshots);
    }

    private Optional<Integer> currentIndex() throws IOException {
        if (!hasCheckpoint()) {
            return Optional.empty();
        }
        Pointer p = JSON.readValue(dir.resolve(POINTER).toFile(), Pointer.class);
        return Optional.of(Integer.parseInt(p.checkpoint().substring("ckpt-".length())));
    }

    /** Writes {@code file}, flushes it to disk and returns the SHA-256 of what was written. */
    private static String writeSynced(Path file, AtomicFiles.Writer writer) throws IOException {
        java.security.MessageDigest md = digest();
        try (var out = new BufferedOutputStream(new java.security.DigestOutputStream(Files.newOutputStream(file), md))) {
            writer.write(out);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    static void writeArrays(java.io.OutputStream os, Map<String, INDArray> arrays) throws IOException {
        DataOutputStream out = new DataOutputStream(os);
        out.writeInt(arrays.size());
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            out.writeUTF(e.getKey());
            writeArray(e.getValue(), out);
        }
        out.flush();
    }

    /**
     * {@link Nd4j#write} of {@code a}, which may be a live view (a parameter of the model): ND4J writes a view
     * through a copy it leaves to the garbage collector; here that copy is freed as soon as it is written, so
     * writing a model's parameters holds at most one array's copy at a time.
     */
    static void writeArray(INDArray a, DataOutputStream out) throws IOException {
        INDArray c = a.isView() || a.data().length() != a.length() ? a.dup() : a;
        try {
            Nd4j.write(c, out);
        } finally {
            if (c != a) {
                c.close();
            }
        }
    }

    static Map<String, INDArray> readArrays(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            Map<String, INDArray> m = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String k = in.readUTF();
                m.put(k, Nd4j.read(in));
            }
            return m;
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(x);
            }
        }
    }

    private static void deleteTreeQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete old checkpoint " + p + ": " + e.getMessage(), e);
        }
    }
}
