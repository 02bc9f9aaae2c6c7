package io.transfer4j.training.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestorePointTest {

    private static float[] values(ComputationGraph g) {
        return g.params().dup().data().asFloat();
    }

    @Test
    void aSmallPhaseIsCopiedInMemoryLayerByLayerWithoutItsFrozenLayers(@TempDir Path runDir) {
        ComputationGraph g = TinyGraphs.mlp(1);
        float[] before = values(g);
        try (RestorePoint r = RestorePoint.take(g, Set.of("a"), Long.MAX_VALUE, runDir)) {
            assertEquals(g.getLayer("out").numParams() * 4L, r.bytesInMemory(), "only the trained layer 'out'");
            assertTrue(r.file().isEmpty());
            assertFalse(Files.exists(runDir.resolve(RestorePoint.FILE)));
            g.getLayer("out").getParam("W").addi(1);
            r.restore(g);
            assertArrayEquals(before, values(g));
        }
    }

    @Test
    void aLargePhaseGoesToTheRunDirectoryNotMemoryAndComesBackBitForBit(@TempDir Path runDir) throws Exception {
        ComputationGraph g = TinyGraphs.mlp(2);
        float[] before = values(g);
        float[] outW = g.getLayer("out").getParam("W").dup('c').data().asFloat();
        // what a killed run left behind: never read, replaced by the next restore point
        Files.writeString(runDir.resolve(RestorePoint.FILE), "stale");
        Files.writeString(runDir.resolve("." + RestorePoint.FILE + ".partial"), "half");
        RestorePoint r = RestorePoint.take(g, Set.of(), 0, runDir);
        Path file = r.file().orElseThrow();
        assertEquals(runDir.resolve(RestorePoint.FILE), file);
        assertEquals(0, r.bytesInMemory(), "no copy of the parameters is held in memory");
        assertEquals(g.numParams() * 4L, Files.size(file));
        assertFalse(Files.exists(runDir.resolve("." + RestorePoint.FILE + ".partial")));
        g.params().muli(Float.NaN);   // what a diverged epoch leaves
        r.restore(g);
        assertArrayEquals(before, values(g));
        // the layers see the restored values (their parameters are views of the flat buffer)
        assertArrayEquals(outW, g.getLayer("out").getParam("W").dup('c').data().asFloat());
        r.close();
        assertFalse(Files.exists(file), "deleted at the epoch's end");
    }

    @Test
    void withoutARunDirectoryTheFileIsATempFileDeletedOnClose() throws Exception {
        ComputationGraph g = TinyGraphs.mlp(3);
        float[] before = values(g);
        Path file;
        try (RestorePoint r = RestorePoint.take(g, Set.of(), 0, null)) {
            file = r.file().orElseThrow();
            assertTrue(file.startsWith(Path.of(System.getProperty("java.io.tmpdir"))), file.toString());
            assertEquals(g.numParams() * 4L, Files.size(file));
            g.params().assign(0);
            r.restore(g);
            assertArrayEquals(before, values(g));
        }
        assertFalse(Files.exists(file));
    }
}
