// The K-augmented-views experiment of issue 12 (run it with bench/kviews.sh; results in BENCHMARKS.md, "K augmented
// views"). Question: FineTuner.builder().augmentedViews(K) caches K seeded augmented views of every training image at
// the freeze boundary instead of augmenting afresh every epoch — what does that cost in validation accuracy, and
// what does it save in time?
//
// Accuracy only means something if the frozen prefix carries signal, and no pretrained weights can be downloaded
// here, so the experiment makes its own: the zoo's tiny backbone (3 conv blocks) is trained on MNIST digits 0-4,
// saved as a transfer4j bundle, loaded again and turned into a backbone (TransferModel.asBackbone), then transferred
// to a small set of the OTHER digits (5-9, 10 images per class by default) with block3 + head trainable (freeze
// boundary block2_pool) and Keras-style augmentation. Every run is FineTuner as a user calls it on folders of PNGs
// (ImagePipeline.flowFromDirectory). Variants, same epochs and the same seeds each:
//   none      no augmentation (the plain boundary cache)           — does augmentation matter on this task?
//   fresh     fresh augmentation every epoch (prefix per batch)    — the reference
//   K=1,2,4.. augmentedViews(K): K views cached, epoch e trains on view e mod K
//   scratch   fresh augmentation on a RANDOM tiny backbone (BatchNorm statistics calibrated on the training
//             images)                                            — does the pretrained body carry signal?
//
// usage (from the repository root, with the CLI's classpath, as bench/kviews.sh does):
//   java -cp CP bench/KViews.java mnist=DIR out=DIR seeds=1,2,3,4,5 views=1,2,4,8 epochs=60 perClass=10 valPerClass=100
//        prePerClass=600 preEpochs=3 lr=1e-3
//   from=DIR/runs.jsonl prints the tables of an earlier run again (pass its epochs/perClass/valPerClass/lr for the
//   heading) without training
import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.augmentation.MnistData;
import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.training.Callback;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.FineTunePlan;
import io.transfer4j.training.FineTuner;
import io.transfer4j.training.Metric;
import io.transfer4j.training.Optimizer;
import io.transfer4j.training.Phase;
import io.transfer4j.training.TrainingControl;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

public class KViews {
    static final String BACKBONE = "tiny";
    static final InputShape IN = InputShape.rgb(28, 28);
    static final List<String> PRE_LABELS = List.of("0", "1", "2", "3", "4");
    static final List<String> NEW_LABELS = List.of("5", "6", "7", "8", "9");
    static final String GROUP = "block3";
    static final int BATCH = 16;

    /** Digits move a little: rotation 15 degrees, shifts 10 %, zoom 10 %; no flips (a flipped 7 is no 7). */
    static AugmentOptions augmentation() {
        return AugmentOptions.builder().rotationRange(15).widthShiftRange(0.1).heightShiftRange(0.1).zoomRange(0.1)
                .build();
    }

    /** {@code last5ValAcc}: mean validation accuracy of the last 5 epochs (one epoch's value swings by points). */
    record Run(String variant, long seed, int views, double finalValAcc, double last5ValAcc, double finalValLoss,
               double bestValAcc, double bestValLoss, double phaseSeconds, double epochSeconds,
               long cacheBytesPerImage) {
        String json() {
            return String.format(Locale.ROOT, "{\"variant\":\"%s\",\"seed\":%d,\"views\":%d,\"final_val_acc\":%.4f,"
                            + "\"last5_val_acc\":%.4f,\"final_val_loss\":%.4f,\"best_val_acc\":%.4f,\"best_val_loss\":%.4f,"
                            + "\"phase_s\":%.2f,\"epochs_s\":%.2f,\"cache_bytes_per_image\":%d}", variant, seed, views,
                    finalValAcc, last5ValAcc, finalValLoss, bestValAcc, bestValLoss, phaseSeconds, epochSeconds,
                    cacheBytesPerImage);
        }
    }

    /** Wall time of a phase from its begin to its end event (cache builds included). */
    static final class PhaseClock implements Callback {
        double seconds;
        private long begin;

