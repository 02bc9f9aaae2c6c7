package io.transfer4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import io.transfer4j.core.Manifest;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.Predictor;
import io.transfer4j.core.TransferModel;
import io.transfer4j.spark.internal.HadoopFiles;
import io.transfer4j.spark.internal.PartitionScorer;
import io.transfer4j.zoo.MemoryEstimate;

/**
 * Scores many images with a {@code .t4j} bundle on Apache Spark: top-k labels and probabilities per image (and,
 * when asked for, the backbone's embedding), one row per image, written as CSV or Parquet.
 *
 * <pre>{@code
 * SparkPredict scorer = SparkPredict.builder().bundle("hdfs:///models/xray.t4j").topK(3).build();
 * JavaRDD<ScoreRow> rows = scorer.scoreDirectory(sc, "hdfs:///archive/2024");
 * scorer.write(spark, rows, "parquet", "hdfs:///scores/2024");
 * }</pre>
 *
 * <p>How it runs: the driver reads the bundle once (any Hadoop filesystem), checks it and the executors' memory
 * against the model's memory estimate, and broadcasts the bytes, so executors never need to reach the bundle's
 * path. Each executor JVM restores one {@link Predictor} on first use and shares it between its tasks (one graph
 * copy per concurrently running task). Images are read through Hadoop's {@code FileSystem} (local files, HDFS,
 * S3A, ... whatever Spark can read) and scored in batches. An image that cannot be read or decoded becomes an
 * error row; the job does not fail.
 */
public final class SparkPredict implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Output formats of {@link #write}. */
    public static final List<String> FORMATS = List.of("csv", "parquet");

    private final String bundle;
    private final int topK;
    private final boolean embeddings;
    private final int batchSize;
    private final int partitions;

    private SparkPredict(Builder b) {
        this.bundle = b.bundle;
        this.topK = b.topK;
        this.embeddings = b.embeddings;
        this.batchSize = b.batchSize;
        this.partitions = b.partitions;
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ inputs

    /**
     * Every image file under {@code dir} (recursively, by the same extensions as {@code transfer4j predict},
     * sorted by path), listed on the driver.
     */
    public JavaRDD<ScoreRow> scoreDirectory(JavaSparkContext sc, String dir) {
        List<String> files = HadoopFiles.listImages(dir, sc.hadoopConfiguration());
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no image files under " + dir + " (looked for "
                    + String.join(", ", new java.util.TreeSet<>(io.transfer4j.augmentation.ImageDecoder.IMAGE_EXTENSIONS))
                    + ", recursively); check the path, or score a manifest of paths with scoreManifest");
        }
        return score(sc, sc.parallelize(files, partitionsFor(sc, files.size())));
    }

    /**
     * The images listed in a text file, one path per line (an optional header line {@code path}, blank lines and
     * lines starting with {@code #} are skipped); relative paths are taken relative to the manifest's folder. A
     * listed file that does not exist becomes an error row naming it.
     */
    public JavaRDD<ScoreRow> scoreManifest(JavaSparkContext sc, String manifest) {
        List<String> files = HadoopFiles.readManifest(manifest, sc.hadoopConfiguration());
        if (files.isEmpty()) {
            throw new IllegalArgumentException("the manifest " + manifest + " lists no paths; it should hold one"
                    + " image path per line (optionally under a header line 'path')");
        }
        return score(sc, sc.parallelize(files, partitionsFor(sc, files.size())));
    }

    /** Scores the given paths (Hadoop URIs or local paths), keeping their partitioning. */
    public JavaRDD<ScoreRow> score(JavaSparkContext sc, JavaRDD<String> paths) {
        byte[] bytes = HadoopFiles.readBundle(bundle, sc.hadoopConfiguration());
        Checked checked = preflight(bytes, sc.getConf());
        Broadcast<byte[]> shared = sc.broadcast(bytes);
        PartitionScorer scorer = new PartitionScorer(shared, checked.sha256, Math.min(topK, checked.labels),
                embeddings, batchSize, checked.tasksPerExecutor, checked.taskCpus,
                HadoopFiles.serialise(sc.hadoopConfiguration()));
        return paths.mapPartitions(scorer);
    }

