package io.transfer4j.zoo.internal.backend;

import org.nd4j.linalg.env.EnvironmentalAction;

/**
 * Hooks transfer4j's backend defaults into ND4J's own start-up, so they apply to every network in the JVM
 * without any user action and before any layer can be built.
 *
 * <p>ND4J (1.0.0-M2.1, {@code Nd4j.initWithBackend}) instantiates every {@link EnvironmentalAction} listed in
 * {@code META-INF/services/org.nd4j.linalg.env.EnvironmentalAction} while it initialises, and afterwards calls
 * {@link #process} with the value of {@link #targetVariable()} if that environment variable is set. The
 * constructor therefore applies the default (oneDNN layer helpers on); {@code TRANSFER4J_ONEDNN=off} turns them
 * off for A/B comparisons. {@code io.transfer4j.zoo.Backend#ensureInitialised()} applies the same default for
 * code paths that reach DL4J before ND4J is initialised.
 */
public final class OneDnnEnvironmentAction implements EnvironmentalAction {

    public static final String VARIABLE = "TRANSFER4J_ONEDNN";

    public OneDnnEnvironmentAction() {
        HelperSwitch.applyDefault();
    }

    @Override
    public String targetVariable() {
        return VARIABLE;
    }

    @Override
    public void process(String value) {
        switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "1", "" -> HelperSwitch.applyDefault();
            case "off", "false", "0" -> HelperSwitch.disableByEnvironment();
            default -> throw new IllegalArgumentException(VARIABLE + " must be 'on' or 'off'; received '" + value
                    + "'. Unset it to use oneDNN layer helpers (the default).");
        }
    }
}
