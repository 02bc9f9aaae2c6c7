package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transfer4j.zoo.internal.backend.OneDnnEnvironmentAction;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.env.EnvironmentalAction;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Guards the oneDNN fast path: fails when the conv/BN/pooling helpers are not active. */
class BackendTest {

    @Test
    void probeFindsEveryHelperRunningForwardAndBackward() {
        BackendReport r = Backend.report();
        assertTrue(r.nativesFlavour().startsWith("linux-x86_64-onednn"),
                "natives must be a -onednn flavour; loaded: " + r.nativesFlavour());
        assertTrue(r.oneDnnInNatives(), "the loaded natives have no oneDNN enabled");
        assertTrue(r.helperSetting().enabled(), "layer helpers switched off: " + r.helperSetting());
        assertTrue(r.compatibilityShim(), "DL4J's BaseMKLDNNHelper.mklDnnEnabled() is false: shim not found");
        Set<HelperKind> checked = r.checks().stream().map(BackendReport.HelperCheck::kind)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(HelperKind.class)));
        assertEquals(EnumSet.allOf(HelperKind.class), checked);
        for (BackendReport.HelperCheck c : r.checks()) {
            assertTrue(c.ok(), "helper not doing the work for " + c + "\n" + r);
        }
        BackendReport.HelperCheck conv = r.check(HelperKind.CONVOLUTION);
        assertEquals("MKLDNNConvHelper", conv.helperClass());
        assertTrue(conv.inference() && conv.training() && conv.backward());
        assertTrue(r.check(HelperKind.BATCH_NORMALIZATION).inference());
        assertTrue(r.oneDnnActive());
        assertTrue(r.toString().contains("fast path active"), r.toString());
    }

    @Test
    void everyConvBatchNormAndPoolingLayerOfABuiltNetworkHasAnActiveHelper() {
        Backend.ensureInitialised();
        ComputationGraph g = TestNets.cnn(42, DataType.FLOAT);
        g.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 4, 3, TestNets.SIZE, TestNets.SIZE),
                Nd4j.eye(TestNets.CLASSES).getRows(0, 1, 2, 0).castTo(DataType.FLOAT)));
        List<LayerHelperStatus> statuses = Backend.helpers(g);
        assertEquals(List.of("stem_conv", "stem_bn", "frozen_bp_conv", "conv1", "bn1", "maxpool", "conv2", "avgpool"),
                statuses.stream().map(LayerHelperStatus::layer).toList());
        for (LayerHelperStatus s : statuses) {
            assertTrue(s.active(), "layer without an active oneDNN helper: " + s);
        }
        assertTrue(statuses.get(0).frozen() && statuses.get(2).frozen() && !statuses.get(3).frozen());
        assertEquals("MKLDNNBatchNormHelper", statuses.get(4).helperClass());
        assertEquals("MKLDNNSubsamplingHelper", statuses.get(5).helperClass());
    }

    @Test
    void builtInLayersHaveNoHelperAndTheSwitchIsRestoredAfterwards() {
        ComputationGraph builtIn = Backend.withBuiltInLayers(() -> TestNets.cnn(1, DataType.FLOAT));
        for (LayerHelperStatus s : Backend.helpers(builtIn)) {
            assertNull(s.helperClass(), s.toString());
            assertFalse(s.active());
        }
        ComputationGraph after = TestNets.cnn(1, DataType.FLOAT);
        assertTrue(Backend.helpers(after).stream().allMatch(LayerHelperStatus::active));
    }

    @Test
    void inspectingSomethingThatIsNotABuiltNetworkSaysWhatIsWrong() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("d", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(2).nOut(2).build(), "in")
                .setOutputs("d").build();
        IllegalStateException notInit = assertThrows(IllegalStateException.class,
                () -> Backend.helpers(new ComputationGraph(conf)));
        assertTrue(notInit.getMessage().contains("init()"), notInit.getMessage());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> Backend.helpers(null));
        assertTrue(wrong.getMessage().contains("received null"), wrong.getMessage());
    }

    @Test
    void theNd4jStartupHookIsRegisteredAndRejectsBadSwitchValues() {
        boolean registered = ServiceLoader.load(EnvironmentalAction.class).stream()
                .anyMatch(p -> p.type() == OneDnnEnvironmentAction.class);
        assertTrue(registered, "OneDnnEnvironmentAction missing from META-INF/services");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OneDnnEnvironmentAction().process("maybe"));
        assertTrue(e.getMessage().contains("'on' or 'off'") && e.getMessage().contains("maybe"), e.getMessage());
    }

    /** A fresh JVM that never calls transfer4j code still gets helpers: ND4J start-up runs our hook. */
    @Test
    void aPlainDl4jProgramGetsHelpersWithoutCallingTransfer4j() throws IOException, InterruptedException {
        Path javaExe = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaExe.toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                PlainDl4jMain.class.getName()).redirectErrorStream(false).start();
        p.getErrorStream().transferTo(OutputStream.nullOutputStream());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        assertEquals("helpers=MKLDNNConvHelper,MKLDNNBatchNormHelper,MKLDNNSubsamplingHelper", out);
    }
}