    // ------------------------------------------------------------------ output

    /**
     * The rows as a DataFrame: {@code path, label_1, probability_1, ..., label_k, probability_k, [embedding,]
     * error}, the same columns as {@code transfer4j predict --csv} (plus the embedding as an array column).
     */
    public Dataset<Row> toDataFrame(SparkSession spark, JavaRDD<ScoreRow> rows) {
        int k = topK;
        boolean emb = embeddings;
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField("path", DataTypes.StringType, false));
        for (int i = 1; i <= k; i++) {
            fields.add(DataTypes.createStructField("label_" + i, DataTypes.StringType, true));
            fields.add(DataTypes.createStructField("probability_" + i, DataTypes.DoubleType, true));
        }
        if (emb) {
            fields.add(DataTypes.createStructField("embedding", DataTypes.createArrayType(DataTypes.FloatType),
                    true));
        }
        fields.add(DataTypes.createStructField("error", DataTypes.StringType, true));
        JavaRDD<Row> r = rows.map(s -> toRow(s, k, emb));
        return spark.createDataFrame(r, new StructType(fields.toArray(StructField[]::new)));
    }

    /**
     * Writes the rows to {@code out} (a directory, any Hadoop filesystem) as {@code csv} (with a header; the
     * embedding, if any, as space-separated numbers) or {@code parquet}. Refuses to overwrite an existing output.
     */
    public void write(SparkSession spark, JavaRDD<ScoreRow> rows, String format, String out) {
        String f = format == null ? "" : format.toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(f)) {
            throw new IllegalArgumentException("output format must be one of " + FORMATS + "; received '" + format
                    + "'");
        }
        Dataset<Row> df = toDataFrame(spark, rows);
        if (f.equals("csv")) {
            if (embeddings) {
                df = df.withColumn("embedding", org.apache.spark.sql.functions.concat_ws(" ",
                        df.col("embedding").cast("array<string>")));
            }
            df.write().option("header", "true").csv(out);
        } else {
            df.write().parquet(out);
        }
    }

    private static Row toRow(ScoreRow s, int k, boolean emb) {
        List<Object> v = new ArrayList<>();
        v.add(s.path());
        for (int i = 0; i < k; i++) {
            boolean has = i < s.labels().size();
            v.add(has ? s.labels().get(i) : null);
            v.add(has ? s.probabilities().get(i) : null);
        }
        if (emb) {
            float[] e = s.embedding();
            if (e == null) {
                v.add(null);
            } else {
                Float[] boxed = new Float[e.length];
                for (int i = 0; i < e.length; i++) {
                    boxed[i] = e[i];
                }
                v.add(boxed);
            }
        }
        v.add(s.error());
        return RowFactory.create(v.toArray());
    }

    // ------------------------------------------------------------------ driver-side checks

    record Checked(String sha256, int labels, int tasksPerExecutor, int taskCpus) {
    }

    /** Loads the bundle once on the driver (so a damaged file fails here) and runs the memory preflight. */
    Checked preflight(byte[] bytes, SparkConf conf) {
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        int tasks = tasksPerExecutor(conf, taskCpus);
        java.nio.file.Path tmp = null;
        try {
            tmp = Files.createTempFile("transfer4j-driver-", ".t4j");
            Files.write(tmp, bytes);
            TransferModel model = ModelBundle.load(tmp);
            Manifest m = model.manifest();
            MemoryEstimate est = MemoryEstimate.of(model.graph(), model.input(), batchSize,
                    MemoryEstimate.Mode.INFERENCE);
            MemoryEstimate.Limits limits = executorLimits(conf);
            long needed = est.totalBytes() * tasks;
            if (needed > limits.availableForArrays()) {
                throw new IllegalStateException(String.format(Locale.ROOT, "executors have too little memory for"
                                + " %s: the memory preflight estimates %.2f GiB per task (%s), %d task(s) per executor,"
                                + " %.2f GiB in all, but an executor has %.2f GiB for arrays (%s). Give executors more"
                                + " memory (--executor-memory / spark.executor.memoryOverhead), fewer cores per"
                                + " executor, or a smaller batch (batchSize %d now).", bundle,
                        est.totalBytes() / GIB, est, tasks, needed / GIB, limits.availableForArrays() / GIB, limits,
                        batchSize));
            }
            return new Checked(sha256(bytes), m.labels().size(), tasks, taskCpus);
        } catch (IOException e) {
            throw new IllegalArgumentException("the bundle " + bundle + " cannot be used: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // temp file only
                }
            }
        }
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    /** Tasks that run at once in one executor JVM: its cores / spark.task.cpus (local[N]: N / task cpus). */
    static int tasksPerExecutor(SparkConf conf, int taskCpus) {
        String master = conf.get("spark.master", "local[*]");
        int cores;
        if (master.startsWith("local")) {
            java.util.regex.Matcher mm = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]")
                    .matcher(master);
            cores = mm.matches() && !mm.group(1).equals("*") ? Integer.parseInt(mm.group(1))
                    : master.equals("local") ? 1 : Runtime.getRuntime().availableProcessors();
        } else {
            cores = conf.getInt("spark.executor.cores", 1);
        }
        return Math.max(1, cores / Math.max(1, taskCpus));
    }

    /** An executor's memory: in local mode this JVM's; on a cluster executor memory + overhead, heap = memory. */
    static MemoryEstimate.Limits executorLimits(SparkConf conf) {
        String master = conf.get("spark.master", "local[*]");
        if (master.startsWith("local")) {
            return MemoryEstimate.Limits.current();
        }
        long heap = conf.getSizeAsBytes("spark.executor.memory", "1g");
        long overhead = conf.contains("spark.executor.memoryOverhead")
                ? conf.getSizeAsBytes("spark.executor.memoryOverhead")
                : Math.max(384L << 20, (long) (heap * conf.getDouble("spark.executor.memoryOverheadFactor", 0.1)));
        return new MemoryEstimate.Limits(heap + overhead, heap);
    }

    private int partitionsFor(JavaSparkContext sc, int files) {
        if (partitions > 0) {
            return partitions;
        }
        // a few batches per partition, at least two partitions per core so a slow partition does not idle others
        int byBatches = Math.max(1, files / (batchSize * 4));
        return Math.max(1, Math.min(files, Math.max(byBatches, 2 * sc.defaultParallelism())));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Collects the options; {@link #build()} checks them. Defaults: top 5, no embeddings, batches of 16. */
    public static final class Builder {
        private String bundle;
        private int topK = 5;
        private boolean embeddings;
        private int batchSize = 16;
        private int partitions;

        private Builder() {
        }

        /** The bundle's path: a Hadoop URI ({@code hdfs://}, {@code s3a://}, {@code file://}) or a local path. */
        public Builder bundle(String uriOrPath) {
            this.bundle = uriOrPath;
            return this;
        }

        public Builder topK(int k) {
            this.topK = k;
            return this;
        }

        public Builder embeddings(boolean on) {
            this.embeddings = on;
            return this;
        }

        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** Partitions to split a directory or manifest into; 0 (default) chooses from the file count. */
        public Builder partitions(int n) {
            this.partitions = n;
            return this;
        }

        public SparkPredict build() {
            if (bundle == null || bundle.isBlank()) {
                throw new IllegalArgumentException("a bundle is required: SparkPredict.builder().bundle(\"model.t4j\")");
            }
            if (topK < 1) {
                throw new IllegalArgumentException("topK must be >= 1; received " + topK);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1; received " + batchSize);
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must be >= 0 (0 = choose); received " + partitions);
            }
            return new SparkPredict(this);
        }
    }
}
