package io.transfer4j.zoo;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryType;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Memory preflight: how much memory training (or inference) of a graph at a batch size and input size needs,
 * whether it fits this JVM's limits, and the largest batch that does. Call it before training so a batch that
 * cannot fit fails at once with advice instead of an opaque native out-of-memory after minutes.
 *
 * <p>Where the numbers come from: DL4J's own per-layer memory report ({@code getMemoryReport}: parameters,
 * gradients, updater state, activations, activation gradients, working memory such as im2col), split into a
 * fixed part and a per-image part by evaluating it at batch 1 and 2, times {@value #SLACK} for allocator and
 * workspace slack, plus {@value #RUNTIME_MIB} MiB for the native runtime (libnd4j, oneDNN, OpenBLAS).
 * ND4J keeps arrays outside the Java heap, and in DL4J 1.0.0-M2.1 its allocations are not bounded by
 * {@code org.bytedeco.javacpp.maxbytes} (checked: a 1.6 GB array allocates under {@code maxbytes=1G}); what
 * bounds them is physical memory. So the budget is {@code min(maxphysicalbytes, machine or cgroup memory)} minus
 * the maximum heap.
 *
 * @param input          input shape the estimate is for
 * @param batch          images per step
 * @param mode           training (gradients, updater state, activation gradients) or inference
 * @param fixedBytes     parameters, gradients, updater state (independent of the batch), with slack
 * @param perImageBytes  activations, activation gradients and working memory per image, with slack
 * @param runtimeBytes   native runtime overhead
 * @param breakdown      the DL4J report's raw components at this batch, for the message
 */
public record MemoryEstimate(InputShape input, int batch, Mode mode, long fixedBytes, long perImageBytes,
                             long runtimeBytes, String breakdown) {

    static final double SLACK = 1.25;
    static final long RUNTIME_MIB = 512;

    /** What the network is used for. */
    public enum Mode { TRAINING, INFERENCE }

    public MemoryEstimate {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(mode, "mode");
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1; received " + batch);
        }
    }

    /** Estimate for {@code graph} (its configuration is enough; parameters need not be allocated). */
    public static MemoryEstimate of(ComputationGraph graph, InputShape input, int batch, Mode mode) {
        Objects.requireNonNull(graph, "graph");
        return of(graph.getConfiguration(), input, batch, mode);
    }

    /** Estimate for a graph configuration. */
    public static MemoryEstimate of(ComputationGraphConfiguration conf, InputShape input, int batch, Mode mode) {
        Objects.requireNonNull(conf, "conf");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(mode, "mode");
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1; received " + batch);
        }
        MemoryReport r = conf.getMemoryReport(InputType.convolutional(input.height(), input.width(), input.channels()));
        MemoryUseMode m = mode == Mode.TRAINING ? MemoryUseMode.TRAINING : MemoryUseMode.INFERENCE;
        long one = r.getTotalMemoryBytes(1, m, CacheMode.NONE, DataType.FLOAT);
        long two = r.getTotalMemoryBytes(2, m, CacheMode.NONE, DataType.FLOAT);
        long perImage = Math.max(0, two - one);
        long fixed = Math.max(0, one - perImage);
        // DL4J reports fixed and per-batch parts of working memory and cache separately: one entry per label
        java.util.Map<String, Long> parts = new java.util.LinkedHashMap<>();
        for (MemoryType t : MemoryType.values()) {
            long v = r.getMemoryBytes(t, batch, m, CacheMode.NONE, DataType.FLOAT);
            if (v > 0) {
                parts.merge(label(t), v, Long::sum);
            }
        }
        StringBuilder sb = new StringBuilder();
        parts.forEach((label, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(label).append(' ').append(gib(v)));
        return new MemoryEstimate(input, batch, mode, (long) (fixed * SLACK), (long) (perImage * SLACK),
                RUNTIME_MIB << 20, sb.toString());
    }

    private static String label(MemoryType t) {
        return switch (t) {
            case PARAMETERS -> "parameters";
            case PARAMATER_GRADIENTS -> "gradients";
            case ACTIVATIONS -> "activations";
            case ACTIVATION_GRADIENTS -> "activation gradients";
            case UPDATER_STATE -> "updater state";
            case WORKING_MEMORY_FIXED, WORKING_MEMORY_VARIABLE -> "working memory (im2col etc.)";
            case CACHED_MEMORY_FIXED, CACHED_MEMORY_VARIABLE -> "cache";
        };
    }

    /** Estimated bytes for {@link #batch()}. */
    public long totalBytes() {
        return bytesFor(batch);
    }

    /** Estimated bytes for another batch size. */
    public long bytesFor(int batchSize) {
        return runtimeBytes + fixedBytes + perImageBytes * (long) batchSize;
    }

    /** The largest batch that fits in {@code availableBytes}; 0 if not even one image does. */
    public int largestBatch(long availableBytes) {
        long room = availableBytes - runtimeBytes - fixedBytes;
        if (room < perImageBytes) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, perImageBytes == 0 ? Integer.MAX_VALUE : room / perImageBytes);
    }

    /** Whether it fits {@code limits}, and if not, what to do. */
    public Verdict check(Limits limits) {
        long available = limits.availableForArrays();
        boolean fits = totalBytes() <= available;
        int largest = largestBatch(available);
        String what = String.format(Locale.ROOT, "%s at %s, batch %d needs about %s (%s; with %.0f%% slack and %s "
                        + "for the native runtime)", mode == Mode.TRAINING ? "Training" : "Inference", input, batch,
                gib(totalBytes()), breakdown, (SLACK - 1) * 100, gib(runtimeBytes));
        String message = fits
                ? what + "; " + gib(available) + " is available (" + limits + ")."
                : what + ", but only " + gib(available) + " is available (" + limits + "). "
                + (largest > 0 ? "The largest batch that fits is " + largest + ": use a batch of " + largest
                + " or less, or give the process more memory (physical memory minus the heap is what counts)."
                : "Not even a batch of 1 fits: use a smaller input size or a machine with more memory.");
        return new Verdict(fits, totalBytes(), available, largest, message);
    }

    /**
     * The preflight result.
     *
     * @param fits           the estimate is within the available memory
     * @param neededBytes    estimated bytes
     * @param availableBytes bytes available for arrays
     * @param largestBatch   largest batch that fits (0: none)
     * @param message        a sentence a user can act on
     */
    public record Verdict(boolean fits, long neededBytes, long availableBytes, int largestBatch, String message) {
    }

    /**
     * The memory this process may use for ND4J arrays.
     *
     * @param physicalLimitBytes {@code min(org.bytedeco.javacpp.maxphysicalbytes, machine or cgroup memory)}
     * @param heapMaxBytes       the JVM's maximum heap (arrays live outside it but share the physical memory)
     */
    public record Limits(long physicalLimitBytes, long heapMaxBytes) {
        public Limits {
            if (physicalLimitBytes <= 0 || heapMaxBytes < 0) {
                throw new IllegalArgumentException("physicalLimitBytes must be > 0 and heapMaxBytes >= 0; received "
                        + physicalLimitBytes + ", " + heapMaxBytes);
            }
        }

        /** The limits of this JVM: javacpp's physical limit, the machine's memory, a cgroup limit, the heap. */
        public static Limits current() {
            long machine = Pointer.totalPhysicalBytes();
            long cgroup = cgroupLimit();
            long phys = Pointer.maxPhysicalBytes();
            long limit = Long.MAX_VALUE;
            for (long v : new long[] {machine, cgroup, phys}) {
                if (v > 0) {
                    limit = Math.min(limit, v);
                }
            }
            return new Limits(limit == Long.MAX_VALUE ? machine : limit, Runtime.getRuntime().maxMemory());
        }

        private static long cgroupLimit() {
            try {
                String v = Files.readString(Path.of("/sys/fs/cgroup/memory.max")).trim();
                return v.matches("\\d+") ? Long.parseLong(v) : -1;
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        public long availableForArrays() {
            return Math.max(0, physicalLimitBytes - heapMaxBytes);
        }

        @Override
        public String toString() {
            return "physical limit " + gib(physicalLimitBytes) + " minus heap max " + gib(heapMaxBytes);
        }
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %s batch %d: %s (fixed %s + %s per image + runtime %s)", mode, input,
                batch, gib(totalBytes()), gib(fixedBytes), gib(perImageBytes), gib(runtimeBytes));
    }
}
