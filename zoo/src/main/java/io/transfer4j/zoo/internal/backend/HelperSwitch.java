package io.transfer4j.zoo.internal.backend;

import io.transfer4j.zoo.BackendReport.HelperSetting;

import java.util.function.Supplier;

/**
 * The one place that touches DL4J's layer-helper switch, the JVM system property
 * {@value #PROPERTY}.
 *
 * <p>What DL4J 1.0.0-M2.1 does with it (read from its bytecode): {@code HelperUtils.createHelper} reads the
 * property with default {@code "true"} every time a layer is constructed (layers are constructed by
 * {@code ComputationGraph.init()} / {@code MultiLayerNetwork.init()}, including after deserialisation), and
 * creates no helper when it is true. So helpers are off unless the property is {@code "false"} before
 * {@code init()}, and the value at {@code init()} time decides for that network's lifetime.
 *
 * <p>transfer4j sets it to {@code "false"} when nobody set it (an explicit user setting, e.g.
 * {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true}, is respected), or to {@code "true"} when the
 * environment variable {@code TRANSFER4J_ONEDNN} is {@code off} (see {@link OneDnnEnvironmentAction}).
 */
public final class HelperSwitch {

    public static final String PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    /** The value before transfer4j looked at it: captured once when this class is loaded. */
    private static final String VALUE_BEFORE_TRANSFER4J = System.getProperty(PROPERTY);

    private static final Object BUILD_LOCK = new Object();

    private HelperSwitch() {
    }

    /** Enables DL4J's layer helpers unless the user decided otherwise. Idempotent and cheap. */
    public static void applyDefault() {
        if (VALUE_BEFORE_TRANSFER4J == null && System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "false");
        }
    }

    /** Forces helpers off for networks initialised from now on (the {@code TRANSFER4J_ONEDNN=off} switch). */
    static void disableByEnvironment() {
        System.setProperty(PROPERTY, "true");
    }

    /** How the switch is set now and who set it. */
    public static HelperSetting setting() {
        boolean disabled = Boolean.parseBoolean(System.getProperty(PROPERTY, "true"));
        if (VALUE_BEFORE_TRANSFER4J != null) {
            return disabled ? HelperSetting.DISABLED_BY_USER : HelperSetting.ENABLED_BY_USER;
        }
        return disabled ? HelperSetting.DISABLED : HelperSetting.ENABLED_BY_TRANSFER4J;
    }

    /**
     * Runs {@code build} (which must create and {@code init()} the network) with the helpers switched off, so
     * that network uses DL4J's built-in Java layer implementations for its whole life. Other threads that
     * initialise networks at the same moment would see the switch too: builds through this method are
     * serialised, and it is meant for comparisons (tests, benchmarks), not for production paths.
     */
    public static <T> T withBuiltInLayers(Supplier<T> build) {
        synchronized (BUILD_LOCK) {
            String before = System.getProperty(PROPERTY);
            System.setProperty(PROPERTY, "true");
            try {
                return build.get();
            } finally {
                if (before == null) {
                    System.clearProperty(PROPERTY);
                } else {
                    System.setProperty(PROPERTY, before);
                }
            }
        }
    }
}
