package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.zoo.WeightsUnavailableException.Reason;

/**
 * Downloading, caching, verifying and installing weights, against a loopback server serving a generated tiny
 * model zip. No internet.
 */
class ZooWeightsTest {
    private static final String PATH = "/models/" + TestCatalogues.FILE_NAME;
    private static byte[] zip;
    private static String adler;

    @TempDir
    Path tmp;

    @BeforeAll
    static void generateModel(@TempDir Path dir) throws IOException {
        zip = TestCatalogues.tinyZip(dir, 11);
        adler = TestCatalogues.adler32(zip);
    }

    private Zoo.Builder zoo(LoopbackServer server, String checksum) throws IOException {
        return Zoo.builder()
                .home(tmp.resolve("cache"))
                .dl4jHome(tmp.resolve("dl4j"))
                .kerasHome(tmp.resolve("keras"))
                .catalogue(TestCatalogues.tiny(tmp, server.uri(PATH), checksum, zip.length))
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofMillis(500))
                .retries(2, Duration.ofMillis(10));
    }

    private Path cached() {
        return tmp.resolve("cache").resolve("tiny").resolve(TestCatalogues.FILE_NAME);
    }

    private List<String> cacheListing() throws IOException {
        Path dir = tmp.resolve("cache").resolve("tiny");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock")).sorted().toList();
        }
    }

    @Test
    void firstDownloadIsVerifiedRecordedAndThenServedFromTheCacheWithoutRequests() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip))) {
            Zoo zoo = zoo(server, adler).progress(new DownloadListener() {
                @Override
                public void started(String id, URI uri, long have, long total) {
                    events.add("started " + have + "/" + total);
                }

                @Override
                public void finished(String id, long bytes) {
                    events.add("finished " + bytes);
                }
            }).build();
            Path file = zoo.fetch("tiny");
            assertEquals(cached(), file);
            assertArrayEquals(zip, Files.readAllBytes(file));
            String sidecar = Files.readString(file.resolveSibling(TestCatalogues.FILE_NAME + ".sha256"));
            assertTrue(sidecar.startsWith(sha256(zip) + "  " + TestCatalogues.FILE_NAME), sidecar);
            assertEquals(List.of("started 0/" + zip.length, "finished " + zip.length), events);
            assertEquals(1, server.requests().size());

            Zoo again = zoo(server, adler).build();
            Backbone b = again.load("tiny", InputShape.rgb(32, 32));
            assertEquals(1, server.requests().size(), "cache hit: no request");
            assertTrue(b.weights().pretrained());
            assertEquals(sha256(zip), b.weights().sha256());
            INDArray expected = Zoo.builder().home(tmp.resolve("x")).build()
                    .random("tiny", InputShape.rgb(32, 32), 11).graph().params();
            assertEquals(expected, b.graph().params(), "weights loaded bit for bit");
            assertTrue(again.verify("tiny").ok());
        }
    }

    @Test
    void loadAtAnotherInputSizeCopiesTheBodyAndDropsTheTop() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip))) {
            Backbone b = zoo(server, adler).build().load("tiny", InputShape.rgb(48, 40));
            Backbone random = Zoo.builder().home(tmp.resolve("x")).build().random("tiny", InputShape.rgb(32, 32), 11);
            assertFalse(b.hasTop());
            assertEquals(random.graph().getLayer("block2_conv1").getParam("W"),
                    b.graph().getLayer("block2_conv1").getParam("W"));
            assertEquals(random.graph().getLayer("block3_bn").getParam("var"),
                    b.graph().getLayer("block3_bn").getParam("var"));
            INDArray out = b.graph().outputSingle(Nd4j.rand(2, 3, 48, 40));
            assertArrayEquals(new long[] {2, 32}, out.shape());
        }
    }

    @Test
    void checksumMismatchNamesUrlExpectedGotAndInstallCommandAndLeavesNothing() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip))) {
            Zoo zoo = zoo(server, "12345").build();
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class, () -> zoo.fetch("tiny"));
            assertEquals(Reason.CHECKSUM_MISMATCH, e.reason());
            String m = e.getMessage();
            assertTrue(m.contains(server.uri(PATH).toString()), m);
            assertTrue(m.contains("expected adler32:12345"), m);
            assertTrue(m.contains("got adler32:" + adler), m);
            assertTrue(m.contains("transfer4j models install tiny --from FILE"), m);
            assertEquals(List.of(), cacheListing(), "nothing left in the cache");
        }
    }

    @Test
    void truncatedBodyIsResumedWithARangeRequest() throws Exception {
        int cut = zip.length / 3;
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.truncate(zip, cut), LoopbackServer.serve(zip))) {
            Path file = zoo(server, adler).build().fetch("tiny");
            assertArrayEquals(zip, Files.readAllBytes(file));
            assertEquals(2, server.requests().size());
            assertNull(server.requests().get(0).header("Range"));
            assertEquals("bytes=" + cut + "-", server.requests().get(1).header("Range"));
        }
    }

    @Test
    void connectionResetMidStreamIsResumed() throws Exception {
        int cut = zip.length / 2;
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.reset(zip, cut), LoopbackServer.serve(zip))) {
            Path file = zoo(server, adler).build().fetch("tiny");
            assertArrayEquals(zip, Files.readAllBytes(file));
            assertEquals(2, server.requests().size());
            String range = server.requests().get(1).header("Range");
            assertTrue(range != null && range.startsWith("bytes="), "second request resumes: " + range);
            assertEquals(List.of(TestCatalogues.FILE_NAME, TestCatalogues.FILE_NAME + ".sha256"), cacheListing());
        }
    }

    @Test
    void notFoundFailsAtOnceNamingTheUrl() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.status(404))) {
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                    () -> zoo(server, adler).build().fetch("tiny"));
            assertEquals(Reason.DOWNLOAD_FAILED, e.reason());
            assertTrue(e.getMessage().contains("HTTP 404") && e.getMessage().contains(server.uri(PATH).toString()),
                    e.getMessage());
            assertEquals(1, server.requests().size(), "a 404 is not retried");
            assertEquals(List.of(), cacheListing());
        }
    }

    @Test
    void aDeadMirrorFailsFastAndThePublisherIsUsed() throws Exception {
        // issue 14: connection refused was retried 5 times per file (151 s) before 'fit --weights auto' gave up
        int dead;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            dead = closed.getLocalPort();
        }
        URI mirror = URI.create("http://127.0.0.1:" + dead + "/m/");
        try (LoopbackServer publisher = new LoopbackServer(LoopbackServer.serve(zip))) {
            long t0 = System.nanoTime();
            Path file = zoo(publisher, adler).retries(4, Duration.ofSeconds(1)).mirror(mirror).build().fetch("tiny");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertArrayEquals(zip, Files.readAllBytes(file));
            assertTrue(ms < 3000, "connection refused is not retried with backoff (1+2+4+8 s); took " + ms + " ms");
        }
        try (LoopbackServer unused = new LoopbackServer(LoopbackServer.status(404))) {
            URI deadPublisher = URI.create("http://127.0.0.1:" + dead + "/models/" + TestCatalogues.FILE_NAME);
            long t0 = System.nanoTime();
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class, () -> Zoo.builder()
                    .home(tmp.resolve("c3")).dl4jHome(tmp.resolve("dl4j")).kerasHome(tmp.resolve("keras"))
                    .catalogue(TestCatalogues.tiny(tmp, deadPublisher, adler, zip.length))
                    .retries(4, Duration.ofSeconds(1)).mirror(mirror).build().fetch("tiny"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3000, "took " + ms + " ms");
            String[] lines = e.getMessage().split("\n");
            assertTrue(lines[0].startsWith("Could not download tiny weights: cannot connect") && lines[0].length() < 300,
                    "a short first line: " + lines[0]);
            assertTrue(e.getMessage().contains("\n  Tried:\n    - " + mirror.resolve(TestCatalogues.FILE_NAME))
                    && e.getMessage().contains("not tried: 127.0.0.1 could not be reached above")
                    && e.getMessage().contains("\n  To install a copy downloaded elsewhere: transfer4j models install"),
                    e.getMessage());
        }
    }

    /** Mounts a small tmpfs (root only; skipped with the reason otherwise). */
    private Path smallDisk(String name, long bytes) throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve(name));
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "a full disk is simulated with a small tmpfs, which needs root; running as "
                        + System.getProperty("user.name"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "cannot mount a tmpfs here: " + out);
        mounts.add(mnt);
        return mnt;
    }

    private final List<Path> mounts = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void unmount() throws Exception {
        for (Path m : mounts) {
            new ProcessBuilder("umount", m.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void partialFilesOfInterruptedDownloadsAndInstallsAreSweptWhenStaleButNeverUnderAWriter() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip))) {
            Zoo zoo = zoo(server, adler).offline(true).build();
            Path dir = Files.createDirectories(cached().getParent());
            Path part = dir.resolve(TestCatalogues.FILE_NAME + ".part");
            Path install = dir.resolve(TestCatalogues.FILE_NAME + ".install.part");
            Path foreign = dir.resolve("someone-elses.bin.part");
            java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(Duration.ofDays(8)));
            for (Path p : List.of(part, install, foreign)) {
                Files.write(p, new byte[] {1, 2, 3});
                Files.setLastModifiedTime(p, old);
            }
            Path lock = dir.resolve("." + TestCatalogues.FILE_NAME + ".lock");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lock,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock held = ch.lock()) {
                assertThrows(WeightsUnavailableException.class, () -> zoo.load("tiny", InputShape.rgb(32, 32)));
                assertTrue(Files.exists(part) && Files.exists(install), "a writer holds the lock: nothing swept");
            }
            assertThrows(WeightsUnavailableException.class, () -> zoo.load("tiny", InputShape.rgb(32, 32)));
            assertFalse(Files.exists(part), "an abandoned download is swept");
            assertFalse(Files.exists(install), "an interrupted install is swept");
            assertTrue(Files.exists(foreign), "not a name of ours");

            Files.write(part, new byte[] {1, 2, 3});   // fresh: kept for a resume
            assertThrows(WeightsUnavailableException.class, () -> zoo.load("tiny", InputShape.rgb(32, 32)));
            assertTrue(Files.exists(part), "a recent download is kept so the next fetch resumes it");
            assertEquals(0, server.requests().size());
        }
    }

    @Test
    void aFullDiskIsNotRetriedNamesThePathAndLeavesNoPartialFile() throws Exception {
        long disk = Math.max(4096, (zip.length / 2) / 4096 * 4096);
        assertTrue(zip.length > disk, "the model must not fit: " + zip.length + " vs " + disk);
        // 1. the server announces the length: refused before a byte is fetched
        Path home = smallDisk("disk1", disk);
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip))) {
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                    () -> zoo(server, adler).home(home).retries(4, Duration.ofSeconds(1)).build().fetch("tiny"));
            assertTrue(e.getMessage().contains("not enough free space for " + home.resolve("tiny"))
                    && e.getMessage().contains("free at least"), e.getMessage());
            assertEquals(1, server.requests().size(), "one request (for the length), not retried");
            assertFalse(Files.exists(home.resolve("tiny").resolve(TestCatalogues.FILE_NAME + ".part")));
        }
        // 2. no length and no catalogue size: the disk fills mid-stream (ENOSPC)
        Path home2 = smallDisk("disk2", disk);
        LoopbackServer.Behaviour noLength = (req, s, out, server) -> {
            LoopbackServer.head(out, 200, "OK", Map.of());
            out.write(zip);
        };
        try (LoopbackServer server = new LoopbackServer(noLength)) {
            long t0 = System.nanoTime();
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class, () -> Zoo.builder()
                    .home(home2).dl4jHome(tmp.resolve("dl4j")).kerasHome(tmp.resolve("keras"))
                    .catalogue(TestCatalogues.tiny(tmp, server.uri(PATH), adler, -1))
                    .retries(4, Duration.ofSeconds(1)).build().fetch("tiny"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Path part = home2.resolve("tiny").resolve(TestCatalogues.FILE_NAME + ".part");
            assertTrue(e.getMessage().contains("could not write " + part) && e.getMessage().contains("No space left")
                    && e.getMessage().contains("partial file was removed"), e.getMessage());
            assertFalse(Files.exists(part), "the .part is removed");
            assertEquals(1, server.requests().size(), "out of space is not retried");
            assertTrue(ms < 3000, "took " + ms + " ms");
        }
    }

    @Test
    void serverErrorIsRetriedThenReportedWithTheUrl() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.status(500))) {
            List<Integer> retries = new CopyOnWriteArrayList<>();
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                    () -> zoo(server, adler).progress(new DownloadListener() {
                        @Override
                        public void retrying(String id, int attempt, long delay, String reason) {
                            retries.add(attempt);
                        }
                    }).build().fetch("tiny"));
            assertTrue(e.getMessage().contains("HTTP 500") && e.getMessage().contains(server.uri(PATH).toString()),
                    e.getMessage());
            assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
            assertEquals(3, server.requests().size(), "first attempt + 2 retries");
            assertEquals(List.of(1, 2), retries);
        }
    }

    @Test
    void aStallingServerTimesOutInsteadOfHangingAndIsResumedAfterwards() throws Exception {
        int cut = zip.length / 4;
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.stall(zip, cut), LoopbackServer.serve(zip))) {
            Zoo zoo = zoo(server, adler).build();
            Path file = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> zoo.fetch("tiny"));
            assertArrayEquals(zip, Files.readAllBytes(file));
            assertEquals("bytes=" + cut + "-", server.requests().get(1).header("Range"));
        }
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.stall(zip, 10))) {
            Zoo zoo = zoo(server, "1").home(tmp.resolve("cache2")).build();
            long start = System.nanoTime();
            WeightsUnavailableException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(WeightsUnavailableException.class, () -> zoo.fetch("tiny")));
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertTrue(e.getMessage().contains(server.uri(PATH).toString()), e.getMessage());
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "3 attempts x 0.5 s read timeout");
        }
    }

    @Test
    void twoConcurrentFetchesDownloadOnceAndBothSucceed() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip, 5))) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Path>> results = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Zoo zoo = zoo(server, adler).build();
                    results.add(pool.submit(() -> zoo.fetch("tiny")));
                }
                for (Future<Path> f : results) {
                    assertArrayEquals(zip, Files.readAllBytes(f.get()));
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, server.requests().size(), "one download");
        }
    }

    @Test
    void aSecondJvmWaitsForTheFirstOnesDownloadInsteadOfStartingAnother() throws Exception {
        // ~18 chunks x 100 ms: the other JVM holds the lock for about two seconds
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip, 100))) {
            Path catalogue = TestCatalogues.tiny(tmp, server.uri(PATH), adler, zip.length);
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process other = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                    FetchMain.class.getName(), catalogue.toString(), tmp.resolve("cache").toString(),
                    tmp.resolve("dl4j").toString(), tmp.resolve("keras").toString())
                    .redirectErrorStream(true).start();
            try {
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (server.requests().isEmpty() && other.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(1, server.requests().size(), "the other JVM is downloading");
                Path mine = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> zoo(server, adler).build()
                        .fetch("tiny"));
                assertTrue(other.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
                String output = new String(other.getInputStream().readAllBytes());
                assertEquals(0, other.exitValue(), output);
                assertTrue(output.trim().endsWith(mine.toString()), output);
                assertArrayEquals(zip, Files.readAllBytes(mine));
                assertEquals(1, server.requests().size(), "this JVM waited for the lock, then found the file");
            } finally {
                other.destroyForcibly();
            }
        }
    }

    @Test
    void offlineModeNeverTouchesTheNetworkAndSaysHowToInstall() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip))) {
            Zoo zoo = zoo(server, adler).offline(true).build();
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                    () -> zoo.load("tiny", InputShape.rgb(32, 32)));
            assertEquals(Reason.OFFLINE, e.reason());
            String m = e.getMessage();
            assertTrue(m.contains(TestCatalogues.FILE_NAME) && m.contains("adler32:" + adler), m);
            assertTrue(m.contains("transfer4j models install tiny --from FILE"), m);
            assertEquals(0, server.requests().size());

            Path downloaded = tmp.resolve("elsewhere.zip");
            Files.write(downloaded, zip);
            assertEquals(cached(), zoo.install("tiny", downloaded));
            Backbone b = zoo.load("tiny", InputShape.rgb(32, 32));
            assertTrue(b.weights().pretrained());
            assertEquals(0, server.requests().size());

            List<String> why = new ArrayList<>();
            Zoo empty = zoo(server, adler).offline(true).home(tmp.resolve("empty")).build();
            Backbone fallback = empty.loadOrRandom("tiny", InputShape.rgb(32, 32), 3, why::add);
            assertFalse(fallback.weights().pretrained());
            assertTrue(why.get(0).contains("Offline mode"), why.toString());
            assertTrue(fallback.weights().fallback(), "a stand-in is marked as one: " + fallback.weights());
            assertTrue(fallback.weights().source().contains("OFFLINE")
                    && fallback.weights().source().contains("transfer4j models install tiny --from FILE"),
                    fallback.weights().source());
            assertFalse(zoo.random("tiny", InputShape.rgb(32, 32), 3).weights().fallback(), "random on purpose");
        }
    }

    @Test
    void offlineModeStillCopiesFromFileUrlsAndAFileMirror() throws Exception {
        Path local = tmp.resolve("local").resolve(TestCatalogues.FILE_NAME);
        Files.createDirectories(local.getParent());
        Files.write(local, zip);
        Zoo fileSource = Zoo.builder().home(tmp.resolve("cache")).dl4jHome(tmp.resolve("d")).kerasHome(tmp.resolve("k"))
                .catalogue(TestCatalogues.tiny(tmp, local.toUri(), adler, zip.length)).offline(true).build();
        assertArrayEquals(zip, Files.readAllBytes(fileSource.fetch("tiny")));
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip))) {
            Zoo mirrored = zoo(server, adler).home(tmp.resolve("cache2")).offline(true)
                    .mirror(local.getParent().toUri()).build();
            assertArrayEquals(zip, Files.readAllBytes(mirrored.fetch("tiny")));
            assertEquals(0, server.requests().size(), "offline: the http publisher is never asked");
        }
    }

    @Test
    void corruptFileInTheCacheIsDetectedAndFetchedAgain() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip))) {
            Files.createDirectories(cached().getParent());
            byte[] corrupt = zip.clone();
            corrupt[corrupt.length / 2] ^= 0x5a;
            Files.write(cached(), corrupt);
            Zoo zoo = zoo(server, adler).build();
            assertFalse(zoo.verify("tiny").ok());
            Path file = zoo.fetch("tiny");
            assertArrayEquals(zip, Files.readAllBytes(file));
            assertEquals(1, server.requests().size());
            assertTrue(zoo.verify("tiny").ok());
        }
    }

    @Test
    void aFileThatNoLongerMatchesItsRecordedSha256FailsVerification() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip))) {
            Zoo zoo = zoo(server, adler).build();
            Path file = zoo.fetch("tiny");
            Files.writeString(file.resolveSibling(TestCatalogues.FILE_NAME + ".sha256"), "0".repeat(64) + "  x\n");
            VerifyResult r = zoo.verify("tiny");
            assertFalse(r.ok());
            assertTrue(r.files().get(0).message().contains("recorded"), r.files().get(0).message());
        }
    }

    @Test
    void installingAFileWithTheWrongChecksumIsRefusedAndTheCacheIsUntouched() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip))) {
            Zoo zoo = zoo(server, adler).build();
            zoo.fetch("tiny");
            List<String> before = cacheListing();
            Path wrong = tmp.resolve("wrong.zip");
            Files.write(wrong, TestCatalogues.tinyZip(tmp, 12));
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                    () -> zoo.install("tiny", wrong));
            assertEquals(Reason.CHECKSUM_MISMATCH, e.reason());
            assertTrue(e.getMessage().contains("adler32:" + adler) && e.getMessage().contains("not changed"),
                    e.getMessage());
            // a short headline naming the file, then what was received and each published file on its own line
            String first = e.getMessage().lines().findFirst().orElseThrow();
            assertTrue(first.startsWith("Refused to install " + wrong + " as tiny weights") && first.length() <= 300
                    && !first.contains("adler32:" + adler), first);
            assertTrue(e.getMessage().lines().anyMatch(l -> l.startsWith("  - received: ")), e.getMessage());
            assertTrue(e.getMessage().lines().anyMatch(l -> l.startsWith("  - published: ")
                    && l.contains("adler32:" + adler)), e.getMessage());
            assertEquals(before, cacheListing());
            assertArrayEquals(zip, Files.readAllBytes(cached()));
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> zoo.install("tiny", tmp.resolve("nope.zip")));
            assertTrue(missing.getMessage().contains("No such file"), missing.getMessage());
        }
    }

    @Test
    void mirrorIsTriedFirstAndThePublisherIsTheFallback() throws Exception {
        try (LoopbackServer publisher = new LoopbackServer(LoopbackServer.serve(zip));
             LoopbackServer mirror = new LoopbackServer(LoopbackServer.serve(zip))) {
            zoo(publisher, adler).mirror(mirror.uri("/mirror")).build().fetch("tiny");
            assertEquals(0, publisher.requests().size());
            assertEquals("/mirror/" + TestCatalogues.FILE_NAME, mirror.requests().get(0).path());
        }
        try (LoopbackServer publisher = new LoopbackServer(LoopbackServer.serve(zip));
             LoopbackServer mirror = new LoopbackServer(LoopbackServer.status(404))) {
            Path file = zoo(publisher, adler).home(tmp.resolve("c2")).mirror(mirror.uri("/m/")).build().fetch("tiny");
            assertArrayEquals(zip, Files.readAllBytes(file));
            assertEquals(1, publisher.requests().size());
            assertEquals(1, mirror.requests().size());
        }
    }

    @Test
    void redirectsAreFollowedToAnotherHost() throws Exception {
        try (LoopbackServer target = new LoopbackServer(LoopbackServer.serve(zip));
             LoopbackServer publisher = new LoopbackServer(LoopbackServer.redirect(target.uri("/cdn/t.zip").toString()))) {
            Path file = zoo(publisher, adler).build().fetch("tiny");
            assertArrayEquals(zip, Files.readAllBytes(file));
            assertEquals("/cdn/t.zip", target.requests().get(0).path());
        }
    }

    @Test
    void aVerifiedDl4jCacheIsReusedInPlaceAndACorruptOneIsIgnored() throws Exception {
        try (LoopbackServer server = new LoopbackServer(LoopbackServer.serve(zip))) {
            Path dl4j = tmp.resolve("dl4j").resolve("models").resolve("tiny").resolve(TestCatalogues.FILE_NAME);
            Files.createDirectories(dl4j.getParent());
            Files.write(dl4j, zip);
            Zoo zoo = zoo(server, adler).build();
            assertEquals(dl4j, zoo.fetch("tiny"));
            assertEquals(0, server.requests().size());

            Files.write(dl4j, new byte[] {1, 2, 3});
            assertEquals(cached(), zoo.fetch("tiny"));
            assertEquals(1, server.requests().size());
            assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dl4j), "DL4J's cache is never modified");
        }
    }

    @Test
    void environmentIsReadInOnePlaceAndBadValuesAreExplained() {
        Zoo zoo = Zoo.fromEnvironment(Map.of("TRANSFER4J_HOME", tmp.toString(), "TRANSFER4J_OFFLINE", "1"));
        assertEquals(tmp.resolve("models").toAbsolutePath(), zoo.home());
        assertTrue(zoo.offline());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Zoo.fromEnvironment(Map.of("TRANSFER4J_OFFLINE", "maybe")));
        assertTrue(e.getMessage().contains("TRANSFER4J_OFFLINE") && e.getMessage().contains("maybe"), e.getMessage());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> Zoo.fromEnvironment(Map.of("TRANSFER4J_MODEL_MIRROR", "ftp://x/")));
        assertTrue(m.getMessage().contains("ftp://x/"), m.getMessage());
    }

    @Test
    void randomOnlyBackbonesSayThereIsNothingToDownload() {
        Zoo zoo = Zoo.builder().home(tmp).build();
        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class, () -> zoo.fetch("tiny"));
        assertEquals(Reason.NO_SOURCE, e.reason());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
