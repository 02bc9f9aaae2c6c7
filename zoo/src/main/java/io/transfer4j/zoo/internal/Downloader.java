package io.transfer4j.zoo.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.transfer4j.zoo.DownloadListener;
import io.transfer4j.zoo.WeightSource;

/**
 * Streams one weight file from one URL into a partial file beside the cache target, verifying the publisher's
 * checksum and a SHA-256 as the bytes arrive. Connect and read timeouts bound every wait; transient failures
 * (timeouts, resets, truncated bodies, 5xx, 408, 429) are retried with exponential backoff and resumed with an
 * HTTP {@code Range} request; permanent ones (other 4xx) fail at once. The partial file is moved into place
 * atomically only after it verified; on a checksum mismatch it is deleted.
 */
public final class Downloader {
    private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final long PROGRESS_INTERVAL_NANOS = 200_000_000L;

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int retries;
    private final Duration backoff;
    private final DownloadListener listener;

    public Downloader(Duration connectTimeout, Duration readTimeout, int retries, Duration backoff,
                      DownloadListener listener) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.retries = retries;
        this.backoff = backoff;
        this.listener = listener;
    }

    /** A failed download: {@code mismatch} if bytes arrived but did not verify. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean mismatch;

        Failure(String message, boolean mismatch, Throwable cause) {
            super(message, cause);
            this.mismatch = mismatch;
        }

        public boolean mismatch() {
            return mismatch;
        }
    }

    /** A failure of one attempt; {@code permanent} ones are not retried. */
    private static final class AttemptFailure extends IOException {
        private static final long serialVersionUID = 1L;
        private final boolean permanent;

        AttemptFailure(String message, boolean permanent) {
            super(message);
            this.permanent = permanent;
        }
    }

    /**
     * Downloads {@code url} to {@code target} via {@code part}, verifying against {@code source}.
     *
     * @return the checksums of the verified file
     */
    public Checksums.Result download(String id, URI url, WeightSource source, Path part, Path target)
            throws Failure {
        boolean cleanRetryAfterMismatch = false;
        int attempt = 0;
        while (true) {
            attempt++;
            boolean resumed = Files.exists(part) && size(part) > 0;
            Checksums.Result result;
            try {
                result = attempt(id, url, source, part);
            } catch (IOException e) {
                handleFailure(id, url, attempt, e);
                continue;
            }
            boolean sizeOk = source.size() < 0 || result.size() == source.size();
            if (result.publisher().equals(source.checksum()) && sizeOk) {
                try {
                    Files.move(part, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    deleteQuietly(part);
                    throw new Failure("could not move the verified download " + part + " to " + target + ": "
                            + e.getMessage(), false, e);
                }
                listener.finished(id, result.size());
                return result;
            }
            deleteQuietly(part);
            if (resumed && !cleanRetryAfterMismatch) {
                // the bytes kept from an earlier attempt may have been the bad ones: one clean download
                cleanRetryAfterMismatch = true;
                LOG.warn("{}: resumed download of {} did not verify; downloading it again from the start", id, url);
                continue;
            }
            throw new Failure("Checksum mismatch for " + id + " weights from " + url + ": expected "
                    + source.checksumLabel() + (source.size() >= 0 ? " (" + source.size() + " bytes)" : "")
                    + ", got " + result.label() + " (" + result.size() + " bytes, sha256 " + result.sha256()
                    + "). The partial file was removed", true, null);
        }
    }

    private void handleFailure(String id, URI url, int attempt, IOException e) throws Failure {
        String reason = describe(e);
        // a name that does not resolve will not resolve in a few seconds either: no network, or a wrong host
        // nor does a host that refuses connections (a dead mirror must not cost minutes of retries), nor a full disk
        boolean permanent = e instanceof AttemptFailure f && f.permanent || unreachable(e) || e instanceof LocalWriteFailure;
        if (permanent || attempt > retries) {
            throw new Failure(reason + (permanent ? "" : " (after " + attempt + " attempts)"), false, e);
        }
        long delay = Math.min(backoff.toMillis() << Math.min(attempt - 1, 16), 60_000L);
        LOG.info("{}: download attempt {} from {} failed ({}); retrying in {} ms", id, attempt, url, reason, delay);
        listener.retrying(id, attempt, delay, reason);
        try {
            Thread.sleep(delay);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while waiting to retry " + url, false, ie);
        }
    }

    /** True when the host cannot be reached at all: retrying in seconds will not change that. */
    public static boolean unreachable(Throwable e) {
        return e instanceof java.net.UnknownHostException || e instanceof java.net.ConnectException
                || e instanceof java.net.NoRouteToHostException;
    }

    /** Writing the partial file failed (disk full, quota, file size limit): not the network's fault. */
    static final class LocalWriteFailure extends IOException {
        private static final long serialVersionUID = 1L;

        LocalWriteFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private String describe(IOException e) {
        if (e instanceof AttemptFailure || e instanceof LocalWriteFailure) {
            return e.getMessage();
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out (" + e.getMessage() + "; connect timeout " + connectTimeout.toMillis()
                    + " ms, read timeout " + readTimeout.toMillis() + " ms)";
        }
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host " + e.getMessage() + " (no network or DNS?)";
        }
        if (e instanceof java.net.ConnectException || e instanceof java.net.NoRouteToHostException) {
            return "cannot connect (" + e.getMessage() + "; is the host or mirror up?)";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private Checksums.Result attempt(String id, URI url, WeightSource source, Path part) throws IOException {
        String scheme = url.getScheme() == null ? "" : url.getScheme();
        if (scheme.equals("file")) {
            return copyLocal(id, url, source, part);
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new AttemptFailure("unsupported URL scheme '" + scheme + "' in " + url
                    + " (allowed: http, https, file)", true);
        }
        long have = Files.exists(part) ? size(part) : 0;
        HttpURLConnection c = open(url, have);
        try {
            int code = c.getResponseCode();
            long total;
            if (code == HttpURLConnection.HTTP_PARTIAL && have > 0) {
                Matcher m = CONTENT_RANGE.matcher(String.valueOf(c.getHeaderField("Content-Range")));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    Files.deleteIfExists(part);
                    throw new AttemptFailure("HTTP 206 from " + url + " with Content-Range '"
                            + c.getHeaderField("Content-Range") + "' not starting at " + have
                            + "; the partial file was discarded", false);
                }
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            } else if (code == HttpURLConnection.HTTP_OK) {
                have = 0;
                long length = c.getContentLengthLong();
                total = length;
            } else if (code == 416) {
                Files.deleteIfExists(part);
                throw new AttemptFailure("HTTP 416 (range not satisfiable) from " + url
                        + "; the partial file was discarded", false);
            } else {
                boolean transientCode = code >= 500 || code == 408 || code == 429 || code == -1;
                throw new AttemptFailure("HTTP " + code + (c.getResponseMessage() == null ? ""
                        : " " + c.getResponseMessage()) + " from " + url, !transientCode);
            }
            checkSpace(part, have, total >= 0 ? total : source.size());
            Checksums sums = new Checksums(source.checksumAlgorithm());
            if (have > 0) {
                Checksums.feed(part, sums);
                LOG.info("{}: resuming {} at byte {}", id, url, have);
            }
            listener.started(id, url, have, total);
            try (InputStream in = c.getInputStream()) {
                stream(id, in, part, have > 0, sums, total);
            }
            if (total >= 0 && sums.bytes() != total) {
                throw new AttemptFailure("body from " + url + " ended after " + sums.bytes() + " of " + total
                        + " bytes", false);
            }
            return sums.finish();
        } finally {
            c.disconnect();
        }
    }

    /** Opens {@code url}, following up to five redirects itself (the JDK does not follow http <-> https). */
    private HttpURLConnection open(URI url, long have) throws IOException {
        URI current = url;
        for (int hops = 0; ; hops++) {
            HttpURLConnection c = (HttpURLConnection) current.toURL().openConnection();
            c.setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()));
            c.setReadTimeout(Math.toIntExact(readTimeout.toMillis()));
            c.setInstanceFollowRedirects(false);
            c.setRequestProperty("User-Agent", "transfer4j-zoo");
            c.setRequestProperty("Accept-Encoding", "identity");
            if (have > 0) {
                c.setRequestProperty("Range", "bytes=" + have + "-");
            }
            int code = c.getResponseCode();
            String location = c.getHeaderField("Location");
            if (code < 300 || code > 399 || code == 304 || location == null) {
                return c;
            }
            c.disconnect();
            if (hops >= 5) {
                throw new AttemptFailure("too many redirects from " + url + " (last: " + current + ")", true);
            }
            URI next = current.resolve(location);
            if (!"http".equals(next.getScheme()) && !"https".equals(next.getScheme())) {
                throw new AttemptFailure(url + " redirects to unsupported " + next, true);
            }
            current = next;
        }
    }

    private Checksums.Result copyLocal(String id, URI url, WeightSource source, Path part) throws IOException {
        Path from = Path.of(url);
        if (!Files.isRegularFile(from)) {
            throw new AttemptFailure("no file at " + url, true);
        }
        Checksums sums = new Checksums(source.checksumAlgorithm());
        long total = Files.size(from);
        checkSpace(part, 0, total);
        listener.started(id, url, 0, total);
        try (InputStream in = Files.newInputStream(from)) {
            stream(id, in, part, false, sums, total);
        }
        return sums.finish();
    }

    private void stream(String id, InputStream in, Path part, boolean append, Checksums sums, long total)
            throws IOException {
        long start = System.nanoTime();
        long startBytes = sums.bytes();
        long lastReport = 0;
        byte[] buffer = new byte[1 << 16];
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    throw writeFailure(part, sums.bytes(), total, e);
                }
                sums.update(buffer, 0, n);
                long now = System.nanoTime();
                if (now - lastReport > PROGRESS_INTERVAL_NANOS) {
                    lastReport = now;
                    double seconds = Math.max(1e-9, (now - start) / 1e9);
                    listener.progress(id, sums.bytes(), total, (sums.bytes() - startBytes) / seconds);
                }
            }
            try {
                out.flush();
                ch.force(true);
            } catch (IOException e) {
                throw writeFailure(part, sums.bytes(), total, e);
            }
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        listener.progress(id, sums.bytes(), total, (sums.bytes() - startBytes) / seconds);
    }

    /**
     * A write to the partial file failed: the partial file is removed (it would only keep the disk full) and the
     * message names the path, the space there and what the download needs.
     */
    private static LocalWriteFailure writeFailure(Path part, long written, long total, IOException e) {
        deleteQuietly(part);
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        long free = usable(part);
        return new LocalWriteFailure("could not write " + part + " (" + why + ") after " + written + " bytes"
                + (total >= 0 ? " of " + total : "") + "; " + (free >= 0 ? free + " bytes are free there" : "")
                + ". The partial file was removed. Free at least " + (total >= 0 ? total : written) + " bytes on that"
                + " file system (or set TRANSFER4J_HOME to a directory on one with room) and run again", e);
    }

    /** Refuses a download that cannot fit where it is written, before any byte is fetched. */
    static void checkSpace(Path part, long have, long total) throws LocalWriteFailure {
        long free = usable(part);
        if (total >= 0 && free >= 0 && free < total - have) {
            throw new LocalWriteFailure("not enough free space for " + part + ": " + (total - have) + " bytes to"
                    + " download, " + free + " free there. Nothing was downloaded; free at least " + (total - have - free)
                    + " bytes on that file system (or set TRANSFER4J_HOME to a directory on one with room) and run again", null);
        }
    }

    private static long usable(Path p) {
        try {
            Path dir = p.toAbsolutePath().getParent();
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", p, e.getMessage());
        }
    }
}
