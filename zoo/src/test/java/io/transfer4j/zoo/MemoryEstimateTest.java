package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class MemoryEstimateTest {

    private static final long GIB = 1L << 30;

    private static Zoo zoo() {
        return Zoo.builder().offline(true).home(Path.of("target", "zoo-home")).build();
    }

    /** VGG16 body + global average pooling + 10-class softmax, as transfer learning builds it. */
    private static ComputationGraph vgg16WithHead(int size) {
        ComputationGraph body = zoo().random("vgg16", InputShape.rgb(size, size), 1).graph();
        String last = body.getConfiguration().getNetworkOutputs().get(0);
        return new TransferLearning.GraphBuilder(body)
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), last)
                .addLayer("out", new OutputLayer.Builder().nIn(512).nOut(10).activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
    }

    /**
     * Measured against real use: the process's resident memory growth while building VGG16 at 64 px and running
     * two training steps at batch 4 (parameters, updater state, gradients, activations, oneDNN scratch). The
     * estimate's array part must cover at least 80 % of it (RSS also holds heap garbage, so it can exceed the
     * arrays a little) and be at most 3x of it (an estimate that large would refuse batches that fit).
     */
    @Test
    void vgg16TrainingEstimateIsWithinAStatedFactorOfMeasuredMemory() throws IOException {
        Backend.ensureInitialised();
        InputShape in = InputShape.rgb(64, 64);
        int batch = 4;
        Assumptions.assumeTrue(Files.isWritable(Path.of("/proc/self/clear_refs")),
                "needs Linux /proc/self/clear_refs to measure peak resident memory");
        long before = rss("VmRSS");
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        ComputationGraph g = vgg16WithHead(64);
        var x = Nd4j.rand(DataType.FLOAT, batch, 3, 64, 64);
        var y = Nd4j.zeros(DataType.FLOAT, batch, 10);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, i, 1f);
        }
        for (int i = 0; i < 2; i++) {
            g.fit(new DataSet(x, y));
        }
        long measured = rss("VmHWM") - before;
        MemoryEstimate e = MemoryEstimate.of(g, in, batch, MemoryEstimate.Mode.TRAINING);
        long arrays = e.totalBytes() - e.runtimeBytes();
        assertTrue(arrays >= 0.8 * measured, "estimate " + arrays + " B below measured growth " + measured + " B");
        assertTrue(arrays <= 3.0 * measured, "estimate " + arrays + " B more than 3x measured growth " + measured + " B");
    }

    @Test
    void aBatchThatDoesNotFitSaysSoAndSuggestsTheLargestThatDoes() {
        ComputationGraph g = zoo().random("vgg16", InputShape.rgb(224, 224), 1).graph();
        MemoryEstimate e = MemoryEstimate.of(g, InputShape.rgb(224, 224), 256, MemoryEstimate.Mode.TRAINING);
        MemoryEstimate.Limits limits = new MemoryEstimate.Limits(16 * GIB, 4 * GIB);
        MemoryEstimate.Verdict v = e.check(limits);
        assertFalse(v.fits(), v.message());
        int largest = v.largestBatch();
        assertTrue(largest >= 1 && largest < 256, v.message());
        assertTrue(e.bytesFor(largest) <= limits.availableForArrays(), "suggested batch does not fit");
        assertTrue(e.bytesFor(largest + 1) > limits.availableForArrays(), "a larger batch would also fit");
        assertTrue(v.message().contains("batch 256") && v.message().contains("largest batch that fits is " + largest)
                && v.message().contains("only 12.00 GiB is available"), v.message());
        assertTrue(v.message().contains("parameters") && v.message().contains("updater state"), v.message());
        // DL4J splits working memory into fixed and per-batch parts: the message names each part once
        assertEquals(1, v.message().split("working memory", -1).length - 1, v.message());

        MemoryEstimate small = MemoryEstimate.of(g, InputShape.rgb(224, 224), 16, MemoryEstimate.Mode.INFERENCE);
        MemoryEstimate.Verdict ok = small.check(limits);
        assertTrue(ok.fits(), ok.message());
        // VGG16 has 138 M parameters: inference at batch 16 needs at least their 0.55 GB, and far less than 12 GiB
        assertTrue(small.totalBytes() > 553_000_000L && small.totalBytes() < 12 * GIB, small.toString());
        assertTrue(e.totalBytes() > MemoryEstimate.of(g, InputShape.rgb(224, 224), 16,
                MemoryEstimate.Mode.TRAINING).totalBytes());
    }

    @Test
    void nothingFitsWhenEvenTheParametersDoNot() {
        ComputationGraph g = TestNets.cnn(1, DataType.FLOAT);
        MemoryEstimate e = MemoryEstimate.of(g, InputShape.rgb(16, 16), 8, MemoryEstimate.Mode.TRAINING);
        MemoryEstimate.Verdict v = e.check(new MemoryEstimate.Limits(GIB / 4, 0));
        assertFalse(v.fits());
        assertEquals(0, v.largestBatch());
        assertTrue(v.message().contains("Not even a batch of 1 fits"), v.message());
    }

    @Test
    void badArgumentsAreRejectedWithWhatWasReceived() {
        ComputationGraph g = TestNets.cnn(1, DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MemoryEstimate.of(g, InputShape.rgb(16, 16), 0, MemoryEstimate.Mode.TRAINING));
        assertTrue(e.getMessage().contains("received 0"), e.getMessage());
        IllegalArgumentException l = assertThrows(IllegalArgumentException.class,
                () -> new MemoryEstimate.Limits(0, GIB));
        assertTrue(l.getMessage().contains("received 0"), l.getMessage());
        MemoryEstimate.Limits cur = MemoryEstimate.Limits.current();
        assertTrue(cur.physicalLimitBytes() > 0 && cur.heapMaxBytes() > 0, cur.toString());
    }

    private static long rss(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException(key + " not in /proc/self/status");
    }
}
