package io.transfer4j.training;

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
import org.nd4j.linalg.api.ndarray.INDArray;

import io.transfer4j.training.internal.RunDirectory;

/**
 * Crash-safe resume with a real kill: a child JVM trains into a run directory and is killed with
 * {@code destroyForcibly} (SIGKILL) once it has checkpointed an epoch; the run is then resumed in this JVM and
 * must end with the same history and parameters as an uninterrupted run with the same seed.
 */
class KillResumeIT {

    @Test
    void killedRunResumesToTheUninterruptedResult(@TempDir Path dir) throws Exception {
        Path data = TinyRun.ensureData(dir, 8);
        Path zooHome = TinyRun.zooHome(dir);
        Path runDir = dir.resolve("killed");

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dorg.bytedeco.javacpp.maxbytes=2G", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), ResumeChild.class.getName(),
                data.toString(), zooHome.toString(), runDir.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        RunDirectory run = new RunDirectory(runDir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int epochsAtKill = -1;
        while (System.nanoTime() < deadline && child.isAlive()) {
            if (run.hasCheckpoint()) {
                var state = run.read().orElseThrow().state();
                if (state.history().size() >= 2) {
                    epochsAtKill = state.history().size();
                    break;
                }
            }
            Thread.sleep(50);
        }
        assertTrue(child.isAlive(), "child ended before it could be killed; log:\n"
                + Files.readString(dir.resolve("child.log")));
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertTrue(epochsAtKill >= 2, "no checkpoint with 2 epochs within 120 s");
        assertFalse(Files.readString(dir.resolve("child.log")).contains("CHILD FINISHED"));

        int total = 0;
        TrainingResult resumed;
        int[] trained = new int[1];
        try (TinyRun t = TinyRun.open(data, zooHome, false, 8)) {
            resumed = FineTuner.builder().model(t.model).train(t.train).validation(t.validation)
                    .plan(ResumeIT.plan()).runDir(runDir).seed(77).callbacks(new Callback() {
                        @Override
                        public Decision onEpochEnd(EpochRecord r, TrainingControl c) {
                            trained[0]++;
                            return Decision.CONTINUE;
                        }
                    }).callbacks(ReduceLrOnPlateau.of(Monitor.valLoss())).build().fit();
        }
        TrainingResult whole;
        try (TinyRun t = TinyRun.open(data, zooHome, false, 8)) {
            whole = FineTuner.builder().model(t.model).train(t.train).validation(t.validation)
                    .plan(ResumeIT.plan()).runDir(dir.resolve("whole")).seed(77)
                    .callbacks(ReduceLrOnPlateau.of(Monitor.valLoss())).build().fit();
        }
        total = whole.history().size();
        assertTrue(trained[0] > 0 && trained[0] <= total - 2, "resumed run trained " + trained[0] + " of " + total
                + " epochs (killed after " + epochsAtKill + ")");
        assertEquals(TinyRun.comparable(whole.history()), TinyRun.comparable(resumed.history()));
        List<INDArray> a = TinyRun.params(whole.model().graph());
        List<INDArray> b = TinyRun.params(resumed.model().graph());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), "parameter " + i);
        }
    }
}
