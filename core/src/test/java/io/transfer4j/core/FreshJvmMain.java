package io.transfer4j.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Run in a fresh JVM by {@link FreshJvmIT}: opens a bundle as a batch application would and predicts every image
 * of a directory from several threads at once; prints {@code file TAB label TAB probability} lines, sorted.
 */
public final class FreshJvmMain {
    private FreshJvmMain() {
    }

    public static void main(String[] args) throws Exception {
        Path bundle = Path.of(args[0]);
        Path images = Path.of(args[1]);
        int threads = Integer.parseInt(args[2]);
        List<Path> files;
        try (Stream<Path> s = Files.list(images)) {
            files = s.sorted().toList();
        }
        Map<String, String> out = new ConcurrentHashMap<>();
        try (Predictor p = Predictor.open(bundle, Predictor.Options.defaults().withParallelism(threads))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> jobs = new java.util.ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    jobs.add(pool.submit(() -> {
                        for (Path f : files) {
                            Prediction top = p.predict(ImageInput.of(f), 1).get(0);
                            String line = top.label() + "\t" + top.probability();
                            String before = out.putIfAbsent(f.getFileName().toString(), line);
                            if (before != null && !before.equals(line)) {
                                throw new IllegalStateException("threads disagree on " + f + ": " + before + " vs "
                                        + line);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> j : jobs) {
                    j.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
        new TreeMap<>(out).forEach((k, v) -> System.out.println(k + "\t" + v));
    }
}
