package io.transfer4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.core.Prediction;
import io.transfer4j.core.PredictionTable;
import io.transfer4j.core.Predictor;
import io.transfer4j.spark.internal.ExecutorModels;

class SparkPredictTest {
    @TempDir
    static Path dir;
    static Path images;
    static Path bundle;
    static JavaSparkContext sc;
    static SparkSession spark;

    @BeforeAll
    static void setUp() throws Exception {
        images = SparkFixtures.images(dir, 12);
        bundle = SparkFixtures.bundle(dir, images);
        // a corrupt image among the good ones: it must become an error row, not a failed job
        Files.write(images.resolve("circles").resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2});
        sc = SparkFixtures.local2();
        spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
    }

    @AfterAll
    static void tearDown() {
        ExecutorModels.clear();
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void scoringAFolderAgreesWithPredictorRowForRow() throws Exception {
        SparkPredict scorer = SparkPredict.builder().bundle(bundle.toString()).topK(3).batchSize(5).build();
        List<ScoreRow> rows = scorer.scoreDirectory(sc, images.toUri().toString()).collect();

        List<Path> files;
        try (Stream<Path> s = Files.walk(images)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        PredictionTable expected;
        try (Predictor p = Predictor.open(bundle)) {
            expected = p.predictAll(files, 3);
        }
        assertEquals(files.size(), rows.size(), "one row per image");
        Map<Path, ScoreRow> byPath = rows.stream().collect(Collectors.toMap(
                r -> Path.of(java.net.URI.create(r.path())), Function.identity()));
        int errors = 0;
        for (PredictionTable.Row e : expected.rows()) {
            ScoreRow r = byPath.get(e.file());
            assertNotNull(r, "a row for " + e.file());
            if (!e.ok()) {
                errors++;
                assertNotNull(r.error(), "error row for " + e.file());
                assertTrue(r.labels().isEmpty());
                continue;
            }
            assertNull(r.error(), () -> e.file() + ": " + r.error());
            assertEquals(e.top().stream().map(Prediction::label).toList(), r.labels(), e.file().toString());
            for (int i = 0; i < 3; i++) {
                assertEquals(e.top().get(i).probability(), r.probabilities().get(i), 1e-6, e.file() + " #" + i);
            }
        }
        assertEquals(1, errors, "exactly the corrupt file fails");
    }

    @Test
    void aManifestWithMissingFilesGivesErrorRowsNamingThem() throws Exception {
        Path manifest = dir.resolve("manifest.txt");
        Files.writeString(manifest, "path\n# scored next\nimages/squares/squares_0000.png\n"
                + "images/squares/gone.png\n\n" + images.resolve("stripes/stripes_0001.jpg") + "\n");
        SparkPredict scorer = SparkPredict.builder().bundle(bundle.toString()).topK(1).embeddings(true).build();
        List<ScoreRow> rows = scorer.scoreManifest(sc, manifest.toString()).collect().stream()
                .sorted(Comparator.comparing(ScoreRow::path)).toList();
        assertEquals(3, rows.size());
        ScoreRow gone = rows.stream().filter(r -> r.path().endsWith("gone.png")).findFirst().orElseThrow();
        assertTrue(gone.error().contains("no such file") && gone.error().contains("gone.png"), gone.error());
        long ok = rows.stream().filter(ScoreRow::ok).count();
        assertEquals(2, ok);
        try (Predictor p = Predictor.open(bundle)) {
            for (ScoreRow r : rows) {
                if (r.ok()) {
                    assertEquals(p.embeddingSize(), r.embedding().length, "embedding length");
                    assertEquals(1, r.labels().size());
                }
            }
        }
    }

    @Test
    void writesCsvAndParquetWithThePredictColumns() throws Exception {
        SparkPredict scorer = SparkPredict.builder().bundle(bundle.toString()).topK(2).build();
        JavaRDD<ScoreRow> rows = scorer.scoreDirectory(sc, images.toString()).cache();
        Path csv = dir.resolve("out-csv");
        Path parquet = dir.resolve("out-parquet");
        scorer.write(spark, rows, "csv", csv.toString());
        scorer.write(spark, rows, "PARQUET", parquet.toString());
        Dataset<Row> back = spark.read().parquet(parquet.toString());
        assertEquals(List.of("path", "label_1", "probability_1", "label_2", "probability_2", "error"),
                List.of(back.columns()));
        assertEquals(rows.count(), back.count());
        Dataset<Row> csvBack = spark.read().option("header", "true").csv(csv.toString());
        assertEquals(rows.count(), csvBack.count());
        assertEquals(1, csvBack.filter("error is not null").count(), "the corrupt file's row");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scorer.write(spark, rows, "json", dir.resolve("x").toString()));
        assertTrue(e.getMessage().contains("[csv, parquet]") && e.getMessage().contains("'json'"), e.getMessage());
    }

    @Test
    void aBundleTheDriverCannotReadIsAClearErrorBeforeTheJobStarts() {
        SparkPredict scorer = SparkPredict.builder().bundle(dir.resolve("nope.t4j").toString()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scorer.scoreDirectory(sc, images.toString()));
        assertTrue(e.getMessage().contains("nope.t4j") && e.getMessage().contains("does not exist")
                && e.getMessage().contains("broadcasts"), e.getMessage());
    }

    @Test
    void aFileThatIsNotABundleIsRefusedOnTheDriver() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.t4j"), "not a zip");
        SparkPredict scorer = SparkPredict.builder().bundle(junk.toString()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scorer.scoreDirectory(sc, images.toString()));
        assertTrue(e.getMessage().contains("junk.t4j") && e.getMessage().contains("cannot be used"),
                e.getMessage());
    }

    @Test
    void executorMemoryTooSmallForTheModelIsRefusedWithTheEstimate() {
        org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf().setMaster("spark://cluster:7077")
                .set("spark.executor.memory", "64m").set("spark.executor.memoryOverhead", "1m")
                .set("spark.executor.cores", "4");
        SparkPredict scorer = SparkPredict.builder().bundle(bundle.toString()).batchSize(4096).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> scorer.preflight(
                readAll(bundle), conf));
        assertTrue(e.getMessage().contains("too little memory") && e.getMessage().contains("GiB per task")
                && e.getMessage().contains("4 task(s) per executor"), e.getMessage());
    }

    @Test
    void badOptionsAreRefusedAtBuild() {
        assertThrows(IllegalArgumentException.class, () -> SparkPredict.builder().build());
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> SparkPredict.builder().bundle("m.t4j").topK(0).build());
        assertTrue(k.getMessage().contains("received 0"));
    }

    @Test
    void tasksPerExecutorFollowsMasterAndTaskCpus() {
        org.apache.spark.SparkConf c = new org.apache.spark.SparkConf().setMaster("local[4]");
        assertEquals(4, SparkPredict.tasksPerExecutor(c, 1));
        assertEquals(2, SparkPredict.tasksPerExecutor(c, 2));
        org.apache.spark.SparkConf cluster = new org.apache.spark.SparkConf().setMaster("yarn")
                .set("spark.executor.cores", "8");
        assertEquals(2, SparkPredict.tasksPerExecutor(cluster, 4));
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
