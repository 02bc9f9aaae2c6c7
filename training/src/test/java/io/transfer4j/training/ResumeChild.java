package io.transfer4j.training;

import java.nio.file.Path;

/**
 * The child JVM of {@code KillResumeIT}: trains {@link ResumeIT#plan()} on the tiny set-up into a run directory,
 * sleeping after every batch from the second epoch on so the parent can kill it -9 mid-run (sleeping changes
 * nothing in the result).
 */
public final class ResumeChild {
    private ResumeChild() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        Path zooHome = Path.of(args[1]);
        Path runDir = Path.of(args[2]);
        try (TinyRun t = TinyRun.open(data, zooHome, false, 8)) {
            FineTuner.builder().model(t.model).train(t.train).validation(t.validation).plan(ResumeIT.plan())
                    .runDir(runDir).seed(77).callbacks(new Callback() {
                        @Override
                        public Decision onBatchEnd(BatchEnd b, TrainingControl c) {
                            if (c.history().size() >= 1) {
                                try {
                                    Thread.sleep(500);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                            return Decision.CONTINUE;
                        }
                    }).callbacks(ReduceLrOnPlateau.of(Monitor.valLoss())).build().fit();
        }
        System.out.println("CHILD FINISHED");
    }
}
