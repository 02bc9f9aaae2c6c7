package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transfer4j.zoo.BackendReport;
import io.transfer4j.zoo.HelperKind;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DoctorCommandTest {

    @Test
    void reportsTheFastPathPerLayerTypeAndExitsZero() {
        CommandLine cl = Transfer4j.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("doctor");
        assertEquals(ExitCode.OK, code, out + "\n" + err);
        String text = out.toString();
        assertTrue(text.contains("natives linux-x86_64-onednn"), text);
        assertTrue(text.contains("convolution 3x3:") && text.contains("MKLDNNConvHelper"), text);
        assertTrue(text.contains("batch normalisation:") && text.contains("MKLDNNBatchNormHelper"), text);
        assertTrue(text.contains("max pooling 2x2:") && text.contains("MKLDNNSubsamplingHelper"), text);
        assertTrue(text.contains("threads:") && text.contains("memory:") && text.contains("heap max"), text);
        assertTrue(text.contains("fast path active"), text);
    }

    @Test
    void adviceNamesEachReasonTheFastPathIsOff() {
        BackendReport slow = new BackendReport("CPU", "linux-x86_64", false, BackendReport.HelperSetting.DISABLED_BY_USER,
                false, List.of(new BackendReport.HelperCheck(HelperKind.CONVOLUTION, "conv", null, false, false, false,
                "no helper")), "cpu", List.of(), 2, 2, "OPENBLAS", null, null, 1L << 30, 1L << 30, 1L << 31, 1L << 32);
        List<String> advice = DoctorCommand.advice(slow);
        assertEquals(3, advice.size(), advice.toString());
        assertTrue(advice.get(0).contains("linux-x86_64") && advice.get(0).contains("-onednn"), advice.get(0));
        assertTrue(advice.get(1).contains("helpers.disable=true"), advice.get(1));
        assertTrue(advice.get(2).contains("org.nd4j.nativeblas.Nd4jCpu$Environment"), advice.get(2));
        assertTrue(slow.toString().contains("SLOW PATH"), slow.toString());
    }
}
