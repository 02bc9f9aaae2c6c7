// VGG16 full fine-tuning step variants (224 px, batch 16, SGD, built like Vgg16Blueprint + a 10-class head): args
// px steps nchw|nhwc std|inplace [chunk]. "inplace": ReLU backprop written into the recomputed pre-activation instead of
// a new array; "chunk": ConvolutionLayer helpers replaced (reflection) by a oneDNN helper that runs conv2d / conv2d_bp
// over batch chunks of <= -DchunkMiB (64) per activation. Prints per-step RSS/HWM and workspace sizes.
// docs/performance.md "VGG16 full fine-tuning", third pass. After a package:
// OMP_WAIT_POLICY=PASSIVE java -Xms512m -Xmx6026m -cp "$(cat cli-examples/target/classpath.txt):cli-examples/target/transfer4j-cli.jar" bench/Vgg16StepVariants.java 224 4 nchw inplace chunk
import io.transfer4j.zoo.*;
import org.deeplearning4j.nn.graph.ComputationGraph; import org.nd4j.linalg.factory.Nd4j; import org.nd4j.linalg.api.ndarray.INDArray; import org.nd4j.linalg.api.buffer.DataType;
import org.deeplearning4j.nn.conf.*; import org.deeplearning4j.nn.conf.layers.*; import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex; import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.nd4j.linalg.activations.*; import org.nd4j.linalg.activations.impl.*; import org.nd4j.linalg.learning.config.Sgd; import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative; import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import java.nio.file.*;
public class Vgg16StepVariants {
  public static class InPlaceReLU extends ActivationReLU {
    @Override public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
      Nd4j.getExecutioner().exec(new RectifiedLinearDerivative(in, epsilon, in, 0.0));
      return new Pair<>(in, null);
    }
  }

  public static class ChunkedConvHelper extends org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper {
    static final long LIMIT = Long.getLong("chunkMiB", 64) << 20;
    private INDArray tmpW, tmpB;
    public ChunkedConvHelper(DataType t) { super(t); }
    static int chunks(INDArray in, long outBytesPerImage) {
      long n = in.size(0); long per = Math.max(in.length() / n * in.dataType().width(), outBytesPerImage);
      long fit = Math.max(1, LIMIT / Math.max(1, per)); return (int) Math.min(n, (n + fit - 1) / fit);
    }
    static int[] iargs(int[] k, int[] s, int[] p, int[] d, org.deeplearning4j.nn.conf.ConvolutionMode m, CNN2DFormat f) {
      return new int[]{k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], m == org.deeplearning4j.nn.conf.ConvolutionMode.Same ? 1 : 0, f == CNN2DFormat.NCHW ? 0 : 1, 1};
    }
    static INDArray rows(INDArray a, long from, long to) { return a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to), org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all()); }
    @Override public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides, int[] pad, ConvolutionLayer.AlgoMode mode, ConvolutionLayer.FwdAlgo fwdAlgo, org.deeplearning4j.nn.conf.ConvolutionMode cm, int[] dilation, CNN2DFormat format, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr wm) {
      if (format != CNN2DFormat.NCHW || input.dataType() != DataType.FLOAT) return super.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, cm, dilation, format, wm);
      int[] outSize = cm == org.deeplearning4j.nn.conf.ConvolutionMode.Same ? org.deeplearning4j.util.ConvolutionUtils.getOutputSize(input, kernel, strides, null, cm, dilation, format) : org.deeplearning4j.util.ConvolutionUtils.getOutputSize(input, kernel, strides, pad, cm, dilation, format);
      long outPer = weights.size(0) * outSize[0] * outSize[1] * 4L;
      int c = chunks(input, outPer);
      if (c <= 1) return super.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, cm, dilation, format, wm);
      if (cm == org.deeplearning4j.nn.conf.ConvolutionMode.Same) pad = org.deeplearning4j.util.ConvolutionUtils.getSameModeTopLeftPadding(outSize, new int[]{(int) input.size(2), (int) input.size(3)}, kernel, strides, dilation);
      long n = input.size(0);
      INDArray out = wm.createUninitialized(org.deeplearning4j.nn.workspace.ArrayType.ACTIVATIONS, input.dataType(), n, weights.size(0), outSize[0], outSize[1]);
      int[] ia = iargs(kernel, strides, pad, dilation, cm, format);
      for (int i = 0; i < c; i++) {
        long a = n * i / c, b = n * (i + 1) / c;
        org.nd4j.linalg.api.ops.DynamicCustomOp.DynamicCustomOpsBuilder op = org.nd4j.linalg.api.ops.DynamicCustomOp.builder("conv2d").addIntegerArguments(ia);
        if (bias == null) op.addInputs(rows(input, a, b), weights); else op.addInputs(rows(input, a, b), weights, bias);
        Nd4j.exec(op.addOutputs(rows(out, a, b)).build());
      }
      return out;
    }
    @Override public Pair<org.deeplearning4j.nn.gradient.Gradient, INDArray> backpropGradient(INDArray input, INDArray weights, INDArray bias, INDArray delta, int[] kernel, int[] strides, int[] pad, INDArray biasGradView, INDArray weightGradView, IActivation afn, ConvolutionLayer.AlgoMode mode, ConvolutionLayer.BwdFilterAlgo bf, ConvolutionLayer.BwdDataAlgo bd, org.deeplearning4j.nn.conf.ConvolutionMode cm, int[] dilation, CNN2DFormat format, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr wm) {
      int c = format == CNN2DFormat.NCHW && input.dataType() == DataType.FLOAT ? chunks(input, delta.length() / delta.size(0) * 4L) : 1;
      if (c <= 1) return super.backpropGradient(input, weights, bias, delta, kernel, strides, pad, biasGradView, weightGradView, afn, mode, bf, bd, cm, dilation, format, wm);
      if (cm == org.deeplearning4j.nn.conf.ConvolutionMode.Same) pad = org.deeplearning4j.util.ConvolutionUtils.getSameModeTopLeftPadding(new int[]{(int) delta.size(2), (int) delta.size(3)}, new int[]{(int) input.size(2), (int) input.size(3)}, kernel, strides, dilation);
      long n = input.size(0);
      INDArray gradI = wm.createUninitialized(org.deeplearning4j.nn.workspace.ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
      try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
        if (tmpW == null || !java.util.Arrays.equals(tmpW.shape(), weightGradView.shape())) tmpW = Nd4j.createUninitialized(weightGradView.dataType(), weightGradView.shape());
        if (biasGradView != null && (tmpB == null || !java.util.Arrays.equals(tmpB.shape(), biasGradView.shape()))) tmpB = Nd4j.createUninitialized(biasGradView.dataType(), biasGradView.shape());
      }
      int[] ia = iargs(kernel, strides, pad, dilation, cm, format);
      for (int i = 0; i < c; i++) {
        long a = n * i / c, b = n * (i + 1) / c;
        INDArray gw = i == 0 ? weightGradView : tmpW; INDArray gb = i == 0 ? biasGradView : tmpB;
        org.nd4j.linalg.api.ops.DynamicCustomOp.DynamicCustomOpsBuilder op = org.nd4j.linalg.api.ops.DynamicCustomOp.builder("conv2d_bp").addIntegerArguments(ia);
        if (bias == null) op.addInputs(rows(input, a, b), weights, rows(delta, a, b)); else op.addInputs(rows(input, a, b), weights, bias, rows(delta, a, b));
        if (biasGradView == null) op.addOutputs(rows(gradI, a, b), gw); else op.addOutputs(rows(gradI, a, b), gw, gb);
        Nd4j.exec(op.build());
        if (i > 0) { weightGradView.addi(tmpW); if (biasGradView != null) biasGradView.addi(tmpB); }
      }
      org.deeplearning4j.nn.gradient.DefaultGradient g = new org.deeplearning4j.nn.gradient.DefaultGradient();
      if (biasGradView != null) g.gradientForVariable().put("b", biasGradView);
      g.gradientForVariable().put("W", weightGradView);
      return new Pair<>(g, gradI);
    }
  }
  static void inject(ComputationGraph g) throws Exception {
    java.lang.reflect.Field f = org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class.getDeclaredField("helper"); f.setAccessible(true);
    int k = 0;
    for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) if (l.getClass() == org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class && f.get(l) != null && f.get(l).getClass() == org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper.class) { f.set(l, new ChunkedConvHelper(DataType.FLOAT)); k++; }
    System.err.println("injected " + k);
  }
  static long kb(String key) throws Exception { for (String l : Files.readAllLines(Path.of("/proc/self/status"))) if (l.startsWith(key)) return Long.parseLong(l.replaceAll("\\D+", "")); return -1; }
  public static void main(String[] a) throws Exception {
    Backend.ensureInitialised();
    int px = Integer.parseInt(a[0]); int steps = Integer.parseInt(a[1]); CNN2DFormat fmt = a[2].equals("nhwc") ? CNN2DFormat.NHWC : CNN2DFormat.NCHW; boolean inplace = a[3].equals("inplace");
    IActivation relu = inplace ? new InPlaceReLU() : new ActivationReLU();
    int[][] blocks = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
    ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().seed(42).updater(new Sgd(1e-3)).graphBuilder().addInputs("input");
    String last = "input"; int ch = 3; int h = px;
    for (int b = 0; b < 5; b++) { for (int c = 0; c < blocks[b].length; c++) { String n = "block" + (b+1) + "_conv" + (c+1);
        gb.addLayer(n, new ConvolutionLayer.Builder(3,3).stride(1,1).padding(1,1).nIn(ch).nOut(blocks[b][c]).dataFormat(fmt).activation(relu).build(), last); last = n; ch = blocks[b][c]; }
      String p = "block" + (b+1) + "_pool"; gb.addLayer(p, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2,2).stride(2,2).dataFormat(fmt).build(), last); last = p; h /= 2; }
    gb.addVertex("flatten", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(h, h, ch, fmt)), last);
    gb.addLayer("fc1", new DenseLayer.Builder().nIn((long) h*h*ch).nOut(4096).activation(relu).build(), "flatten");
    gb.addLayer("fc2", new DenseLayer.Builder().nIn(4096).nOut(4096).activation(relu).build(), "fc1");
    gb.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4096).nOut(10).activation(Activation.SOFTMAX).build(), "fc2");
    gb.setOutputs("out"); gb.setInputTypes(InputType.convolutional(px, px, 3, fmt));
    ComputationGraph g = new ComputationGraph(gb.build()); g.init(); if (a.length > 4 && a[4].equals("chunk")) inject(g);
    System.gc(); Thread.sleep(300);
    INDArray x = fmt == CNN2DFormat.NHWC ? Nd4j.rand(DataType.FLOAT,16,px,px,3) : Nd4j.rand(DataType.FLOAT,16,3,px,px); INDArray y=Nd4j.zeros(DataType.FLOAT,16,10); for(int i=0;i<16;i++) y.putScalar(i,i%10,1);
    org.nd4j.linalg.dataset.DataSet ds=new org.nd4j.linalg.dataset.DataSet(x,y);
    long[] ms = new long[steps];
    for (int i = 1; i <= steps; i++) {
      System.err.println("######## STEP " + i + " begin RSS " + kb("VmRSS:")/1024 + " MiB HWM " + kb("VmHWM:")/1024); System.err.flush();
      long t0 = System.nanoTime();
      g.fit(ds);
      ms[i-1] = (System.nanoTime()-t0)/1000000;
      StringBuilder ws = new StringBuilder(); for (MemoryWorkspace w : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) ws.append(' ').append(w.getId()).append('=').append(w.getCurrentSize() >> 20);
      System.err.println("######## STEP " + i + " end " + ms[i-1] + " ms score " + g.score() + " RSS " + kb("VmRSS:")/1024 + " MiB HWM " + kb("VmHWM:")/1024 + " ws" + ws); System.err.flush();
    }
    System.out.println("RESULT " + a[2] + " " + a[3] + " HWM " + kb("VmHWM:")/1024 + " MiB, ms/step " + java.util.Arrays.toString(ms));
  }
}
