package io.transfer4j.cli;

import io.transfer4j.zoo.Backend;
import io.transfer4j.zoo.BackendReport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code transfer4j doctor}: what the numerical backend really does on this machine. Exit 0 when the oneDNN fast
 * path is active for convolution, batch normalisation and pooling; 1 (with what to do) when it is not.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check the numerical backend: natives flavour, oneDNN on/off per layer type (verified by "
                + "running a probe network), threads and memory limits.",
                "Exit code 0 when the oneDNN fast path is active, 1 when convolutions would run on DL4J's slow "
                        + "built-in path (the output says why and what to do)."})
public final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        BackendReport report = Backend.report();
        Output out = Output.of(spec);
        out.result(report.toString().stripTrailing(), Output.fields("fast_path", report.oneDnnActive(),
                "report", report));
        if (report.oneDnnActive()) {
            return ExitCode.OK;
        }
        for (String advice : advice(report)) {
            out.warn(advice);
        }
        return ExitCode.FAILURE;
    }

    /** What to do about each reason the fast path is off. */
    static List<String> advice(BackendReport r) {
        List<String> out = new ArrayList<>();
        if (!r.oneDnnInNatives()) {
            out.add("the loaded natives (" + r.nativesFlavour() + ") contain no oneDNN; build with the default "
                    + "-Dnd4j.classifier=linux-x86_64-onednn (or -onednn-avx512 / -onednn-avx2).");
        }
        if (!r.helperSetting().enabled()) {
            out.add("DL4J's layer helpers are switched off: " + r.helperSetting()
                    + ". Remove -Dorg.eclipse.deeplearning4j.helpers.disable=true and TRANSFER4J_ONEDNN=off.");
        }
        if (!r.compatibilityShim()) {
            out.add("DL4J's oneDNN check fails: the class org.nd4j.nativeblas.Nd4jCpu$Environment from the "
                    + "transfer4j-zoo jar is not on the class path (a shaded jar may have dropped it).");
        }
        if (out.isEmpty()) {
            out.add("a helper did not run although everything is switched on; the lines above name the layer "
                    + "type. Run again with --verbose and report it.");
        }
        return out;
    }
}
