package io.transfer4j.cli;

import java.io.PrintStream;
import java.net.URI;

import io.transfer4j.zoo.DownloadListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Renders zoo downloads as a terminal progress bar (bytes, %, rate, ETA) on stderr. */
final class DownloadProgress implements DownloadListener {
    private final PrintStream err;
    private ProgressBar bar;

    DownloadProgress(PrintStream err) {
        this.err = err;
    }

    @Override
    public synchronized void started(String id, URI uri, long alreadyHave, long total) {
        close();
        err.println((alreadyHave > 0 ? "Resuming " : "Downloading ") + id + " weights from " + uri
                + (alreadyHave > 0 ? " at byte " + alreadyHave : ""));
        bar = new ProgressBarBuilder().setTaskName(id).setInitialMax(total)
                .setUnit(" MB", 1 << 20).showSpeed().setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .startsFrom(alreadyHave, java.time.Duration.ZERO).build();
    }

    @Override
    public synchronized void progress(String id, long bytes, long total, double bytesPerSecond) {
        if (bar != null) {
            bar.stepTo(bytes);
        }
    }

    @Override
    public synchronized void retrying(String id, int attempt, long delayMillis, String reason) {
        close();
        err.printf("Attempt %d failed (%s); retrying in %.1f s%n", attempt, reason, delayMillis / 1000.0);
    }

    @Override
    public synchronized void finished(String id, long bytes) {
        if (bar != null) {
            bar.stepTo(bytes);
        }
        close();
    }

    private void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
