// Where a ResNet50 step spends its time: run with DNNL_VERBOSE=1 and sum the exec lines between the MARK lines
// (docs/performance.md; bench/dnnl_summary.py does the sums). From the repository root after a build:
// DNNL_VERBOSE=1 java -Xmx6g -cp "$(cat cli-examples/target/classpath.txt):cli-examples/target/transfer4j-cli.jar" bench/ResNet50Profile.java 224 [derived] > profile.txt
// "derived": the inference section runs InferenceGraph.derive(g) (what Predictor and `bench infer` run) instead of
// the model's own outputSingle.
import io.transfer4j.zoo.*; import io.transfer4j.core.InferenceGraph; import org.deeplearning4j.nn.graph.ComputationGraph; import org.nd4j.linalg.factory.Nd4j; import org.nd4j.linalg.api.ndarray.INDArray; import org.nd4j.linalg.api.buffer.DataType;
import org.deeplearning4j.nn.transferlearning.*; import org.deeplearning4j.nn.conf.layers.*; import org.nd4j.linalg.activations.Activation; import org.nd4j.linalg.learning.config.Sgd; import org.nd4j.linalg.lossfunctions.LossFunctions;
public class ResNet50Profile { public static void main(String[] a) throws Exception {
  Backend.ensureInitialised();
  int size=Integer.parseInt(a[0]); boolean derived = a.length > 1 && a[1].equals("derived");
  Backbone b = Zoo.builder().offline(true).build().random("resnet50", InputShape.rgb(size,size), 1);
  ComputationGraph g0=b.graph();
  TransferLearning.GraphBuilder tb=new TransferLearning.GraphBuilder(g0).fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Sgd(1e-3)).build());
  for (String o: g0.getConfiguration().getNetworkOutputs()) if(!o.equals("flatten_1")) tb.removeVertexAndConnections(o);
  ComputationGraph g=tb.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(2048).nOut(10).activation(Activation.SOFTMAX).build(),"flatten_1").setOutputs("out").build();
  INDArray x=Nd4j.rand(DataType.FLOAT,16,3,size,size); INDArray y=Nd4j.zeros(DataType.FLOAT,16,10); for(int i=0;i<16;i++) y.putScalar(i,i%10,1);
  org.nd4j.linalg.dataset.DataSet ds=new org.nd4j.linalg.dataset.DataSet(x,y);
  InferenceGraph ig = derived ? InferenceGraph.derive(g) : null;
  Runnable infer = derived ? () -> ig.output(x) : () -> g.outputSingle(false,x);
  if (derived) System.out.println("derived: layout " + ig.layout() + ", BN folded " + ig.foldedBatchNorms() + ", activations fused " + ig.fusedActivations() + ", adds fused " + ig.fusedAdds());
  infer.run(); infer.run(); g.fit(ds);
  System.out.println("MARK infer-start"); long t0=System.nanoTime(); for(int i=0;i<3;i++) infer.run(); long t1=System.nanoTime();
  System.out.println("MARK infer-end " + (t1-t0)/1e6);
  System.out.println("MARK train-start"); t0=System.nanoTime(); for(int i=0;i<2;i++) g.fit(ds); t1=System.nanoTime();
  System.out.println("MARK train-end " + (t1-t0)/1e6);
} }
