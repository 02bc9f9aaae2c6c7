package io.transfer4j.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.Metric;

class RunDirectoryTest {

    private static RunState state(int epochs) {
        return new RunState(RunState.FORMAT_VERSION, "plan", 7, "data", 1, epochs, false, 0.5, 3,
                Map.of("EarlyStopping", Map.of("best", 0.25, "wait", 1.0)),
                List.of(new EpochRecord("head", 1, 0.9, 0.8, Map.of(Metric.VAL_ACCURACY, 0.7), 1e-3, 1, 10)),
                true, 12);
    }

    @Test
    void writesReadsAndKeepsOnlyTheCurrentCheckpoint(@TempDir Path dir) throws Exception {
        RunDirectory run = new RunDirectory(dir);
        assertFalse(run.hasCheckpoint());
        INDArray w = Nd4j.linspace(1, 6, 6).reshape(2, 3);
        run.write(new RunDirectory.Checkpoint(state(1), Map.of("a_W", w), Nd4j.ones(1, 4),
                Map.of("best", Map.of("a_W", w.mul(2)))));
        run.write(new RunDirectory.Checkpoint(state(2), Map.of("a_W", w.add(1)), null, Map.of("best",
                Map.of("a_W", w.mul(3)))));
        RunDirectory.Checkpoint c = run.read().orElseThrow();
        assertEquals(2, c.state().epochsDone());
        assertEquals(state(2), c.state());
        assertEquals(w.add(1), c.params().get("a_W"));
        assertEquals(w.mul(3), c.snapshots().get("best").get("a_W"));
        assertEquals(null, c.updater());
        try (var s = Files.list(dir)) {
            assertEquals(List.of("checkpoint.json", "ckpt-000002"), s.map(p -> p.getFileName().toString()).sorted()
                    .toList());
        }
    }

    @Test
    void aHalfWrittenCheckpointIsIgnored(@TempDir Path dir) throws Exception {
        RunDirectory run = new RunDirectory(dir);
        run.write(new RunDirectory.Checkpoint(state(1), Map.of("a_W", Nd4j.ones(2)), null, Map.of()));
        // what a kill during the next write leaves behind
        Path partial = Files.createDirectories(dir.resolve("ckpt-000002.partial"));
        Files.writeString(partial.resolve("state.json"), "{\"formatVersion\":1,");
        assertEquals(1, run.read().orElseThrow().state().epochsDone());
        run.write(new RunDirectory.Checkpoint(state(3), Map.of("a_W", Nd4j.ones(2)), null, Map.of()));
        assertEquals(3, run.read().orElseThrow().state().epochsDone());
        assertFalse(Files.exists(partial));
        assertTrue(Files.isDirectory(dir.resolve("ckpt-000002")));
    }

    /** faults/run.sh corrupt_checkpoint: damaged parameters once ended in ND4J's std::bad_alloc on --resume. */
    @Test
    void aCheckpointDamagedOnDiskIsRefusedByNameBeforeNd4jReadsIt(@TempDir Path dir) throws Exception {
        RunDirectory run = new RunDirectory(dir);
        run.write(new RunDirectory.Checkpoint(state(1), Map.of("a_W", Nd4j.linspace(1, 600, 600)), null, Map.of()));
        Path params = dir.resolve("ckpt-000001").resolve("params.bin");
        try (var ch = java.nio.channels.FileChannel.open(params, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("DAMAGED".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 20);
        }
        java.io.IOException e = assertThrows(java.io.IOException.class, run::read);
        assertTrue(e.getMessage().contains("checkpoint ckpt-000001 in " + dir + " is damaged: params.bin has SHA-256"),
                e.getMessage());
        assertTrue(e.getMessage().contains("start a new run directory"), e.getMessage());
    }

    @Test
    void aCheckpointNd4jCannotReadIsNamedEvenWithoutChecksums(@TempDir Path dir) throws Exception {
        RunDirectory run = new RunDirectory(dir);
        run.write(new RunDirectory.Checkpoint(state(1), Map.of("a_W", Nd4j.ones(4)), null, Map.of()));
        Path ckpt = dir.resolve("ckpt-000001");
        Files.delete(ckpt.resolve(RunDirectory.SUMS)); // a checkpoint written before sha256.json existed
        Files.write(ckpt.resolve("params.bin"), new byte[] {0, 0, 0, 1, 0});
        java.io.IOException e = assertThrows(java.io.IOException.class, run::read);
        assertTrue(e.getMessage().startsWith("checkpoint ckpt-000001 in " + dir + " cannot be read ("), e.getMessage());
    }

    @Test
    void everyFileOfACheckpointHasItsChecksumRecorded(@TempDir Path dir) throws Exception {
        RunDirectory run = new RunDirectory(dir);
        run.write(new RunDirectory.Checkpoint(state(1), Map.of("a_W", Nd4j.ones(2)), Nd4j.ones(1, 4),
                Map.of("best", Map.of("a_W", Nd4j.ones(2)))));
        String sums = Files.readString(dir.resolve("ckpt-000001").resolve(RunDirectory.SUMS));
        for (String f : List.of("state.json", "params.bin", "updater.bin", "snapshot-best.bin")) {
            assertTrue(sums.contains("\"" + f + "\""), f + " missing in " + sums);
        }
    }
}
