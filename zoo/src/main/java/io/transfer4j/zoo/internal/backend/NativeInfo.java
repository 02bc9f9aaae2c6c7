package io.transfer4j.zoo.internal.backend;

import io.transfer4j.zoo.BackendReport;
import io.transfer4j.zoo.BackendReport.HelperCheck;
import io.transfer4j.zoo.BackendReport.HelperSetting;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/** Facts about the loaded natives, the CPU and the memory limits (everything but the helper probe). */
public final class NativeInfo {

    /** CPU flags worth reporting: what oneDNN and OpenBLAS dispatch on. */
    private static final List<String> SIMD = List.of("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni",
            "amx_tile", "amx_bf16");

    private NativeInfo() {
    }

    public static BackendReport report(HelperSetting setting, boolean shimOk, List<HelperCheck> checks) {
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        String[] cpu = cpu();
        return new BackendReport(prop(env, "backend"), nativesFlavour(), oneDnnInNatives(),
                setting, shimOk, checks, cpu[0], cpu[1].isEmpty() ? List.of() : List.of(cpu[1].split(" ")),
                Runtime.getRuntime().availableProcessors(), intProp(env, "omp.threads"),
                prop(env, "blas.vendor") + " (" + prop(env, "blas.threads") + " threads)",
                System.getenv("OPENBLAS_CORETYPE"), System.getenv("OMP_WAIT_POLICY"), Runtime.getRuntime().maxMemory(), Pointer.maxBytes(),
                Pointer.maxPhysicalBytes(), Pointer.totalPhysicalBytes());
    }

    /**
     * The javacpp natives directory ND4J was loaded from, e.g. {@code linux-x86_64-onednn} or
     * {@code linux-x86_64-onednn-avx512}; "unknown" if ND4J's library is not among javacpp's loaded libraries.
     */
    public static String nativesFlavour() {
        Nd4j.getBackend();
        for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
            if (e.getKey().startsWith("jnind4jcpu") && e.getValue() != null) {
                Path dir = Path.of(e.getValue()).getParent();
                return dir == null ? "unknown" : dir.getFileName().toString();
            }
        }
        return "unknown";
    }

    /** The native library was compiled with oneDNN and has it switched on. */
    public static boolean oneDnnInNatives() {
        Nd4j.getBackend();
        String build = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        return build != null && build.contains("HAVE_ONEDNN")
                && org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
    }

    /** {model name, space-separated relevant flags}; from /proc/cpuinfo on Linux. */
    private static String[] cpu() {
        String model = System.getProperty("os.arch");
        Set<String> flags = Set.of();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String key = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (key.equals("model name")) {
                    model = value;
                } else if (key.equals("flags")) {
                    flags = Set.of(value.split("\\s+"));
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux or not readable: report the architecture only
        }
        List<String> present = new ArrayList<>();
        for (String f : SIMD) {
            if (flags.contains(f)) {
                present.add(f);
            }
        }
        return new String[] {model, String.join(" ", present)};
    }

    /** ND4J's environment information holds numbers as Integer/Long, not strings: getProperty() misses them. */
    private static String prop(Properties p, String key) {
        Object v = p.get(key);
        return v == null ? "unknown" : v.toString();
    }

    private static int intProp(Properties p, String key) {
        try {
            return Integer.parseInt(prop(p, key).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
