package io.transfer4j.zoo.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.ChecksumAlgorithm;
import io.transfer4j.zoo.VerifyResult;
import io.transfer4j.zoo.WeightSource;
import io.transfer4j.zoo.WeightsUnavailableException;
import io.transfer4j.zoo.WeightsUnavailableException.Reason;

/**
 * The weights cache: {@code <home>/<id>/<fileName>} plus {@code <fileName>.sha256} (written when the file first
 * verified, in {@code sha256sum} format). Verified copies in DL4J's cache ({@code ~/.deeplearning4j/models/<id>/})
 * and Keras' ({@code ~/.keras/models/}) are used in place, never modified. Every file is verified against the
 * publisher's checksum (and its recorded SHA-256) each time it is used; a corrupt file in our cache is deleted
 * and fetched again. Downloads and installs hold a cross-process lock per file and move verified files into
 * place atomically.
 */
public final class WeightStore {
    private static final Logger LOG = LoggerFactory.getLogger(WeightStore.class);

    private final Path home;
    private final Path dl4jHome;
    private final Path kerasHome;
    private final boolean offline;
    private final URI mirror;
    private final Downloader downloader;

    public WeightStore(Path home, Path dl4jHome, Path kerasHome, boolean offline, URI mirror, Downloader downloader) {
        this.home = home;
        this.dl4jHome = dl4jHome;
        this.kerasHome = kerasHome;
        this.offline = offline;
        this.mirror = mirror;
        this.downloader = downloader;
    }

    /** A verified weights file on disk. */
    public record LocalWeights(WeightSource source, Path file, String sha256) {
    }

    public Path cacheFile(BackboneSpec spec, WeightSource source) {
        return home.resolve(spec.id()).resolve(source.fileName());
    }

    private static Path sidecar(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }

    /** Our cache first, then DL4J's and Keras' caches (used in place). */
    List<Path> candidates(BackboneSpec spec, WeightSource source) {
        List<Path> paths = new ArrayList<>();
        paths.add(cacheFile(spec, source));
        if (source.format() == io.transfer4j.zoo.WeightFormat.DL4J_ZIP) {
            paths.add(dl4jHome.resolve("models").resolve(spec.id()).resolve(publisherFileName(source)));
        } else {
            paths.add(kerasHome.resolve("models").resolve(publisherFileName(source)));
        }
        return paths;
    }

