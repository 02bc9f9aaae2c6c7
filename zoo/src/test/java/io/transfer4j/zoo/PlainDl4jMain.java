package io.transfer4j.zoo;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

/** Child-JVM program for {@link BackendTest}: builds a network with plain DL4J calls only. */
public final class PlainDl4jMain {
    private PlainDl4jMain() {
    }

    public static void main(String[] args) {
        ComputationGraph g = TestNets.cnn(3, DataType.FLOAT);
        StringBuilder sb = new StringBuilder("helpers=");
        for (String layer : new String[] {"conv1", "bn1", "maxpool"}) {
            var helper = g.getLayer(layer).getHelper();
            sb.append(helper == null ? "none" : helper.getClass().getSimpleName()).append(',');
        }
        sb.setLength(sb.length() - 1);
        System.out.println(sb);
    }
}
