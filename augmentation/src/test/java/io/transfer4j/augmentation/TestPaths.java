package io.transfer4j.augmentation;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared real data sets are: {@code -Dtransfer4j.datasets=DIR}, else {@code <repo>/../shared/datasets}. */
final class TestPaths {
    private TestPaths() {
    }

    static Path datasets() {
        String prop = System.getProperty("transfer4j.datasets");
        if (prop != null) {
            return Path.of(prop);
        }
        // surefire runs in the module directory; the repository root is its parent
        Path module = Path.of("").toAbsolutePath();
        Path repo = Files.exists(module.resolve("pom.xml")) && Files.exists(module.resolve("../pom.xml"))
                ? module.getParent() : module;
        return repo.resolve("../shared/datasets").normalize();
    }
}
