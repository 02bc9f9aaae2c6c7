package io.transfer4j.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions recorded in bundle manifests, read from Maven metadata on the class path. */
public final class Versions {
    private Versions() {
    }

    public static String transfer4j() {
        return read("/io/transfer4j/core/version.properties", "version");
    }

    public static String dl4j() {
        return read("/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties", "version");
    }

    public static String java() {
        return System.getProperty("java.version", "unknown");
    }

    private static String read(String resource, String key) {
        try (InputStream in = Versions.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(key, "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
