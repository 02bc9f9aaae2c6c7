// Peak RSS of derived-graph inference on one executor per JVM (docs/performance.md, "the direct executor").
// OMP_WAIT_POLICY=PASSIVE java -Xms2g -Xmx6g -cp "$(cat cli-examples/target/classpath.txt):cli-examples/target/transfer4j-cli.jar" bench/InferenceRss.java resnet50 224 direct|dl4j
// direct: InferenceGraph.output (the direct executor); dl4j: the same derived graph's ComputationGraph.outputSingle.
import io.transfer4j.zoo.*; import io.transfer4j.core.InferenceGraph;
import org.deeplearning4j.nn.graph.ComputationGraph; import org.nd4j.linalg.factory.Nd4j; import org.nd4j.linalg.api.ndarray.INDArray; import org.nd4j.linalg.api.buffer.DataType;
import java.nio.file.*;
public class InferenceRss {
  static long kib(String key) throws Exception { for (String l : Files.readAllLines(Path.of("/proc/self/status"))) if (l.startsWith(key)) return Long.parseLong(l.replaceAll("\\D+", "")); return -1; }
  public static void main(String[] a) throws Exception {
    Backend.ensureInitialised();
    int size = Integer.parseInt(a[1]); boolean direct = a[2].equals("direct");
    ComputationGraph g = Zoo.builder().offline(true).build().random(a[0], InputShape.rgb(size, size), 1).graph();
    InferenceGraph ig = InferenceGraph.derive(g);
    INDArray x = Nd4j.rand(DataType.FLOAT, 16, 3, size, size);
    INDArray xl = ig.layout() == InferenceGraph.Layout.NHWC ? x.permute(0, 2, 3, 1).dup('c') : x;
    Runnable r = direct ? () -> ig.output(x) : () -> ig.graph().outputSingle(false, xl);
    r.run();
    System.gc();
    Files.writeString(Path.of("/proc/self/clear_refs"), "5"); // reset VmHWM to the current RSS
    long before = kib("VmRSS:");
    long t0 = System.nanoTime();
    for (int i = 0; i < 3; i++) r.run();
    System.out.printf("%s %d px b16 %s executor: RSS before %d MiB, peak over 3 calls %d MiB, %.0f ms/call%n", a[0], size,
        direct ? "direct" : "DL4J", before / 1024, kib("VmHWM:") / 1024, (System.nanoTime() - t0) / 3e6);
  }
}
