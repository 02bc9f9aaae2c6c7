package io.transfer4j.testdata;

import java.io.PrintStream;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints why a test was skipped into the build output ({@code ./mvnw verify}), not only into surefire's report
 * files: {@code [SKIPPED] ClassName > testName: reason} for {@code @Disabled}/conditions and for failed
 * assumptions (e.g. {@code ../shared/datasets} absent). Registered for every module whose tests have this module
 * on the class path, through {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}.
 */
public final class SkipReasons implements TestExecutionListener {
    private final PrintStream out;

    public SkipReasons() {
        this(System.out);
    }

    SkipReasons(PrintStream out) {
        this.out = out;
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        out.println(line(test, reason));
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            out.println(line(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted")));
        }
    }

    /** {@code [SKIPPED] Class > test(): reason}, one line. */
    static String line(TestIdentifier test, String reason) {
        String where = test.getLegacyReportingName();
        String cls = className(test);
        return "[SKIPPED] " + (cls.isEmpty() ? "" : cls + " > ") + where + ": "
                + (reason == null ? "(no reason given)" : reason.replace('\n', ' '));
    }

    private static String className(TestIdentifier test) {
        return test.getSource().map(s -> s instanceof org.junit.platform.engine.support.descriptor.MethodSource m
                ? m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1) : "").orElse("");
    }
}
