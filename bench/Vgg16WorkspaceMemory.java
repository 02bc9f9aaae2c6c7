// Peak RSS and step time of a VGG16 full fine-tuning step (224 px, batch 16) with DL4J workspaces ENABLED or NONE
// (BENCHMARKS.md, peak-memory target). From the repository root after a build:
// java -Xmx2g -cp "$(cat cli-examples/target/classpath.txt):cli-examples/target/transfer4j-cli.jar" bench/Vgg16WorkspaceMemory.java ENABLED
import io.transfer4j.zoo.*; import org.deeplearning4j.nn.graph.ComputationGraph; import org.nd4j.linalg.factory.Nd4j; import org.nd4j.linalg.api.ndarray.INDArray; import org.nd4j.linalg.api.buffer.DataType;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.transferlearning.*; import org.deeplearning4j.nn.conf.layers.*; import org.nd4j.linalg.activations.Activation; import org.nd4j.linalg.learning.config.Sgd; import org.nd4j.linalg.lossfunctions.LossFunctions;
public class Vgg16WorkspaceMemory { public static void main(String[] a) throws Exception {
  Backend.ensureInitialised();
  WorkspaceMode mode = WorkspaceMode.valueOf(a[0]);
  Backbone b = Zoo.builder().offline(true).build().random("vgg16", InputShape.rgb(224,224), 1);
  ComputationGraph g0=b.graph();
  TransferLearning.GraphBuilder tb=new TransferLearning.GraphBuilder(g0).fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(1e-3)).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode).build());
  for (String o: g0.getConfiguration().getNetworkOutputs()) if(!o.equals("fc2")) tb.removeVertexAndConnections(o);
  ComputationGraph g=tb.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4096).nOut(10).activation(Activation.SOFTMAX).build(),"fc2").setOutputs("out").build();
  g0 = null; b = null; System.gc();
  INDArray x=Nd4j.rand(DataType.FLOAT,16,3,224,224); INDArray y=Nd4j.zeros(DataType.FLOAT,16,10); for(int i=0;i<16;i++) y.putScalar(i,i%10,1);
  org.nd4j.linalg.dataset.DataSet ds=new org.nd4j.linalg.dataset.DataSet(x,y);
  g.fit(ds);
  long t0=System.nanoTime(); for(int i=0;i<2;i++) g.fit(ds); double ms=(System.nanoTime()-t0)/2e6;
  String hwm = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream().filter(l->l.startsWith("VmHWM")).findFirst().get();
  System.out.println(mode + ": " + Math.round(ms) + " ms/step, " + hwm.replaceAll("\\s+"," "));
} }
