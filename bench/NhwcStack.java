// NCHW vs NHWC wall time on a conv/BN/ReLU stack (docs/performance.md). Run from the repository root after a build:
// java -Dch=256 -cp "$(cat cli-examples/target/classpath.txt):cli-examples/target/transfer4j-cli.jar" bench/NhwcStack.java
import org.deeplearning4j.nn.conf.*; import org.deeplearning4j.nn.conf.layers.*; import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph; import org.nd4j.linalg.factory.Nd4j; import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType; import org.nd4j.linalg.activations.Activation; import org.nd4j.linalg.learning.config.Sgd; import org.nd4j.linalg.lossfunctions.LossFunctions;
public class NhwcStack {
  static ComputationGraph net(CNN2DFormat f, int hw) {
    ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(1).updater(new Sgd(1e-3)).graphBuilder().addInputs("in");
    String prev="in"; int ch=Integer.getInteger("ch",64);
    b.addLayer("c0", new ConvolutionLayer.Builder(3,3).nOut(ch).padding(1,1).dataFormat(f).activation(Activation.IDENTITY).build(), prev); prev="c0";
    for (int i=1;i<=8;i++){
      b.addLayer("bn"+i, new BatchNormalization.Builder().dataFormat(f).build(), prev);
      b.addLayer("r"+i, new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn"+i);
      b.addLayer("c"+i, new ConvolutionLayer.Builder(3,3).nOut(ch).padding(1,1).dataFormat(f).activation(Activation.IDENTITY).build(), "r"+i); prev="c"+i; }
    b.addLayer("p", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), prev);
    b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build(), "p");
    b.setOutputs("out").setInputTypes(InputType.convolutional(hw,hw,3,f));
    ComputationGraph g = new ComputationGraph(b.build()); g.init(); return g; }
  public static void main(String[] a) {
    io.transfer4j.zoo.Backend.ensureInitialised();
    int hw=56, n=16;
    for (CNN2DFormat f : new CNN2DFormat[]{CNN2DFormat.NCHW, CNN2DFormat.NHWC, CNN2DFormat.NCHW, CNN2DFormat.NHWC}) {
      ComputationGraph g = net(f, hw);
      INDArray x = f==CNN2DFormat.NCHW ? Nd4j.rand(DataType.FLOAT, n,3,hw,hw) : Nd4j.rand(DataType.FLOAT, n,hw,hw,3);
      INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10); for (int i=0;i<n;i++) y.putScalar(i, i%10, 1);
      for (int i=0;i<2;i++) { g.outputSingle(false, x); g.fit(new org.nd4j.linalg.dataset.DataSet(x,y)); }
      long t0=System.nanoTime(); for (int i=0;i<5;i++) g.outputSingle(false, x); long t1=System.nanoTime();
      for (int i=0;i<3;i++) g.fit(new org.nd4j.linalg.dataset.DataSet(x,y)); long t2=System.nanoTime();
      System.out.printf("%s infer %.0f ms, train %.0f ms%n", f, (t1-t0)/5e6, (t2-t1)/3e6);
    }
  }
}
