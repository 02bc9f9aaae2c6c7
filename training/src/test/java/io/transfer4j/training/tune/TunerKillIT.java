package io.transfer4j.training.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search killed with SIGKILL ({@code destroyForcibly}) in a child JVM after it recorded some trials, then resumed
 * here: the finished trials are skipped (not run again), every row of {@code trials.jsonl} is whole, and the search
 * ends with the same trials and results as one that was never interrupted.
 */
class TunerKillIT {
    static final int TRIALS = 6;

    static Tuner.Builder search(TinyEnvironment env, Path dir) {
        return Tuner.builder().space(TunerTest.headOnly()).budget(Budget.trials(TRIALS)).environment(env)
                .searchDir(dir).seed(7);
    }

    @Test
    void aKilledSearchResumesWithoutRedoingFinishedTrials(@TempDir Path base) throws Exception {
        TinyEnvironment env = new TinyEnvironment(base, 12);
        Path dir = base.resolve("killed");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dorg.bytedeco.javacpp.maxbytes=2G", "-Djava.awt.headless=true", "-cp",
                System.getProperty("java.class.path"), TuneChild.class.getName(), base.toString(), dir.toString());
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(base.resolve("child.log").toFile()).start();
        Path rows = dir.resolve("trials.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        int rowsAtKill = 0;
        while (System.nanoTime() < deadline && child.isAlive()) {
            if (Files.isRegularFile(rows) && (rowsAtKill = Files.readAllLines(rows).size()) >= 2) {
                break;
            }
            Thread.sleep(20);
        }
        assertTrue(child.isAlive(), "the child ended before it could be killed; log:\n"
                + Files.readString(base.resolve("child.log")));
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.readString(base.resolve("child.log")).contains("CHILD FINISHED"));
        List<TrialRecord> before = SearchDirectoryRows.read(dir);
        assertTrue(before.size() >= 2 && before.size() < TRIALS, "rows at the kill: " + before.size());

        RecordingListener seen = new RecordingListener();
        SearchResult resumed = search(env, dir).listener(seen).build().run();
        List<Integer> skipped = seen.skipped;
        List<Integer> started = seen.started;
        assertEquals(before.stream().map(TrialRecord::id).toList(), skipped, "finished trials are not run again");
        assertEquals(TRIALS, skipped.size() + started.size());
        assertTrue(started.stream().noneMatch(skipped::contains));

        SearchResult straight = search(env, base.resolve("straight")).build().run();
        assertEquals(straight.trials().stream().map(TrialRecord::params).toList(),
                resumed.trials().stream().map(TrialRecord::params).toList());
        assertEquals(straight.trials().stream().map(TrialRecord::objective).toList(),
                resumed.trials().stream().map(TrialRecord::objective).toList());
        assertEquals(straight.best().orElseThrow().id(), resumed.best().orElseThrow().id());
    }

    /** Every line of trials.jsonl as a whole row. */
    static final class SearchDirectoryRows {
        static List<TrialRecord> read(Path dir) throws java.io.IOException {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            List<TrialRecord> out = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("trials.jsonl"))) {
                out.add(json.readValue(line, TrialRecord.class));
            }
            return out;
        }
    }
}
