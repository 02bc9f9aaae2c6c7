package io.transfer4j.training.tune;

import java.nio.file.Path;

import io.transfer4j.training.EpochRecord;

/**
 * A search in a child JVM, to be killed with SIGKILL by {@link TunerKillIT}: {@code TuneChild BASE SEARCHDIR}.
 * Each epoch lingers 300 ms so the parent can kill it between and within trials.
 */
public final class TuneChild {
    private TuneChild() {
    }

    public static void main(String[] args) throws Exception {
        TinyEnvironment env = new TinyEnvironment(Path.of(args[0]), 12);
        TunerKillIT.search(env, Path.of(args[1])).listener(new TrialListener() {
            @Override
            public void epochEnded(int id, EpochRecord epoch) {
                TunerTest.sleep(300);
            }
        }).build().run();
        System.out.println("CHILD FINISHED");
    }
}
