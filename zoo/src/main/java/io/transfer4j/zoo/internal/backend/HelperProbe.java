package io.transfer4j.zoo.internal.backend;

import io.transfer4j.zoo.BackendReport.HelperCheck;
import io.transfer4j.zoo.HelperKind;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks for real that each helper-capable layer type runs on its helper: builds a tiny network (conv, BN, max
 * pooling, average pooling, output), puts a recording proxy in front of each layer's helper, runs one
 * inference pass and one training step, and reports for each layer whether the helper (not DL4J's built-in
 * code) produced the inference output, the training output and the gradient. A helper that is attached but
 * returns {@code null} (DL4J then silently uses its built-in code) or throws (DL4J falls back, logs a warning)
 * shows up as not used.
 */
public final class HelperProbe {

    private HelperProbe() {
    }

    /** Runs the probe; takes well under a second once ND4J is loaded. */
    public static List<HelperCheck> run() {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration());
        net.init();
        List<Recorder> recorders = new ArrayList<>();
        for (LayerInspector.NamedLayer nl : LayerInspector.layers(net)) {
            HelperKind.of(nl.layer()).ifPresent(kind -> recorders.add(Recorder.attach(nl, kind)));
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8).muli(255);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 3);
        y.putScalar(0, 0, 1f);
        y.putScalar(1, 2, 1f);

        recorders.forEach(r -> r.phase = Phase.INFERENCE);
        INDArray out = net.output(x, false);
        recorders.forEach(r -> r.phase = Phase.TRAINING);
        net.fit(new DataSet(x, y));
        boolean finite = !out.isNaN().any() && !out.isInfinite().any() && Double.isFinite(net.score());

        List<HelperCheck> checks = new ArrayList<>();
        for (Recorder r : recorders) {
            int fallbacks = LayerInspector.fallbacks(r.layer);
            String note = !finite ? "probe produced non-finite values"
                    : fallbacks > 0 ? "helper failed " + fallbacks + "x and DL4J fell back to built-in code"
                    : r.helperClass == null ? "no helper attached (built-in Java implementation)" : "";
            checks.add(new HelperCheck(r.kind, r.description, r.helperClass,
                    r.inference && finite, r.trainForward && finite, r.backward && finite, note));
        }
        return checks;
    }

    private static MultiLayerConfiguration configuration() {
        return new NeuralNetConfiguration.Builder()
                .seed(7).dataType(DataType.FLOAT).updater(new Sgd(1e-3))
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).name("convolution 3x3").build())
                .layer(new BatchNormalization.Builder().name("batch normalisation").build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .name("max pooling 2x2").build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2)
                        .name("average pooling 2x2").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).name("output").build())
                .setInputType(InputType.convolutional(8, 8, 3))
                .build();
    }

    private enum Phase { INFERENCE, TRAINING }

    /** Records whether the helper it wraps produced results, per phase. */
    private static final class Recorder implements InvocationHandler {
        final HelperKind kind;
        final String description;
        final Layer layer;
        final String helperClass;
        final Object target;
        volatile Phase phase = Phase.INFERENCE;
        boolean inference;
        boolean trainForward;
        boolean backward;

        private Recorder(HelperKind kind, String description, Layer layer, LayerHelper target) {
            this.kind = kind;
            this.description = description;
            this.layer = layer;
            this.target = target;
            this.helperClass = target == null ? null : target.getClass().getSimpleName();
        }

        static Recorder attach(LayerInspector.NamedLayer nl, HelperKind kind) {
            LayerHelper helper = nl.layer().getHelper();
            Recorder r = new Recorder(kind, nl.name(), nl.layer(), helper);
            if (helper != null) {
                Field f = LayerInspector.findField(nl.layer().getClass(), LayerInspector.HELPER_FIELD);
                if (f == null) {
                    throw new IllegalStateException("DL4J layer " + nl.layer().getClass().getName()
                            + " has a helper but no '" + LayerInspector.HELPER_FIELD + "' field: unsupported DL4J version");
                }
                Object proxy = Proxy.newProxyInstance(helper.getClass().getClassLoader(),
                        interfaces(helper.getClass()), r);
                try {
                    f.set(nl.layer(), proxy);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("Cannot install the probe on " + nl.name(), e);
                }
            }
            return r;
        }

        private static Class<?>[] interfaces(Class<?> type) {
            Set<Class<?>> all = new LinkedHashSet<>();
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                all.addAll(List.of(c.getInterfaces()));
            }
            return all.toArray(new Class<?>[0]);
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (result != null) {
                boolean forward = switch (kind) {
                    // ConvolutionHelper.activate only applies the activation function; preOutput is the convolution
                    case CONVOLUTION, BATCH_NORMALIZATION -> method.getName().equals("preOutput");
                    case SUBSAMPLING -> method.getName().equals("activate");
                };
                if (forward) {
                    if (phase == Phase.INFERENCE) {
                        inference = true;
                    } else {
                        trainForward = true;
                    }
                } else if (method.getName().equals("backpropGradient")) {
                    backward = true;
                }
            }
            return result;
        }
    }
}