    static String publisherFileName(WeightSource source) {
        String path = source.uri().getPath();
        if (path == null || path.isEmpty() || path.endsWith("/")) {
            return source.fileName();
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The first file present on disk for any of the spec's sources, unverified. */
    public Optional<Path> present(BackboneSpec spec) {
        for (WeightSource source : spec.weights()) {
            for (Path p : candidates(spec, source)) {
                if (Files.isRegularFile(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** A verified local copy of any of the spec's sources, in catalogue order. */
    public Optional<LocalWeights> findVerified(BackboneSpec spec) {
        for (WeightSource source : spec.weights()) {
            Optional<LocalWeights> local = findVerified(spec, source, false);
            if (local.isPresent()) {
                return local;
            }
        }
        return Optional.empty();
    }

    /**
     * @param removeCorrupt delete a copy in our cache that fails verification (only while holding its lock, so a
     *                      file another process just replaced is never deleted)
     */
    Optional<LocalWeights> findVerified(BackboneSpec spec, WeightSource source, boolean removeCorrupt) {
        for (Path p : candidates(spec, source)) {
            if (!Files.isRegularFile(p)) {
                continue;
            }
            VerifyResult.FileCheck check = check(source, p);
            if (check.ok()) {
                return Optional.of(new LocalWeights(source, p, check.sha256()));
            }
            if (removeCorrupt && p.equals(cacheFile(spec, source))) {
                LOG.warn("{}: cached weights {} failed verification ({}); removing it so it is fetched again",
                        spec.id(), p, check.message());
                Downloader.deleteQuietly(p);
                Downloader.deleteQuietly(sidecar(p));
            } else {
                LOG.warn("{}: ignoring {} ({})", spec.id(), p, check.message());
            }
        }
        return Optional.empty();
    }

    /** Verifies one file against a source: the publisher's checksum, and the SHA-256 recorded beside it if any. */
    VerifyResult.FileCheck check(WeightSource source, Path file) {
        Checksums.Result r;
        try {
            r = Checksums.of(file, source.checksumAlgorithm());
        } catch (IOException e) {
            return new VerifyResult.FileCheck(source, file, false, "", "", "cannot read: " + e.getMessage());
        }
        if (!r.publisher().equals(source.checksum())) {
            return new VerifyResult.FileCheck(source, file, false, r.label(), r.sha256(), "checksum mismatch:"
                    + " expected " + source.checksumLabel() + ", got " + r.label() + " (" + r.size() + " bytes)");
        }
        Path side = sidecar(file);
        if (Files.isRegularFile(side)) {
            String recorded = readSidecar(side);
            if (!recorded.equals(r.sha256())) {
                return new VerifyResult.FileCheck(source, file, false, r.label(), r.sha256(), "sha256 " + r.sha256()
                        + " differs from the one recorded at first download (" + recorded + ")");
            }
        }
        return new VerifyResult.FileCheck(source, file, true, r.label(), r.sha256(), "ok (" + r.label()
                + ", sha256 " + r.sha256() + ", " + r.size() + " bytes)");
    }

    private static String readSidecar(Path side) {
        try {
            String text = Files.readString(side, StandardCharsets.US_ASCII).trim();
            int space = text.indexOf(' ');
            return space < 0 ? text : text.substring(0, space);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static void writeSidecar(Path file, String sha256) throws IOException {
        Path side = sidecar(file);
        Path tmp = side.resolveSibling(side.getFileName() + ".tmp");
        Files.writeString(tmp, sha256 + "  " + file.getFileName() + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, side, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Every file on disk for the spec, verified. */
    public VerifyResult verify(BackboneSpec spec) {
        List<VerifyResult.FileCheck> checks = new ArrayList<>();
        for (WeightSource source : spec.weights()) {
            for (Path p : candidates(spec, source)) {
                if (Files.isRegularFile(p)) {
                    checks.add(check(source, p));
                }
            }
        }
        return new VerifyResult(spec.id(), checks);
    }

    /**
     * A verified local file for the spec: an existing verified copy, else a download (mirror first, then the
     * publisher) of each source in catalogue order until one verifies.
     */
    /** How long an interrupted download's {@code .part} is kept for a resume before it counts as abandoned. */
    static final java.time.Duration ABANDONED_PART = java.time.Duration.ofDays(7);

    /**
     * Removes what interrupted writes left in {@code spec}'s cache directory: {@code NAME.install.part} files (an
     * install killed while copying; never resumed) and {@code NAME.part} downloads that are abandoned (untouched
     * for {@link #ABANDONED_PART}) or whose file has since been completed. Only our names, and only when the
     * file's lock is free: a download or install at work in another thread or process keeps its file.
     *
     * @return the removed files
     */
    public List<Path> sweepPartials(BackboneSpec spec) {
        Path dir = home.resolve(spec.id());
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        List<Path> parts;
        try (var s = Files.list(dir)) {
            parts = s.filter(p -> p.getFileName().toString().endsWith(".part") && Files.isRegularFile(p)).toList();
        } catch (IOException e) {
            LOG.debug("{}: cannot list {}: {}", spec.id(), dir, e.toString());
            return removed;
        }
        java.time.Instant abandoned = java.time.Instant.now().minus(ABANDONED_PART);
        for (Path part : parts) {
            String n = part.getFileName().toString();
            boolean install = n.endsWith(".install.part");
            Path target = part.resolveSibling(n.substring(0, n.length() - (install ? ".install.part" : ".part")
                    .length()));
            if (spec.weights().stream().noneMatch(w -> w.fileName().equals(target.getFileName().toString()))) {
                continue; // not a name of ours
            }
            try {
                FileLocks.tryWithLock(lockFile(target), () -> {
                    boolean stale = install || Files.isRegularFile(target)
                            || Files.getLastModifiedTime(part).toInstant().isBefore(abandoned);
                    if (stale && Files.deleteIfExists(part)) {
                        removed.add(part);
                    }
                    return null;
                });
            } catch (Exception e) {
                LOG.debug("{}: could not sweep {}: {}", spec.id(), part, e.toString());
            }
        }
        if (!removed.isEmpty()) {
            LOG.info("{}: removed {} partial file(s) left by an interrupted download or install: {}", spec.id(),
                    removed.size(), removed.stream().map(p -> p.getFileName().toString()).toList());
        }
        return removed;
    }

    public LocalWeights fetch(BackboneSpec spec) {
        sweepPartials(spec);
        if (spec.weights().isEmpty()) {
            throw new WeightsUnavailableException(spec.id(), Reason.NO_SOURCE, "The catalogue lists no pretrained"
                    + " weights for " + spec.id() + "; use random weights (Zoo.random) instead.", null);
        }
        Optional<LocalWeights> local = findVerified(spec);
        if (local.isPresent()) {
            return local.get();
        }
        if (offline && spec.weights().stream().allMatch(w -> urls(w).isEmpty())) {
            throw new WeightsUnavailableException(spec.id(), Reason.OFFLINE, missingMessage(spec,
                    "Offline mode (TRANSFER4J_OFFLINE=1): no verified " + spec.id() + " weights on disk and the"
                            + " network is not used."), null);
        }
        Map<String, String> failures = new LinkedHashMap<>();
        Set<String> deadHosts = new java.util.HashSet<>();
        boolean mismatch = false;
        String first = null;
        for (WeightSource source : spec.weights()) {
            if (urls(source).isEmpty()) {
                continue; // offline, and only on the network
            }
            try {
                return download(spec, source, failures, deadHosts);
            } catch (Downloader.Failure f) {
                mismatch |= f.mismatch();
                first = first == null ? f.getMessage() : first;
                if (f.getCause() instanceof Downloader.LocalWriteFailure) {
                    break; // the disk is full: the next file will not fit either
                }
            }
        }
        String detail = failures.entrySet().stream().map(e -> "\n    - " + e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining());
        throw new WeightsUnavailableException(spec.id(), mismatch ? Reason.CHECKSUM_MISMATCH : Reason.DOWNLOAD_FAILED,
                missingMessage(spec, "Could not download " + spec.id() + " weights: " + shortCause(first)
                        + "\n  Tried:" + detail), null);
    }

    /** The first failure, cut to its first clause, for the one-line summary. */
    private static String shortCause(String message) {
        if (message == null) {
            return "no source could be tried";
        }
        String m = message.strip();
        int cut = m.indexOf(". ");
        m = cut > 0 ? m.substring(0, cut) : m;
        return m.length() > 160 ? m.substring(0, 157) + "..." : m;
    }

    private static String hostOf(URI url) {
        return url.getHost() == null ? null : url.getHost() + ":" + url.getPort();
    }

    private LocalWeights download(BackboneSpec spec, WeightSource source, Map<String, String> failures,
                                  Set<String> deadHosts) throws Downloader.Failure {
        Path target = cacheFile(spec, source);
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try {
            return FileLocks.withLock(lockFile(target), () -> {
                // another thread or process may have finished it while we waited for the lock
                Optional<LocalWeights> done = findVerified(spec, source, true);
                if (done.isPresent()) {
                    return done.get();
                }
                Downloader.Failure last = null;
                for (URI url : urls(source)) {
                    String host = hostOf(url);
                    if (host != null && deadHosts.contains(host)) { // do not wait on a dead host once per file
                        failures.put(url.toString(), "not tried: " + url.getHost() + " could not be reached above");
                        last = last != null ? last : new Downloader.Failure("host " + url.getHost()
                                + " could not be reached", false, null);
                        continue;
                    }
                    try {
                        Checksums.Result r = downloader.download(spec.id(), url, source, part, target);
                        writeSidecar(target, r.sha256());
                        return new LocalWeights(source, target, r.sha256());
                    } catch (Downloader.Failure f) {
                        failures.put(url.toString(), f.getMessage());
                        last = f;
                        if (host != null && Downloader.unreachable(f.getCause())) {
                            deadHosts.add(host);
                        }
                        if (f.getCause() instanceof Downloader.LocalWriteFailure) {
                            break;
                        }
                    }
                }
                throw last;
            });
        } catch (Downloader.Failure f) {
            throw f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Downloader.Failure("interrupted while waiting for the download lock", false, e);
        } catch (Exception e) {
            failures.put(source.uri().toString(), e.getMessage());
            throw new Downloader.Failure(e.getMessage(), false, e);
        }
    }

    private static Path lockFile(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".lock");
    }

    /** Where a source can be fetched from: the mirror, then the publisher; offline, only {@code file:} URLs. */
    List<URI> urls(WeightSource source) {
        List<URI> urls = new ArrayList<>();
        if (mirror != null) {
            urls.add(mirror.resolve(source.fileName()));
        }
        urls.add(source.uri());
        if (offline) {
            urls.removeIf(u -> !"file".equals(u.getScheme()));
        }
        return urls;
    }

    /**
     * Verifies {@code file} against the spec's sources and copies it into the cache (temp file + atomic move).
     * A file that matches no source is refused and the cache is not touched.
     */
    public LocalWeights install(BackboneSpec spec, Path file) {
        if (spec.weights().isEmpty()) {
            throw new IllegalArgumentException("The catalogue lists no pretrained weights for " + spec.id()
                    + "; there is nothing to install.");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No such file: " + file + " (give the path of a downloaded "
                    + spec.id() + " weights file: " + expectedList(spec, ", ") + ")");
        }
        Set<ChecksumAlgorithm> algorithms = EnumSet.noneOf(ChecksumAlgorithm.class);
        spec.weights().forEach(s -> algorithms.add(s.checksumAlgorithm()));
        Map<ChecksumAlgorithm, Checksums.Result> sums = new LinkedHashMap<>();
        try {
            for (ChecksumAlgorithm a : algorithms) {
                sums.put(a, Checksums.of(file, a));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        WeightSource match = spec.weights().stream()
                .filter(s -> sums.get(s.checksumAlgorithm()).publisher().equals(s.checksum()))
                .findFirst().orElse(null);
        if (match == null) {
            String got = sums.values().stream().map(Checksums.Result::label).collect(Collectors.joining(", "));
            long size = sums.values().iterator().next().size();
            // a short headline, then the published files one per indented line (they were one 1,000-character line)
            throw new WeightsUnavailableException(spec.id(), Reason.CHECKSUM_MISMATCH, "Refused to install " + file
                    + " as " + spec.id() + " weights: it matches none of the published files; the cache was not "
                    + "changed. Give one of the files listed below (transfer4j models info " + spec.id() + "):"
                    + "\n  - received: " + size + " bytes, " + got
                    + "\n  - published: " + expectedList(spec, "\n  - published: "), null);
        }
        Path target = cacheFile(spec, match);
        Path part = target.resolveSibling(target.getFileName() + ".install.part");
        String sha = sums.values().iterator().next().sha256();
        try {
            return FileLocks.withLock(lockFile(target), () -> {
                try {
                    Files.copy(file, part, StandardCopyOption.REPLACE_EXISTING);
                    Checksums.Result copied = Checksums.of(part, match.checksumAlgorithm());
                    if (!copied.sha256().equals(sha)) {
                        throw new IOException("the copy of " + file + " differs from the original (sha256 "
                                + copied.sha256() + " vs " + sha + "); was it modified while installing?");
                    }
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    writeSidecar(target, sha);
                    return new LocalWeights(match, target, sha);
                } finally {
                    Downloader.deleteQuietly(part);
                }
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Could not install " + file + " into " + target + ": " + e.getMessage(),
                    e);
        }
    }

    /** The message for missing weights: what is missing, where it comes from, and how to install it by hand. */
    String missingMessage(BackboneSpec spec, String lead) {
        // a short first line, then an indented list: the CLI prints it as is
        StringBuilder sb = new StringBuilder(lead).append("\n  Missing: any one of");
        spec.weights().forEach(s -> sb.append("\n    - ").append(s.fileName()).append(" (").append(s.checksumLabel())
                .append(", from ").append(s.uri()).append(')'));
        sb.append("\n  Looked in: ").append(home.resolve(spec.id())).append(", ")
                .append(dl4jHome.resolve("models").resolve(spec.id())).append(", ").append(kerasHome.resolve("models"))
                .append("\n  To install a copy downloaded elsewhere: ")
                .append(WeightsUnavailableException.installHint(spec.id()));
        return sb.toString();
    }

    /** The published files as "NAME (CHECKSUM, from URI)", joined by {@code separator}. */
    private static String expectedList(BackboneSpec spec, String separator) {
        return spec.weights().stream().map(s -> s.fileName() + " (" + s.checksumLabel() + ", from " + s.uri() + ")")
                .collect(Collectors.joining(separator));
    }

    public Path home() {
        return home;
    }
}
