package io.transfer4j.spark;

import java.io.Serializable;
import java.util.Locale;

/**
 * How {@link SparkFineTuner}'s workers combine what they learn: one of DL4J's two Spark training masters.
 *
 * <ul>
 *   <li>{@link #averaging(int)} — DL4J's {@code ParameterAveragingTrainingMaster}: each worker fits a few minibatches
 *       on its copy, then the driver averages the parameters (and updater state). Needs nothing but Spark; the
 *       default.</li>
 *   <li>{@link #sharedGradients()} — DL4J's {@code SharedTrainingMaster}: workers send threshold-encoded (sparse,
 *       quantised) updates to each other over Aeron UDP while they train (Strom 2015), with no synchronisation
 *       barrier. Needs a UDP port open between all executors and the driver, and the JVM property
 *       {@code aeron.publication.unblock.timeout} raised on driver and executors (see spark/README.md).</li>
 * </ul>
 */
public sealed interface GradientExchange extends Serializable {

    /** The JVM property Aeron reads, and the value every JVM of a shared-gradients run needs (60 s in ns). */
    String AERON_UNBLOCK_PROPERTY = "aeron.publication.unblock.timeout";
    String AERON_UNBLOCK_VALUE = "60000000000";

    /** Parameter averaging after every {@code frequency} minibatches of each worker. */
    static Averaging averaging(int frequency) {
        return new Averaging(frequency);
    }

    /** Shared gradients on UDP port 40123, the controller on the driver's address, threshold 1e-3 (adaptive). */
    static SharedGradients sharedGradients() {
        return new SharedGradients(SharedGradients.DEFAULT_PORT, null, null, SharedGradients.DEFAULT_THRESHOLD);
    }

    /**
     * Parses {@code averaging} or {@code shared} (the command line's {@code --gradient-exchange}); other options
     * keep their defaults.
     */
    static GradientExchange parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "averaging" -> averaging(Averaging.DEFAULT_FREQUENCY);
            case "shared" -> sharedGradients();
            default -> throw new IllegalArgumentException("gradient exchange must be 'averaging' (parameter"
                    + " averaging, needs nothing but Spark) or 'shared' (shared gradients over Aeron UDP); received '"
                    + name + "'");
        };
    }

    /** DL4J's parameter averaging; {@code frequency} minibatches per worker between two averagings. */
    record Averaging(int frequency) implements GradientExchange {
        static final int DEFAULT_FREQUENCY = 5;

        public Averaging {
            if (frequency < 1) {
                throw new IllegalArgumentException("averaging frequency must be >= 1 minibatch; received "
                        + frequency);
            }
        }
    }

    /**
     * DL4J's shared gradients.
     *
     * @param port       the UDP port every executor and the driver listen on (must be open between them)
     * @param networkMask the network whose interface the executors use, e.g. {@code 10.0.0.0/16}; null picks the
     *                   address Spark uses for the executor
     * @param controller the driver's address the executors connect to; null takes {@code spark.driver.host}
     * @param threshold  the initial encoding threshold of DL4J's adaptive threshold algorithm
     */
    record SharedGradients(int port, String networkMask, String controller, double threshold)
            implements GradientExchange {
        static final int DEFAULT_PORT = 40123;
        static final double DEFAULT_THRESHOLD = 1e-3;

        public SharedGradients {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("the shared-gradients UDP port must be in 1..65535; received "
                        + port);
            }
            if (networkMask != null && !networkMask.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
                throw new IllegalArgumentException("the network mask must look like 10.0.0.0/16 (IPv4/prefix);"
                        + " received '" + networkMask + "'");
            }
            if (!(threshold > 0 && threshold < 1)) {
                throw new IllegalArgumentException("the encoding threshold must be in (0, 1), typically 1e-3;"
                        + " received " + threshold);
            }
        }

        public SharedGradients port(int p) {
            return new SharedGradients(p, networkMask, controller, threshold);
        }

        public SharedGradients networkMask(String mask) {
            return new SharedGradients(port, mask, controller, threshold);
        }

        public SharedGradients controller(String address) {
            return new SharedGradients(port, networkMask, address, threshold);
        }

        public SharedGradients threshold(double t) {
            return new SharedGradients(port, networkMask, controller, t);
        }
    }
}
