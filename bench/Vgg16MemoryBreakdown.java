// Where VGG16 full fine-tuning's memory goes (224 px, batch 16, SGD, a 10-class head on fc2): after each step, RSS and
// its high-water mark, JavaCPP's tracked native bytes (ND4J buffers and workspaces), each DL4J workspace's size, the
// JVM heap in use, and the parameter / gradient / updater sizes. docs/performance.md "Memory". After a package:
// OMP_WAIT_POLICY=PASSIVE java -Xms512m -Xmx6g -cp "$(cat cli-examples/target/classpath.txt):cli-examples/target/transfer4j-cli.jar" bench/Vgg16MemoryBreakdown.java [gcEachStep]
import io.transfer4j.zoo.*;
import org.deeplearning4j.nn.graph.ComputationGraph; import org.nd4j.linalg.factory.Nd4j; import org.nd4j.linalg.api.ndarray.INDArray; import org.nd4j.linalg.api.buffer.DataType;
import org.deeplearning4j.nn.transferlearning.*; import org.deeplearning4j.nn.conf.layers.*;
import org.nd4j.linalg.activations.Activation; import org.nd4j.linalg.learning.config.Sgd; import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.api.memory.MemoryWorkspace; import org.bytedeco.javacpp.Pointer;
import java.nio.file.*;
public class Vgg16MemoryBreakdown {
  static long kb(String key) throws Exception { for (String l : Files.readAllLines(Path.of("/proc/self/status"))) if (l.startsWith(key)) return Long.parseLong(l.replaceAll("\\D+", "")); return -1; }
  static String mib(double bytes) { return String.format(java.util.Locale.ROOT, "%,.0f MiB", bytes / 1048576); }
  static void report(String when) throws Exception {
    Runtime rt = Runtime.getRuntime();
    StringBuilder ws = new StringBuilder();
    long wsTotal = 0;
    for (MemoryWorkspace w : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
      ws.append(' ').append(w.getId()).append('=').append(mib(w.getCurrentSize()));
      wsTotal += w.getCurrentSize();
    }
    System.out.println(when + ": RSS " + mib(kb("VmRSS:") * 1024.0) + ", HWM " + mib(kb("VmHWM:") * 1024.0)
        + ", JavaCPP tracked " + mib(Pointer.totalBytes()) + " (physical " + mib(Pointer.physicalBytes()) + ")"
        + ", workspaces " + mib(wsTotal) + " [" + ws.toString().trim() + "], heap used " + mib(rt.totalMemory() - rt.freeMemory())
        + " of committed " + mib(rt.totalMemory()));
  }
  public static void main(String[] a) throws Exception {
    Backend.ensureInitialised();
    boolean gc = a.length > 0 && a[0].equals("gcEachStep");
    report("after ND4J start");
    Backbone b = Zoo.builder().offline(true).build().random("vgg16", InputShape.rgb(224,224), 1);
    ComputationGraph g0=b.graph();
    TransferLearning.GraphBuilder tb=new TransferLearning.GraphBuilder(g0).fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(1e-3)).build());
    for (String o: g0.getConfiguration().getNetworkOutputs()) if(!o.equals("fc2")) tb.removeVertexAndConnections(o);
    ComputationGraph g=tb.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4096).nOut(10).activation(Activation.SOFTMAX).build(),"fc2").setOutputs("out").build();
    // NB: tb still holds the zoo graph g0 (~530 MiB of parameters), so every figure below includes it; bench finetune
    // builds in a lambda and drops it (docs/performance.md subtracts it)
    g0 = null; b = null; System.gc(); Thread.sleep(500);
    System.out.println("parameters " + mib(g.params().length() * 4.0) + ", updater state " + mib(g.getUpdater().getStateViewArray() == null ? 0 : g.getUpdater().getStateViewArray().length() * 4.0));
    report("graph built");
    INDArray x=Nd4j.rand(DataType.FLOAT,16,3,224,224); INDArray y=Nd4j.zeros(DataType.FLOAT,16,10); for(int i=0;i<16;i++) y.putScalar(i,i%10,1);
    org.nd4j.linalg.dataset.DataSet ds=new org.nd4j.linalg.dataset.DataSet(x,y);
    for (int i = 1; i <= 3; i++) {
      long t0 = System.nanoTime();
      g.fit(ds);
      double ms = (System.nanoTime() - t0) / 1e6;
      report("step " + i + " (" + Math.round(ms) + " ms)");
      if (gc) { System.gc(); Thread.sleep(500); report("  after System.gc()"); }
    }
    System.out.println("gradient view " + mib(g.getFlattenedGradients() == null ? 0 : g.getFlattenedGradients().length() * 4.0));
  }
}
