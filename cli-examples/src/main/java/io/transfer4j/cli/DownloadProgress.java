package io.transfer4j.cli;

import java.net.URI;

import io.transfer4j.zoo.DownloadListener;

/**
 * Shows zoo downloads through the command's {@link Output}: a progress bar in KB with rate and ETA on a terminal,
 * throttled JSON progress lines with {@code --json}, nothing with {@code --quiet}; retries are warnings.
 */
final class DownloadProgress implements DownloadListener {
    private final Output output;
    private Output.Progress bar = Output.Progress.NONE;

    DownloadProgress(Output output) {
        this.output = output;
    }

    @Override
    public synchronized void started(String id, URI uri, long alreadyHave, long total) {
        bar.close();
        output.info((alreadyHave > 0 ? "Resuming " : "Downloading ") + id + " weights from " + uri
                + (alreadyHave > 0 ? " at byte " + alreadyHave : "")
                + (total > 0 ? String.format(" (%.1f MB)", total / 1048576.0) : ""));
        bar = output.progress(id, total > 0 ? total / 1024 : -1, "KB");
    }

    @Override
    public synchronized void progress(String id, long bytes, long total, double bytesPerSecond) {
        String eta = total > 0 && bytesPerSecond > 0
                ? String.format(", ETA %ds", Math.round((total - bytes) / bytesPerSecond)) : "";
        bar.update(bytes / 1024, String.format("%.1f MB/s%s", bytesPerSecond / 1048576.0, eta));
    }

    @Override
    public synchronized void retrying(String id, int attempt, long delayMillis, String reason) {
        bar.close();
        bar = Output.Progress.NONE;
        output.warn(String.format("%s: attempt %d failed (%s); retrying in %.1f s", id, attempt, reason,
                delayMillis / 1000.0));
    }

    @Override
    public synchronized void finished(String id, long bytes) {
        bar.update(bytes / 1024, null);
        bar.close();
        bar = Output.Progress.NONE;
    }
}
