package io.transfer4j.training;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import io.transfer4j.augmentation.ImageFlow;

/** {@link TrainingData} of an augmentation flow: everything is known from the flow without iterating it. */
final class FlowData implements TrainingData {
    private final ImageFlow flow;

    FlowData(ImageFlow flow) {
        this.flow = flow;
    }

    @Override
    public java.util.Optional<io.transfer4j.zoo.InputShape> sampleShape() {
        var o = flow.options();
        return java.util.Optional.of(new io.transfer4j.zoo.InputShape(o.colorMode().channels(), o.targetHeight(),
                o.targetWidth()));
    }

    @Override
    public DataSetIterator iterator() {
        return flow;
    }

    @Override
    public OptionalInt samples() {
        return OptionalInt.of(flow.samples());
    }

    @Override
    public int batchesPerEpoch() {
        return flow.batchesPerEpoch();
    }

    @Override
    public boolean augmented() {
        return flow.isAugmented();
    }

    @Override
    public Iterator<DataSet> epoch(int epoch) {
        flow.setEpoch(epoch);
        return flow;
    }

    @Override
    public java.util.Optional<Order> order(int epoch) {
        return java.util.Optional.of(new Order(flow.epochOrder(epoch), flow.batch()));
    }

    @Override
    public java.util.Optional<int[]> lastBatchSamples() {
        return java.util.Optional.of(flow.lastBatchSamples().stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public java.util.Optional<List<String>> lastBatchNames() {
        return flow.sampleFiles().map(files -> flow.lastBatchSamples().stream().map(files::get).toList());
    }

    @Override
    public long[] classCounts(int numClasses) {
        long[] counts = new long[numClasses];
        for (int c : flow.classes()) {
            counts[c]++;
        }
        return counts;
    }

    @Override
    public String fingerprint() {
        java.util.Optional<List<String>> files = flow.sampleFiles();
        if (files.isEmpty()) {
            return IteratorData.unknown(flow);
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<String> names = files.get();
            int[] classes = flow.classes();
            for (int i = 0; i < names.size(); i++) {
                md.update((names.get(i) + "\t" + classes[i] + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return "files:" + HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
