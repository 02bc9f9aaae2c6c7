// Derived inference graph vs the original graph vs a frozen-body training step, interleaved in one JVM (docs/performance.md).
// From the repository root after ./mvnw -pl cli-examples -am package -DskipTests:
// OMP_WAIT_POLICY=PASSIVE java -Xms2g -Xmx6g -cp "$(cat cli-examples/target/classpath.txt):cli-examples/target/transfer4j-cli.jar" bench/DerivedInference.java resnet50 224 8 1 [infer-only]
// infer-only: just the derived graph on DL4J's executor vs InferenceGraph.output (the direct executor), e.g. under JFR
import io.transfer4j.zoo.*; import io.transfer4j.core.InferenceGraph;
import org.deeplearning4j.nn.graph.ComputationGraph; import org.nd4j.linalg.factory.Nd4j; import org.nd4j.linalg.api.ndarray.INDArray; import org.nd4j.linalg.api.buffer.DataType;
import org.deeplearning4j.nn.transferlearning.*; import org.deeplearning4j.nn.conf.layers.*; import org.nd4j.linalg.activations.Activation; import org.nd4j.linalg.learning.config.Sgd; import org.nd4j.linalg.lossfunctions.LossFunctions;
import java.util.*;
public class DerivedInference {
  static double time(Runnable r, int n) { r.run(); double[] t=new double[n]; for(int i=0;i<n;i++){ long t0=System.nanoTime(); r.run(); t[i]=(System.nanoTime()-t0)/1e6;} Arrays.sort(t); return t[0]; }
  public static void main(String[] a) throws Exception {
    Backend.ensureInitialised();
    String model=a[0]; int size=Integer.parseInt(a[1]); int n=Integer.parseInt(a[2]); int rounds=Integer.parseInt(a[3]);
    String cut = model.equals("vgg16") ? "fc2" : "flatten_1"; long nin = model.equals("vgg16") ? 4096 : 2048;
    Backbone b = Zoo.builder().offline(true).build().random(model, InputShape.rgb(size,size), 1);
    ComputationGraph g0=b.graph();
    TransferLearning.GraphBuilder tb=new TransferLearning.GraphBuilder(g0).fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(1e-3)).build());
    for (String o: g0.getConfiguration().getNetworkOutputs()) if(!o.equals(cut)) tb.removeVertexAndConnections(o);
    ComputationGraph g=tb.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nin).nOut(10).activation(Activation.SOFTMAX).build(),cut).setOutputs("out").build();
    INDArray x=Nd4j.rand(DataType.FLOAT,16,3,size,size).muli(2).subi(1); INDArray y=Nd4j.zeros(DataType.FLOAT,16,10); for(int i=0;i<16;i++) y.putScalar(i,i%10,1);
    org.nd4j.linalg.dataset.DataSet ds=new org.nd4j.linalg.dataset.DataSet(x,y);
    InferenceGraph nchw=InferenceGraph.derive(g, g.getConfiguration().getNetworkOutputs(), List.of(), InferenceGraph.Layout.NCHW);
    InferenceGraph best=InferenceGraph.derive(g);
    ComputationGraph h=new TransferLearning.GraphBuilder(g).setFeatureExtractor(cut).build();
    System.out.println("layout of default derived: " + best.layout() + ", BN folded " + best.foldedBatchNorms() + ", activations fused " + best.fusedActivations());
    // derived-dl4j-executor: the same derived graph through DL4J's ComputationGraph executor (what InferenceGraph.output
    // ran before the direct executor), input transposed the same way; derived-default: InferenceGraph.output (direct)
    String[] names={"original-outputSingle","derived-NCHW","derived-dl4j-executor","derived-default","frozen-body-head-step"};
    boolean nhwc = best.layout() == InferenceGraph.Layout.NHWC;
    Runnable[] rs={() -> g.outputSingle(false,x), () -> nchw.output(x),
        () -> best.graph().outputSingle(false, nhwc ? x.permute(0,2,3,1).dup('c') : x), () -> best.output(x), () -> h.fit(ds)};
    if (a.length > 4 && a[4].equals("infer-only")) { names=Arrays.copyOfRange(names,2,4); rs=Arrays.copyOfRange(rs,2,4); }
    for (Runnable r0 : rs) r0.run();
    double[][] t=new double[rs.length][n];
    for (int i=0;i<n;i++) for (int k=0;k<rs.length;k++) { long t0=System.nanoTime(); rs[k].run(); t[k][i]=(System.nanoTime()-t0)/1e6; }
    StringBuilder sb=new StringBuilder(model+" "+size+"px b16, "+n+" interleaved rounds, ms/batch min/median:");
    for (int k=0;k<rs.length;k++){ Arrays.sort(t[k]); sb.append(String.format(" %s %.0f/%.0f", names[k], t[k][0], t[k][n/2])); }
    System.out.println(sb);
  }
}
