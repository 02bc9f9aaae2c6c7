// Peak RSS of one workload per JVM: fullfit (FrozenLayer body + head, graph.fit), split (derived prefix + head-only
// graph), finetune, infer-orig, infer-derived (docs/performance.md "Memory: the frozen-body step"). After a package:
// OMP_WAIT_POLICY=PASSIVE java -Xms2g -Xmx6g -cp "$(cat cli-examples/target/classpath.txt):cli-examples/target/transfer4j-cli.jar" bench/FrozenStepMemory.java resnet50 224 split
import io.transfer4j.zoo.*; import io.transfer4j.core.InferenceGraph;
import org.deeplearning4j.nn.graph.ComputationGraph; import org.nd4j.linalg.factory.Nd4j; import org.nd4j.linalg.api.ndarray.INDArray; import org.nd4j.linalg.api.buffer.DataType;
import org.deeplearning4j.nn.transferlearning.*; import org.deeplearning4j.nn.conf.layers.*; import org.deeplearning4j.nn.conf.*;
import org.nd4j.linalg.activations.Activation; import org.nd4j.linalg.learning.config.Sgd; import org.nd4j.linalg.lossfunctions.LossFunctions;
import java.util.*; import java.nio.file.*;
public class FrozenStepMemory {
  static long kb(String key) throws Exception { for (String l : Files.readAllLines(Path.of("/proc/self/status"))) if (l.startsWith(key)) return Long.parseLong(l.replaceAll("\\D+", "")); return -1; }
  static void reset() throws Exception { Files.writeString(Path.of("/proc/self/clear_refs"), "5"); }
  public static void main(String[] a) throws Exception {
    Backend.ensureInitialised();
    String model=a[0]; int size=Integer.parseInt(a[1]); String mode=a[2]; int steps=3;
    String cut = model.equals("vgg16") ? "fc2" : "flatten_1"; long nin = model.equals("vgg16") ? 4096 : 2048;
    Backbone b = Zoo.builder().offline(true).build().random(model, InputShape.rgb(size,size), 1);
    ComputationGraph g0=b.graph();
    TransferLearning.GraphBuilder tb=new TransferLearning.GraphBuilder(g0).fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(1e-3)).build());
    if (mode.equals("fullfit")) tb.setFeatureExtractor(cut);
    for (String o: g0.getConfiguration().getNetworkOutputs()) if(!o.equals(cut)) tb.removeVertexAndConnections(o);
    ComputationGraph g=tb.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nin).nOut(10).activation(Activation.SOFTMAX).build(),cut).setOutputs("out").build();
    b = null; g0 = null;
    INDArray x=Nd4j.rand(DataType.FLOAT,16,3,size,size).muli(2).subi(1); INDArray y=Nd4j.zeros(DataType.FLOAT,16,10); for(int i=0;i<16;i++) y.putScalar(i,i%10,1);
    org.nd4j.linalg.dataset.DataSet ds=new org.nd4j.linalg.dataset.DataSet(x,y);
    Runnable step;
    if (mode.equals("fullfit") || mode.equals("finetune")) { step = () -> g.fit(ds); }
    else if (mode.equals("split")) {
      InferenceGraph body = InferenceGraph.derive(g, cut);
      ComputationGraph head = new ComputationGraph(new NeuralNetConfiguration.Builder().updater(new Sgd(1e-3)).graphBuilder().addInputs("f")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nin).nOut(10).activation(Activation.SOFTMAX).build(), "f").setOutputs("out").build());
      head.init();
      step = () -> head.fit(new org.nd4j.linalg.dataset.DataSet(body.output(x), y));
    } else if (mode.equals("infer-derived")) { InferenceGraph ig = InferenceGraph.derive(g); step = () -> ig.output(x); }
    else { step = () -> g.outputSingle(false, x); }
    System.gc(); Thread.sleep(500);
    long before = kb("VmRSS:"); reset();
    long t0 = System.nanoTime();
    for (int i=0;i<steps;i++) step.run();
    System.out.printf("%s %s %dpx b16: RSS before steps %d MiB, peak during %d steps %d MiB, %.0f ms/step, heap used %d MiB%n", model, mode, size, before/1024, steps, kb("VmHWM:")/1024, (System.nanoTime()-t0)/1e6/steps, (Runtime.getRuntime().totalMemory()-Runtime.getRuntime().freeMemory())>>20);
  }
}
