package org.nd4j.nativeblas;

/**
 * Compatibility shim for Deeplearning4j 1.0.0-M2.1 (transfer4j, not part of ND4J).
 *
 * <p>DL4J M2.1's {@code org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled()} decides whether
 * the oneDNN layer helpers (convolution, batch normalisation, subsampling, LRN) may be used by reflecting on
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment#getInstance()} and {@code #isUseMKLDNN()}. ND4J renamed that
 * class to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} and the method to
 * {@code isUseONEDNN()} without updating DL4J, so the reflection throws, DL4J caches the failure for the rest of
 * the JVM and silently runs every convolution as Java-side im2col + GEMM (3.6-5.3x slower, see BENCHMARKS.md).
 *
 * <p>This class exists only at the old name and answers with the real native setting, so DL4J's own check
 * succeeds exactly when the loaded natives have oneDNN enabled. It holds no state. Nothing in transfer4j calls
 * it directly; {@code io.transfer4j.zoo.Backend#report()} verifies that DL4J finds it.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** The old name of ND4J's native environment, reduced to what DL4J M2.1 reflects on. */
    public static final class Environment {

        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        /** Looked up reflectively by {@code BaseMKLDNNHelper}. */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /**
         * Whether the native library was built with oneDNN and has it switched on (ND4J's
         * {@code Nd4jCpu.Environment#isUseONEDNN()}).
         */
        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }
    }
}
