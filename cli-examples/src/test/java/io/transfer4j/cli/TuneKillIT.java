package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} in the middle of a search, then {@code tune --resume}: the finished trials are kept (not run
 * again), nothing half-written is left, and the resumed search ends with the trials an uninterrupted one has.
 */
class TuneKillIT {

    @TempDir
    Path tmp;

    @Test
    void aSearchKilledAfterTwoTrialsResumesWithoutRedoingThem() throws Exception {
        Path images = TinyBundles.images(tmp.resolve("images"), 3, 10);
        Path space = Files.writeString(tmp.resolve("space.yaml"), TuneCommandTest.SPACE.replace("headEpochs: 2",
                "headEpochs: 4"));
        Path killed = tmp.resolve("killed");
        String[] args = {"tune", "--data", images.toString(), "--backbone", "tiny", "--image-size", "32", "--space",
                space.toString(), "--trials", "4", "--seed", "7"};
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", cp, Transfer4j.class.getName(), "--json"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--run-dir", killed.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(tmp.resolve("err.txt").toFile())
                .start();
        int finished = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.contains("\"type\":\"trial\"")) {
                    finished++;
                }
                // kill -9 while trial 2 trains (its first epoch ended)
                if (finished == 2 && line.contains("\"type\":\"epoch\"") && line.contains("\"trial\":2")) {
                    p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally
                    break;
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, finished, "killed after two trials: " + Files.readString(tmp.resolve("err.txt")));
        Path rows = killed.resolve("search/trials.jsonl");
        assertEquals(2, Files.readAllLines(rows).size(), "the two finished trials' rows, no partial row");
        String before = Files.readString(rows);

        CliRun resumed = CliRun.run("--json", "tune", "--run-dir", killed.toString(), "--resume", "--trials", "4");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertEquals(2, resumed.out().lines().filter(l -> l.contains("\"type\":\"trialSkipped\"")).count());
        assertEquals(2, resumed.out().lines().filter(l -> l.contains("\"type\":\"trial\"")).count(),
                "trials 2 and 3 ran, the killed one again from its start");
        assertTrue(Files.readString(rows).startsWith(before), "the rows written before the kill are kept");
        try (Stream<Path> s = Files.walk(killed)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().contains(".partial")).toList());
        }

        Path whole = tmp.resolve("whole");
        String[] wholeArgs = Stream.concat(Stream.of(args), Stream.of("--run-dir", whole.toString()))
                .toArray(String[]::new);
        CliRun uninterrupted = CliRun.run(wholeArgs);
        assertEquals(0, uninterrupted.exitCode(), uninterrupted.err());
        assertEquals(objectives(whole), objectives(killed), "same seed, same trials, same results");
        assertEquals(Files.readString(whole.resolve(TuneCommand.BEST_CONFIG)).replace(whole.toString(), "DIR"),
                Files.readString(killed.resolve(TuneCommand.BEST_CONFIG)).replace(killed.toString(), "DIR"));
    }

    /** Each results.csv row's trial, status and objective. */
    private static List<String> objectives(Path dir) throws Exception {
        return Files.readAllLines(dir.resolve("search/results.csv")).stream().map(l -> {
            String[] f = l.split(",", -1);
            return f[0] + "," + f[1] + "," + f[2];
        }).toList();
    }
}
