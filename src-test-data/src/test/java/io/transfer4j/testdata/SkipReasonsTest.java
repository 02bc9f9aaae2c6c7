package io.transfer4j.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** A skipped test says why in the build output, not only in surefire's report files. */
class SkipReasonsTest {

    /** Run by the launcher below only (surefire leaves nested classes alone). */
    static class Sample {
        @Test
        void needsData() {
            Assumptions.assumeTrue(false, "../shared/datasets/fashion-mnist is absent");
        }

        @Test
        @Disabled("too slow for unit tests")
        void slow() {
        }

        @Test
        void runs() {
        }
    }

    @Test
    void abortedAndDisabledTestsPrintTheirReason() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        SkipReasons listener = new SkipReasons(new PrintStream(buf, true, StandardCharsets.UTF_8));
        // without auto-registration: the SkipReasons registered for the build would print the sample's skips too
        LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false).build())
                .execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Sample.class))
                .build(), listener);
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().sorted().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.contains("[SKIPPED] SkipReasonsTest$Sample > needsData(): Assumption failed: "
                + "../shared/datasets/fashion-mnist is absent"), lines.toString());
        assertTrue(lines.contains("[SKIPPED] SkipReasonsTest$Sample > slow(): too slow for unit tests"),
                lines.toString());
    }
}