        @Override
        public void onPhaseBegin(String phase, TrainingControl control) {
            begin = System.nanoTime();
        }

        @Override
        public void onPhaseEnd(String phase, TrainingControl control) {
            seconds += (System.nanoTime() - begin) / 1e9;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(Map.of("seeds", "1,2,3,4,5", "views", "1,2,4,8", "epochs", "60",
                "perClass", "10", "valPerClass", "100", "prePerClass", "600", "preEpochs", "3", "lr", "1e-3",
                "mnist", "../shared/datasets/mnist", "out", "target/bench/kviews"));
        a.put("from", "");
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq < 1 || !a.containsKey(s.substring(0, eq))) {
                throw new IllegalArgumentException("arguments are KEY=VALUE with KEY one of " + a.keySet()
                        + "; received '" + s + "'");
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        Path mnist = Path.of(a.get("mnist"));
        Path out = Path.of(a.get("out"));
        List<Long> seeds = Arrays.stream(a.get("seeds").split(",")).map(Long::parseLong).toList();
        List<Integer> views = Arrays.stream(a.get("views").split(",")).map(Integer::parseInt).toList();
        int epochs = Integer.parseInt(a.get("epochs"));
        int perClass = Integer.parseInt(a.get("perClass"));
        int valPerClass = Integer.parseInt(a.get("valPerClass"));
        int prePerClass = Integer.parseInt(a.get("prePerClass"));
        int preEpochs = Integer.parseInt(a.get("preEpochs"));
        double lr = Double.parseDouble(a.get("lr"));
        if (!a.get("from").isEmpty()) {   // the tables again from an earlier run's runs.jsonl, without training
            List<Run> runs = read(Path.of(a.get("from")));
            List<String> variants = runs.stream().map(Run::variant).distinct().toList();
            List<Long> runSeeds = runs.stream().map(Run::seed).distinct().toList();
            System.out.print(table(runs, variants, runSeeds, epochs, perClass, valPerClass, lr));
            return;
        }
        Files.createDirectories(out);
        System.out.println("# K augmented views: " + a);

        Path data = writeFolders(mnist, out.resolve("data"), prePerClass, perClass, valPerClass);
        Zoo zoo = Zoo.builder().offline(true).build();
        ImagePipeline plain = ImagePipeline.forBackbone(zoo.spec(BACKBONE));
        Path bundle = pretrain(zoo, plain, data, out, preEpochs, prePerClass);
        TransferModel pre = ModelBundle.load(bundle);
        Backbone body = pre.asBackbone(zoo.spec(BACKBONE), bundle.toString());

        List<String> variants = new ArrayList<>(List.of("none", "fresh"));
        views.forEach(k -> variants.add("K=" + k));
        variants.add("scratch");
        List<Run> runs = new ArrayList<>();
        Path jsonl = out.resolve("runs.jsonl");
        Files.deleteIfExists(jsonl);
        for (long seed : seeds) {
            for (String v : variants) {
                Run r = transfer(zoo, plain, v.equals("scratch") ? zoo.random(BACKBONE, IN, seed, false) : body,
                        data, v, seed, epochs, lr);
                runs.add(r);
                Files.writeString(jsonl, r.json() + "\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
                System.out.println(r.json());
            }
        }
        String table = table(runs, variants, seeds, epochs, perClass, valPerClass, lr);
        Files.writeString(out.resolve("results.md"), table);
        System.out.println();
        System.out.print(table);
    }

    /**
     * MNIST as PNG class folders (a real folder, as a user has): pretrain = digits 0-4 from the training part,
     * pretrain-val = 0-4 from the test part, train = digits 5-9 from the training part (never seen in pretraining),
     * val = 5-9 from the test part. The first images of each class in file order; written once (temp + move).
     */
    static Path writeFolders(Path mnist, Path dir, int prePerClass, int perClass, int valPerClass) throws IOException {
        String stamp = prePerClass + "/" + perClass + "/" + valPerClass;
        Path done = dir.resolve("COMPLETE");
        if (Files.isRegularFile(done) && Files.readString(done).equals(stamp)) {
            return dir;
        }
        if (!Files.isDirectory(mnist)) {
            throw new IllegalArgumentException("no MNIST IDX files at " + mnist + " (mnist=DIR; the shared data sets "
                    + "live in ../shared/datasets/mnist)");
        }
        MnistData train = MnistData.read(mnist, MnistData.Part.TRAIN);
        MnistData test = MnistData.read(mnist, MnistData.Part.TEST);
        Path tmp = Files.createTempDirectory(dir.getParent(), "data-");
        write(train, PRE_LABELS, prePerClass, tmp.resolve("pretrain"));
        write(test, PRE_LABELS, valPerClass, tmp.resolve("pretrain-val"));
        write(train, NEW_LABELS, perClass, tmp.resolve("train"));
        write(test, NEW_LABELS, valPerClass, tmp.resolve("val"));
        Files.writeString(tmp.resolve("COMPLETE"), stamp);
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    static void write(MnistData d, List<String> labels, int perClass, Path dir) throws IOException {
        Map<Integer, Integer> count = new LinkedHashMap<>();
        for (int i = 0; i < d.size(); i++) {
            int label = d.label(i);
            if (!labels.contains(String.valueOf(label)) || count.getOrDefault(label, 0) >= perClass) {
                continue;
            }
            count.merge(label, 1, Integer::sum);
            BufferedImage img = new BufferedImage(d.cols(), d.rows(), BufferedImage.TYPE_BYTE_GRAY);
            for (int r = 0; r < d.rows(); r++) {
                for (int c = 0; c < d.cols(); c++) {
                    img.getRaster().setSample(c, r, 0, d.pixel(i, r, c));
                }
            }
            Path f = dir.resolve(String.valueOf(label)).resolve(String.format(Locale.ROOT, "%05d.png", i));
            Files.createDirectories(f.getParent());
            ImageIO.write(img, "png", f.toFile());
        }
        for (String l : labels) {
            if (count.getOrDefault(Integer.parseInt(l), 0) < perClass) {
                throw new IllegalStateException("only " + count.getOrDefault(Integer.parseInt(l), 0) + " images of "
                        + l + " in " + d + "; asked for " + perClass);
            }
        }
    }

    /** The tiny backbone trained (every layer) on digits 0-4, saved as a bundle; reused when present. */
    static Path pretrain(Zoo zoo, ImagePipeline plain, Path data, Path out, int epochs, int perClass)
            throws IOException {
        Path bundle = out.resolve("pretrained-digits-0-4-" + perClass + "x5-" + epochs + "ep.t4j");
        if (Files.isRegularFile(bundle)) {
            System.out.println("# pretrained body reused: " + bundle);
            return bundle;
        }
        TransferModel m = TransferModel.builder().backbone(zoo.random(BACKBONE, IN, 7, false)).labels(PRE_LABELS)
                .trainable(LayerSelection.all()).seed(7).build();
        FlowOptions shuffled = FlowOptions.builder().targetSize(IN.height(), IN.width()).batchSize(32).seed(7)
                .shuffle(true).build();
        PhaseClock clock = new PhaseClock();
        TrainingResult r;
        try (DirectoryFlow train = plain.flowFromDirectory(data.resolve("pretrain"), shuffled);
             DirectoryFlow val = plain.flowFromDirectory(data.resolve("pretrain-val"),
                     shuffled.toBuilder().shuffle(false).build())) {
            r = FineTuner.builder().model(m).train(train).validation(val).seed(7).silent().callbacks(clock)
                    .plan(FineTunePlan.of(Phase.builder("pretrain").maxEpochs(epochs).trainable(LayerSelection.all())
                            .optimizer(Optimizer.adam()).lr(2e-3).build())).build().fit();
        }
        EpochRecord last = r.history().get(r.history().size() - 1);
        System.out.printf(Locale.ROOT, "# pretrained on digits 0-4: %d epochs, %.1f s, val_acc %.4f val_loss %.4f "
                        + "(%s)%n", epochs, clock.seconds, last.metrics().get(Metric.VAL_ACCURACY), last.valLoss(),
                data.resolve("pretrain-val"));
        return ModelBundle.save(r.model(), bundle, BundleExtras.none());   // atomic
    }

    static Run transfer(Zoo zoo, ImagePipeline plain, Backbone backbone, Path data, String variant, long seed,
                        int epochs, double lr) throws IOException {
        int k = variant.startsWith("K=") ? Integer.parseInt(variant.substring(2)) : 0;
        boolean augmented = !variant.equals("none");
        TransferModel m = TransferModel.builder().backbone(backbone).labels(NEW_LABELS)
                .trainable(LayerSelection.fromGroup(GROUP)).seed(seed).build();
        if (variant.equals("scratch")) {
            // a random body runs frozen in inference mode: its BatchNorm statistics must come from data (TRAPS.md),
            // taken from un-augmented training images
            try (DirectoryFlow calib = plain.flowFromDirectory(data.resolve("train"), FlowOptions.builder()
                    .targetSize(IN.height(), IN.width()).batchSize(BATCH).shuffle(false).build())) {
                m.calibrateBatchNorm(calib, Integer.MAX_VALUE);
            }
        }
        String boundary = m.freezeBoundary().orElseThrow();
        long perView = 4L * Arrays.stream(m.activationShape(boundary)).reduce(1, (x, y) -> x * y);
        FlowOptions shuffled = FlowOptions.builder().targetSize(IN.height(), IN.width()).batchSize(BATCH).seed(seed)
                .shuffle(true).build();
        PhaseClock clock = new PhaseClock();
        TrainingResult r;
        try (DirectoryFlow train = (augmented ? plain.augment(augmentation()) : plain)
                .flowFromDirectory(data.resolve("train"), shuffled);
             DirectoryFlow val = plain.flowFromDirectory(data.resolve("val"), shuffled.toBuilder().shuffle(false)
                     .build())) {
            r = FineTuner.builder().model(m).train(train).validation(val).seed(seed).silent().callbacks(clock)
                    .augmentedViews(k)
                    .plan(FineTunePlan.of(Phase.builder("transfer").maxEpochs(epochs)
                            .trainable(LayerSelection.fromGroup(GROUP)).optimizer(Optimizer.adam()).lr(lr).build()))
                    .build().fit();
        }
        List<EpochRecord> h = r.history();
        EpochRecord last = h.get(h.size() - 1);
        double best = h.stream().mapToDouble(e -> e.metrics().get(Metric.VAL_ACCURACY)).max().orElse(Double.NaN);
        double bestLoss = h.stream().mapToDouble(EpochRecord::valLoss).min().orElse(Double.NaN);
        double epochSeconds = h.stream().mapToDouble(EpochRecord::seconds).sum();
        long cache = augmented && k == 0 ? 0 : perView * Math.max(1, k);
        double last5 = h.subList(Math.max(0, h.size() - 5), h.size()).stream()
                .mapToDouble(e -> e.metrics().get(Metric.VAL_ACCURACY)).average().orElse(Double.NaN);
        return new Run(variant, seed, k, last.metrics().get(Metric.VAL_ACCURACY), last5, last.valLoss(), best,
                bestLoss, clock.seconds, epochSeconds, cache);
    }

    static String stat(List<Run> rs, java.util.function.ToDoubleFunction<Run> f, String fmt, double scale) {
        double[] x = rs.stream().mapToDouble(f).map(v -> v * scale).toArray();
        double mean = Arrays.stream(x).average().orElse(Double.NaN);
        double sd = Math.sqrt(Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum() / Math.max(1, x.length - 1));
        double min = Arrays.stream(x).min().orElse(Double.NaN);
        double max = Arrays.stream(x).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, fmt + " ± " + fmt + " [" + fmt + "-" + fmt + "]", mean, sd, min, max);
    }

    static String table(List<Run> runs, List<String> variants, List<Long> seeds, int epochs, int perClass,
                        int valPerClass, double lr) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Transfer to digits 5-9: %d train / %d validation images per class, "
                        + "%d epochs, batch %d, %s + head trainable (Adam %s), seeds %s; mean ± sd [min-max] "
                        + "over seeds%n%n", perClass, valPerClass, epochs, BATCH, GROUP, lr, seeds));
        sb.append("| variant | val acc % (mean of last 5 epochs) | final val acc % | best val acc % | final val loss "
                + "| phase wall s | vs fresh | cache per image |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        double fresh = runs.stream().filter(r -> r.variant().equals("fresh")).mapToDouble(Run::phaseSeconds)
                .average().orElse(Double.NaN);
        for (String v : variants) {
            List<Run> rs = runs.stream().filter(r -> r.variant().equals(v)).toList();
            long cache = rs.get(0).cacheBytesPerImage();
            double wall = rs.stream().mapToDouble(Run::phaseSeconds).average().orElse(Double.NaN);
            sb.append("| ").append(v).append(" | ")
                    .append(stat(rs, Run::last5ValAcc, "%.1f", 100)).append(" | ")
                    .append(stat(rs, Run::finalValAcc, "%.1f", 100)).append(" | ")
                    .append(stat(rs, Run::bestValAcc, "%.1f", 100)).append(" | ")
                    .append(stat(rs, Run::finalValLoss, "%.3f", 1)).append(" | ")
                    .append(stat(rs, Run::phaseSeconds, "%.1f", 1)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2fx", fresh / wall)).append(" | ")
                    .append(cache == 0 ? "- (not cached)" : String.format(Locale.ROOT, "%.1f KiB", cache / 1024.0))
                    .append(" |\n");
        }
        // seeds pair the runs (same head initialisation, data order and augmentation draws): the per-seed difference
        // is much less noisy than either mean
        sb.append("\nPaired with fresh augmentation on the same seed: validation accuracy (mean of the last 5 epochs) "
                + "minus fresh's, and fresh's phase wall time over the variant's\n\n");
        sb.append("| variant | val acc − fresh, points: mean ± sd [per seed] | better than fresh | speed-up vs fresh: "
                + "median [min-max] |\n|---|---|---:|---:|\n");
        for (String v : variants) {
            if (v.equals("fresh")) {
                continue;
            }
            List<Double> diff = new ArrayList<>();
            List<Double> speed = new ArrayList<>();
            for (long seed : seeds) {
                Run f = one(runs, "fresh", seed);
                Run r = one(runs, v, seed);
                diff.add(100 * (r.last5ValAcc() - f.last5ValAcc()));
                speed.add(f.phaseSeconds() / r.phaseSeconds());
            }
            double mean = diff.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
            double sd = Math.sqrt(diff.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum()
                    / Math.max(1, diff.size() - 1));
            List<Double> sorted = speed.stream().sorted().toList();
            double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                    : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
            sb.append(String.format(Locale.ROOT, "| %s | %+.1f ± %.1f [%s] | %d of %d | %.2fx [%.2f-%.2f] |%n", v,
                    mean, sd, diff.stream().map(d -> String.format(Locale.ROOT, "%+.1f", d))
                            .collect(Collectors.joining(", ")), diff.stream().filter(d -> d > 0).count(), diff.size(),
                    median, sorted.get(0), sorted.get(sorted.size() - 1)));
        }
        return sb.toString();
    }

    static List<Run> read(Path jsonl) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<Run> runs = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            if (!line.isBlank()) {
                var n = json.readTree(line);
                runs.add(new Run(n.get("variant").asText(), n.get("seed").asLong(), n.get("views").asInt(),
                        n.get("final_val_acc").asDouble(), n.get("last5_val_acc").asDouble(),
                        n.get("final_val_loss").asDouble(), n.get("best_val_acc").asDouble(),
                        n.get("best_val_loss").asDouble(), n.get("phase_s").asDouble(), n.get("epochs_s").asDouble(),
                        n.get("cache_bytes_per_image").asLong()));
            }
        }
        return runs;
    }

    static Run one(List<Run> runs, String variant, long seed) {
        return runs.stream().filter(r -> r.variant().equals(variant) && r.seed() == seed).findFirst().orElseThrow();
    }
}
