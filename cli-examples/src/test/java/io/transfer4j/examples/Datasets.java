package io.transfer4j.examples;

import java.nio.file.Path;

/** Where the shared real data sets are: -Dtransfer4j.datasets, else ../shared/datasets beside the repository. */
final class Datasets {
    private Datasets() {
    }

    static Path shared() {
        String prop = System.getProperty("transfer4j.datasets");
        if (prop != null) {
            return Path.of(prop);
        }
        return Path.of("").toAbsolutePath().getParent().getParent().resolve("shared").resolve("datasets");
    }
}
