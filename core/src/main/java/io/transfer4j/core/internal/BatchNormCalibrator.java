package io.transfer4j.core.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Sets BatchNorm running statistics from data: every listed BN layer gets the exact mean and (biased) variance of
 * its input over all seen samples and positions, with the network in training mode (batch statistics), as when
 * a random backbone is first trained. No weight changes.
 */
public final class BatchNormCalibrator {
    private BatchNormCalibrator() {
    }

    /** Frees {@code a} now unless it shares its buffer with {@code keep} (the caller's data) or is a view. */
    private static void close(INDArray a, INDArray keep) {
        if (a != null && a != keep && a.data() != keep.data() && a.closeable()) {
            a.close();
        }
    }

    /** Returns the number of samples seen. */
    public static long calibrate(ComputationGraph target, ComputationGraphConfiguration plain, List<String> bnLayers,
                                 DataSetIterator data, int batches) {
        ComputationGraph work = new ComputationGraph(GraphSurgery.materialize(plain, Set.of(), null));
        work.init();
        GraphSurgery.copyParams(target, work, GraphSurgery.layerNames(target));
        if (data.resetSupported()) {
            data.reset();
        }
        Map<String, INDArray[]> sums = new LinkedHashMap<>(); // name -> {sum, sumSq}
        Map<String, Long> counts = new LinkedHashMap<>();
        long samples = 0;
        for (int b = 0; b < batches && data.hasNext(); b++) {
            DataSet ds = data.next();
            INDArray features = ds.getFeatures();
            samples += features.size(0);
            Map<String, INDArray> acts = work.feedForward(features, true);
            for (String name : bnLayers) {
                LayerVertex lv = (LayerVertex) plain.getVertices().get(name);
                BatchNormalization bn = (BatchNormalization) lv.getLayerConf().getLayer();
                INDArray x = acts.get(plain.getVertexInputs().get(name).get(0));
                InputPreProcessor pp = lv.getPreProcessor();
                if (pp != null) {
                    x = pp.preProcess(x, (int) x.size(0), LayerWorkspaceMgr.noWorkspaces());
                }
                INDArray xd = x.castTo(DataType.DOUBLE);
                int[] dims = xd.rank() == 2 ? new int[] {0}
                        : bn.getCnn2DFormat() == CNN2DFormat.NHWC ? new int[] {0, 1, 2} : new int[] {0, 2, 3};
                INDArray s = xd.sum(dims);
                INDArray squares = xd.mul(xd);
                INDArray sq = squares.sum(dims);
                long n = xd.length() / s.length();
                close(squares, features);
                if (xd != x) {
                    close(xd, features);
                }
                sums.merge(name, new INDArray[] {s, sq}, (a, c) -> new INDArray[] {a[0].addi(c[0]), a[1].addi(c[1])});
                counts.merge(name, n, Long::sum);
            }
            // every activation of the whole graph in training mode, float64 copies of the BN inputs: GBs at 224 px
            // for ResNet50, freed now instead of whenever the garbage collector runs (docs/performance.md, Memory)
            acts.values().forEach(a -> close(a, features));
        }
        // its parameters (a copy of the model's), and this thread's workspaces, which the training-mode forward pass
        // grew to the whole graph's activations (ComputationGraph.close() would also run a full GC)
        work.params().close();
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        if (data.resetSupported()) {
            data.reset(); // leave the iterator at its start for the training that follows
        }
        if (samples == 0) {
            throw new IllegalArgumentException("calibrateBatchNorm needs at least one batch of data; the iterator"
                    + " gave none (is it exhausted? call reset() or pass a fresh iterator)");
        }
        for (String name : bnLayers) {
            INDArray[] s = sums.get(name);
            double n = counts.get(name);
            INDArray mean = s[0].div(n);
            INDArray var = Transforms.max(s[1].div(n).subi(mean.mul(mean)), 1e-12);
            org.deeplearning4j.nn.api.Layer layer = GraphSurgery.inner(target.getLayer(name));
            BatchNormalization bn = (BatchNormalization) layer.conf().getLayer();
            INDArray meanParam = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
            meanParam.assign(mean.reshape(meanParam.shape()).castTo(meanParam.dataType()));
            if (bn.isUseLogStd()) {
                INDArray p = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
                p.assign(Transforms.log(var, 10).muli(0.5).reshape(p.shape()).castTo(p.dataType()));
            } else {
                INDArray p = layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
                p.assign(var.reshape(p.shape()).castTo(p.dataType()));
            }
        }
        return samples;
    }
}
