package io.transfer4j.zoo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import javax.imageio.ImageIO;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Assumptions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs {@code src/test/python/oracle.py} (PyTorch, an implementation independent of transfer4j) and reads what it
 * wrote: its manifest, its outputs, its images and its weights in PyTorch's layouts.
 */
record Oracle(Path dir, JsonNode manifest) {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path SCRIPT = Path.of("src/test/python/oracle.py");

    /** Runs the oracle for {@code archs} (comma-separated) into {@code dir}; skips the test if it cannot run here. */
    static Oracle run(Path dir, String archs) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "no " + PYTHON + ": the PyTorch oracle cannot run (Debian:"
                + " apt-get install python3-torch python3-torchvision python3-h5py python3-skimage)");
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c",
                "import torch, torchvision, h5py, skimage, PIL").redirectErrorStream(true).start();
        String probeOut = new String(probe.getInputStream().readAllBytes());
        Assumptions.assumeTrue(probe.waitFor() == 0, "the PyTorch oracle needs Debian's python3-torch,"
                + " python3-torchvision, python3-h5py, python3-skimage: " + probeOut.strip());
        Files.createDirectories(dir);
        Path log = dir.resolve("oracle.log");
        Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toAbsolutePath().toString(), dir.toString(),
                "--arch", archs).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("oracle.py did not finish in 15 minutes; log: " + Files.readString(log));
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("oracle.py failed (exit " + p.exitValue() + "): " + Files.readString(log));
        }
        return new Oracle(dir, new ObjectMapper().readTree(dir.resolve("oracle.json").toFile()));
    }

    /** One output: {"file", "shape"} -> a float tensor. */
    INDArray tensor(JsonNode output) throws IOException {
        long[] shape = new long[output.path("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = output.path("shape").get(i).asLong();
        }
        return Nd4j.create(floats(dir.resolve(output.path("file").asText()), 0, -1), shape, 'c');
    }

    /** The listed PNG files as an NCHW RGB batch of 0-255 values (no normalisation). */
    INDArray images(JsonNode files) throws IOException {
        List<INDArray> out = new ArrayList<>();
        for (JsonNode f : files) {
            out.add(image(dir.resolve(f.asText())));
        }
        return Nd4j.concat(0, out.toArray(INDArray[]::new));
    }

    /** A PNG as an NCHW RGB batch of one, 0-255 (the zoo's own reader of the self-test photo). */
    static INDArray image(Path png) throws IOException {
        return io.transfer4j.zoo.internal.SelfTests.rgb(ImageIO.read(png.toFile()));
    }

    /**
     * Fills {@code graph}'s layers from the oracle's PyTorch-layout weights of {@code arch}: {@code layers} are
     * the oracle's (Keras) layer names to fill, {@code graphName} maps one to the graph's layer. Kernels keep
     * PyTorch's {@code [out, in, kh, kw]} (DL4J's too); dense kernels are transposed; BatchNormalization fills
     * {@code var} or, for {@code useLogStd} layers, {@code log10stdev = log10(sqrt(var + eps))}.
     */
    void fillFromTorch(String arch, ComputationGraph graph, UnaryOperator<String> graphName, List<String> layers,
                       double eps) throws IOException {
        JsonNode index = new ObjectMapper().readTree(dir.resolve(arch + "_torch.json").toFile());
        Path data = dir.resolve(arch + "_torch.f32");
        int filled = 0;
        for (JsonNode e : index) {
            String name = e.path("layer").asText();
            if (!layers.contains(name)) {
                continue;
            }
            Layer layer = graph.getLayer(graphName.apply(name));
            long[] shape = new long[e.path("shape").size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.path("shape").get(i).asLong();
                n *= shape[i];
            }
            INDArray value = Nd4j.create(floats(data, e.path("offset").asLong(), n), shape, 'c');
            String key = e.path("key").asText();
            if (key.equals("W") && shape.length == 2) {
                value = value.transpose();
            }
            if (key.equals("var") && !layer.paramTable().containsKey("var")) {
                key = "log10stdev";
                value = org.nd4j.linalg.ops.transforms.Transforms.log(
                        org.nd4j.linalg.ops.transforms.Transforms.sqrt(value.add(eps)), 10, false);
            }
            INDArray target = layer.getParam(key);
            if (target == null || target.length() != value.length()) {
                throw new AssertionError(arch + " layer " + name + " key " + key + ": oracle shape "
                        + java.util.Arrays.toString(shape) + ", graph " + (target == null ? "none"
                        : java.util.Arrays.toString(target.shape())));
            }
            target.assign(value.dup('c').reshape('c', target.shape()));
            filled++;
        }
        if (filled == 0) {
            throw new AssertionError("no oracle weights matched " + layers);
        }
    }

    private static float[] floats(Path file, long offset, long count) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long n = count < 0 ? ch.size() / 4 : count;
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(n * 4)).order(ByteOrder.LITTLE_ENDIAN);
            long pos = offset * 4;
            while (buf.hasRemaining()) {
                int r = ch.read(buf, pos);
                if (r < 0) {
                    throw new IOException("unexpected end of " + file);
                }
                pos += r;
            }
            buf.flip();
            float[] out = new float[Math.toIntExact(n)];
            buf.asFloatBuffer().get(out);
            return out;
        }
    }
}
