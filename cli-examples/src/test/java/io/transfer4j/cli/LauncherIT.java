package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The root {@code ./transfer4j} launcher, run as a user runs it. Runs after {@code package}, so the jar and class
 * path file exist and the launcher must not rebuild.
 */
class LauncherIT {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path LAUNCHER = ROOT.resolve("transfer4j");

    record Result(int code, String out, String err) { }

    private static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher finished");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void derivesJvmSettingsFromMemoryAndCores() throws Exception {
        Result r = run(Map.of("TRANSFER4J_DRY_RUN", "1", "TRANSFER4J_MEMORY_MB", "24000", "TRANSFER4J_THREADS", "3",
                "TRANSFER4J_JAVA_OPTS", "-Dfoo=bar"), "doctor");
        assertEquals(0, r.code(), r.err());
        List<String> args = r.out().lines().toList();
        assertTrue(args.contains("-Xmx6000m"), "heap is a quarter of memory: " + args);
        assertTrue(args.contains("-Dorg.bytedeco.javacpp.maxbytes=12000M"), "off-heap is half: " + args);
        assertTrue(args.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=20400M"), "physical is 85 %: " + args);
        assertTrue(args.contains("-Dtransfer4j.threads=3"), args.toString());
        // the JDK running the build is 17.0.9 or newer (the CI's is): native memory is trimmed every second
        assertTrue(args.contains("-XX:TrimNativeHeapInterval=1000"), args.toString());
        assertEquals(List.of("-Dfoo=bar", "io.transfer4j.cli.Transfer4j", "doctor"),
                args.subList(args.size() - 3, args.size()), "user options come last, then main class and args");
        assertTrue(r.err().isEmpty(), "no rebuild was needed: " + r.err());
    }

    @Test
    void smallMachinesGetTheFloorAndBigOnesTheCap() throws Exception {
        List<String> small = run(Map.of("TRANSFER4J_DRY_RUN", "1", "TRANSFER4J_MEMORY_MB", "2000")).out().lines().toList();
        assertTrue(small.contains("-Xmx1024m") && small.contains("-Dorg.bytedeco.javacpp.maxbytes=2048M"), small.toString());
        List<String> big = run(Map.of("TRANSFER4J_DRY_RUN", "1", "TRANSFER4J_MEMORY_MB", "256000")).out().lines().toList();
        assertTrue(big.contains("-Xmx8192m"), big.toString());
    }

    @Test
    void badMemorySettingIsNamed() throws Exception {
        Result r = run(Map.of("TRANSFER4J_MEMORY_MB", "lots"), "--version");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("received 'lots'"), r.err());
    }

    @Test
    void runsTheCommandLine() throws Exception {
        Result r = run(Map.of(), "--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("transfer4j "), r.out());
        Result bad = run(Map.of(), "--no-such-flag");
        assertEquals(2, bad.code(), "usage errors exit 2");
        assertTrue(bad.err().contains("--no-such-flag"), bad.err());
        assertTrue(Files.exists(ROOT.resolve("cli-examples/target/classpath.txt")));
    }
}
