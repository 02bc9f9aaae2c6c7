package io.transfer4j.zoo;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the numerical backend really is and does in this JVM: natives flavour, whether oneDNN is compiled in and
 * actually used by each layer type (checked by running a probe network, see {@link Backend#report()}), threads
 * and memory limits. {@link #toString()} is the text {@code transfer4j doctor} prints.
 *
 * @param backend            ND4J backend ("CPU")
 * @param nativesFlavour     the javacpp natives directory that was loaded, e.g. {@code linux-x86_64-onednn}
 * @param oneDnnInNatives    the loaded native library was built with oneDNN and has it switched on
 * @param helperSetting      DL4J's layer-helper switch and who set it
 * @param compatibilityShim  DL4J's oneDNN support check ({@code BaseMKLDNNHelper.mklDnnEnabled()}) passes
 * @param checks             per layer type: does the helper really produce outputs and gradients
 * @param cpu                CPU model name
 * @param simd               relevant instruction-set extensions the CPU reports (avx2, avx512f, amx_tile ...)
 * @param cores              processors available to the JVM
 * @param ompThreads         ND4J's native (OpenMP) thread count
 * @param blas               BLAS vendor and thread count
 * @param openblasCoreType   the {@code OPENBLAS_CORETYPE} override, or null
 * @param ompWaitPolicy      {@code OMP_WAIT_POLICY} (PASSIVE is what the launcher sets), or null (GNU default:
 *                           spin), see docs/performance.md
 * @param heapMaxBytes       JVM heap limit
 * @param offHeapMaxBytes    javacpp off-heap limit ({@code org.bytedeco.javacpp.maxbytes})
 * @param physicalMaxBytes   javacpp physical-memory limit ({@code org.bytedeco.javacpp.maxphysicalbytes})
 * @param totalPhysicalBytes the machine's (or cgroup's) physical memory
 */
public record BackendReport(String backend, String nativesFlavour, boolean oneDnnInNatives,
                            HelperSetting helperSetting, boolean compatibilityShim, List<HelperCheck> checks,
                            String cpu, List<String> simd, int cores, int ompThreads, String blas,
                            String openblasCoreType, String ompWaitPolicy, long heapMaxBytes, long offHeapMaxBytes,
                            long physicalMaxBytes, long totalPhysicalBytes) {

    public BackendReport {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(nativesFlavour, "nativesFlavour");
        Objects.requireNonNull(helperSetting, "helperSetting");
        checks = List.copyOf(checks);
        simd = List.copyOf(simd);
    }

    /** DL4J's layer-helper switch ({@code org.eclipse.deeplearning4j.helpers.disable}) and who set it. */
    public enum HelperSetting {
        ENABLED_BY_TRANSFER4J("on (set by transfer4j)"),
        ENABLED_BY_USER("on (set by the user: -Dorg.eclipse.deeplearning4j.helpers.disable=false)"),
        DISABLED_BY_USER("OFF (set by the user: -Dorg.eclipse.deeplearning4j.helpers.disable=true)"),
        DISABLED("OFF (TRANSFER4J_ONEDNN=off, or DL4J's default because transfer4j was not initialised)");

        private final String text;

        HelperSetting(String text) {
            this.text = text;
        }

        public boolean enabled() {
            return this == ENABLED_BY_TRANSFER4J || this == ENABLED_BY_USER;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * The probe's finding for one layer type.
     *
     * @param kind        layer type
     * @param layer       which probe layer (e.g. "max pooling 2x2")
     * @param helperClass helper class attached to it, or null
     * @param inference   the helper produced the inference-mode output (always false for subsampling, whose
     *                    forward pass DL4J M2.1 runs as a native op without the helper)
     * @param training    the helper produced the training-mode output
     * @param backward    the helper produced the gradient
     * @param note        why not, when not
     */
    public record HelperCheck(HelperKind kind, String layer, String helperClass, boolean inference, boolean training,
                              boolean backward, String note) {
        public HelperCheck {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(layer, "layer");
            note = note == null ? "" : note;
        }

        /** The helper did everything: inference, training forward pass and backward pass. */
        public boolean ok() {
            return (!kind.helperRunsForward() || inference && training) && backward;
        }
    }

    /** Every checked layer type runs forward and backward on its oneDNN helper. */
    public boolean oneDnnActive() {
        return !checks.isEmpty() && checks.stream().allMatch(HelperCheck::ok);
    }

    /** The check for one probe layer kind (the first, when a kind has several probe layers). */
    public HelperCheck check(HelperKind kind) {
        return checks.stream().filter(c -> c.kind() == kind).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No probe check for " + kind + "; checked: "
                        + checks.stream().map(c -> c.kind().name()).distinct().toList()));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        line(sb, "backend", backend + ", natives " + nativesFlavour
                + (oneDnnInNatives ? " (oneDNN compiled in and enabled)" : " (NO oneDNN in these natives)"));
        line(sb, "layer helpers", helperSetting.toString());
        line(sb, "DL4J oneDNN check", compatibilityShim ? "passes (compatibility shim found)"
                : "FAILS (BaseMKLDNNHelper cannot see oneDNN: helpers are rejected)");
        for (HelperCheck c : checks) {
            String state = c.ok() ? "oneDNN (" + c.helperClass() + (c.kind().helperRunsForward()
                    ? ": inference, training, gradient)" : ": gradient; forward is ND4J's native op)")
                    : "BUILT-IN Java path" + (c.helperClass() == null ? "" : " (" + c.helperClass()
                    + ": inference " + yes(c.inference()) + ", training " + yes(c.training())
                    + ", gradient " + yes(c.backward()) + ")") + (c.note().isEmpty() ? "" : " - " + c.note());
            line(sb, "  " + c.layer(), state);
        }
        line(sb, "CPU", cpu + (simd.isEmpty() ? "" : " [" + String.join(" ", simd) + "]"));
        line(sb, "threads", cores + " cores, " + ompThreads + " native (OpenMP) threads, BLAS " + blas
                + (openblasCoreType == null ? "" : ", OPENBLAS_CORETYPE=" + openblasCoreType)
                + ", OMP_WAIT_POLICY=" + (ompWaitPolicy == null ? "unset (spinning: very slow on a busy machine)"
                : ompWaitPolicy));
        line(sb, "memory", "heap max " + gib(heapMaxBytes) + ", off-heap max " + gib(offHeapMaxBytes)
                + ", physical max " + gib(physicalMaxBytes) + ", machine " + gib(totalPhysicalBytes));
        line(sb, "verdict", oneDnnActive() ? "fast path active"
                : "SLOW PATH: convolutions run as Java im2col + GEMM (3-5x slower); see `transfer4j doctor --help`");
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format(Locale.ROOT, "%-30s %s%n", key + ":", value));
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    static String gib(long bytes) {
        return bytes <= 0 ? "unlimited" : String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
