package io.transfer4j.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/**
 * Not a test: measures Predictor throughput with 1 vs N pooled graph copies (run by hand, see core/README.md).
 * Args: backbone size threads images.
 */
public final class PredictorThroughputBench {
    private PredictorThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        String id = args.length > 0 ? args[0] : "vgg16";
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int images = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        TransferModel m = TransferModel.builder()
                .backbone(Zoo.builder().offline(true).build().random(id, InputShape.rgb(size, size), 1))
                .labels(List.of("a", "b")).build();
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, size, size).muli(255);
        for (int parallelism : new int[] {1, threads}) {
            try (Predictor p = Predictor.of(m, Predictor.Options.defaults().withParallelism(parallelism))) {
                p.predict(ImageInput.of(x), 1); // warm-up
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                long t0 = System.nanoTime();
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    fs.add(pool.submit(() -> {
                        for (int i = 0; i < images; i++) {
                            p.predict(ImageInput.of(x), 1);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                pool.shutdown();
                System.out.printf("%s %dpx: %d threads, %d graph copies: %.1f images/s (%.2f s)%n", id, size, threads,
                        parallelism, threads * images / s, s);
            }
        }
    }
}
