package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import com.fasterxml.jackson.databind.JsonNode;

import io.transfer4j.core.internal.Json;

class PredictorTest {
    @TempDir
    static Path dir;
    static Path bundle;
    static TransferModel model;

    @BeforeAll
    static void trainAndSave() throws Exception {
        model = TransferModelTest.tiny().cut("block2_out").trainable(LayerSelection.fromGroup("block2"))
                .updater(new Adam(1e-2)).build();
        DataSet ds = TestData.batch(16, 3, 16, 3, 1, 21);
        for (int i = 0; i < 5; i++) {
            model.graph().fit(ds);
        }
        bundle = ModelBundle.save(model, dir.resolve("model.t4j"), BundleExtras.none());
    }

    static BufferedImage image(long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    static INDArray pixels(BufferedImage img) {
        INDArray a = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3, img.getHeight(), img.getWidth());
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                a.putScalar(new long[] {0, 0, y, x}, (rgb >> 16) & 255);
                a.putScalar(new long[] {0, 1, y, x}, (rgb >> 8) & 255);
                a.putScalar(new long[] {0, 2, y, x}, rgb & 255);
            }
        }
        return a;
    }

    static byte[] png(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void everyInputKindGivesTheSameAnswerAsTheGraphOnNormalisedPixels() throws Exception {
        BufferedImage img = image(1);
        Path file = Files.write(dir.resolve("one.png"), png(img));
        INDArray expected = model.graph().outputSingle(false, pixels(img).div(255)).getRow(0);
        try (Predictor p = Predictor.open(bundle)) {
            List<Prediction> fromArray = p.predict(ImageInput.of(pixels(img)), 3);
            assertEquals(3, fromArray.size());
            for (Prediction pr : fromArray) {
                assertEquals(expected.getDouble(pr.index()), pr.probability(), 1e-5);
            }
            assertEquals(fromArray, p.predict(ImageInput.of(file), 3));
            assertEquals(fromArray, p.predict(ImageInput.of(png(img)), 3));
            assertEquals(fromArray, p.predict(ImageInput.of(img), 3));
            assertEquals(fromArray.subList(0, 1), p.predict(ImageInput.of(file), 1));
            assertTrue(fromArray.get(0).probability() >= fromArray.get(2).probability());
        }
    }

    @Test
    void wrongChannelCountsAreConvertedAndWrongSizesRejected() throws Exception {
        try (Predictor p = Predictor.open(bundle)) {
            INDArray gray = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1, 16, 16).muli(255);
            assertEquals(p.predict(ImageInput.of(Nd4j.concat(1, gray, gray, gray)), 3), p.predict(ImageInput.of(gray), 3), "gray -> RGB");
            INDArray rgba = Nd4j.concat(1, gray, gray, gray, Nd4j.ones(1, 1, 16, 16));
            assertEquals(p.predict(ImageInput.of(gray), 3), p.predict(ImageInput.of(rgba), 3), "alpha dropped");
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> p.predict(ImageInput.of(Nd4j.zeros(1, 3, 20, 16)), 1));
            assertTrue(size.getMessage().contains("16x16") && size.getMessage().contains("20x16"), size.getMessage());
            IllegalArgumentException ch = assertThrows(IllegalArgumentException.class,
                    () -> p.predict(ImageInput.of(Nd4j.zeros(1, 5, 16, 16)), 1));
            assertTrue(ch.getMessage().contains("received 5"), ch.getMessage());
            assertThrows(IllegalArgumentException.class, () -> p.predict(ImageInput.of(gray), 0));
            // a big gray PNG file is resized and converted
            BufferedImage big = new BufferedImage(40, 32, BufferedImage.TYPE_BYTE_GRAY);
            assertEquals(3, p.predict(ImageInput.of(png(big)), 3).size());
        }
    }

    @Test
    void predictAllBatchesKeepsOrderAndReportsBadFiles() throws Exception {
        Path in = Files.createDirectories(dir.resolve("inbox"));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            files.add(Files.write(in.resolve("img" + i + ".png"), png(image(100 + i))));
        }
        Path bad = Files.writeString(in.resolve("broken.jpg"), "not an image");
        Files.writeString(in.resolve("notes.txt"), "ignored");
        try (Predictor p = Predictor.open(bundle, Predictor.Options.defaults().withBatchSize(3))) {
            PredictionTable t = p.predictAll(in, 2);
            assertEquals(8, t.rows().size(), "7 images + 1 broken, the .txt skipped");
            assertEquals(List.of(bad), t.failures().stream().map(PredictionTable.Row::file).toList());
            assertTrue(t.row(bad).error().contains("broken.jpg") || t.row(bad).error().length() > 10,
                    t.row(bad).error());
            for (Path f : files) {
                assertEquals(p.predict(ImageInput.of(f), 2), t.row(f).top(), "batched = single for " + f);
            }
            String csv = Files.readString(t.writeCsv(dir.resolve("out/predictions.csv")));
            assertTrue(csv.startsWith("path,label_1,probability_1,label_2,probability_2,error\n"), csv);
            assertEquals(9, csv.lines().count());
            JsonNode json = Json.mapper().readTree(Files.readString(t.writeJson(dir.resolve("out/p.json"))));
            assertEquals(8, json.get("rows").size());
            assertEquals(0, json.get("rows").get(0).get("predictions").size(), "broken.jpg sorts first");
            assertEquals(2, json.get("rows").get(1).get("predictions").size());
            assertTrue(json.get("rows").get(0).get("error").asText().length() > 0);
            List<Predictor.Embedding> embeddings = p.embedAll(List.of(files.get(0), bad, files.get(1)));
            assertArrayEquals(p.embed(ImageInput.of(files.get(0))), embeddings.get(0).vector(), 1e-6f);
            assertTrue(embeddings.get(1).vector() == null && embeddings.get(1).error() != null);
            assertArrayEquals(p.embed(ImageInput.of(files.get(1))), embeddings.get(2).vector(), 1e-6f);
        }
    }

    @Test
    void predictAllReportsAFifoAndABrokenLinkInsteadOfSkippingThem() throws Exception {
        // issue 14: 'data check' reported them, 'predict DIR' silently skipped them
        Path in = Files.createDirectories(dir.resolve("odd"));
        Path good = Files.write(in.resolve("a.png"), png(image(120)));
        Path link = Files.createSymbolicLink(in.resolve("gone.png"), in.resolve("missing.png"));
        Path fifo = in.resolve("pipe.jpg");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor() == 0, "mkfifo is not available here");
        try (Predictor p = Predictor.open(bundle, Predictor.Options.defaults())) {
            PredictionTable t = assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> p.predictAll(in, 1),
                    "a FIFO must not block");
            assertEquals(3, t.rows().size(), t.rows().toString());
            assertEquals(List.of(link, fifo), t.failures().stream().map(PredictionTable.Row::file).toList());
            assertTrue(t.row(link).error().contains("does not exist"), t.row(link).error());
            assertTrue(t.row(fifo).error().contains("not a regular file"), t.row(fifo).error());
            assertEquals(1, t.row(good).top().size());
        }
    }

    @Test
    void embedReturnsThePooledCutFeatures() throws Exception {
        BufferedImage img = image(5);
        INDArray cut = model.graph().feedForward(pixels(img).div(255), false).get("block2_out");
        float[] expected = cut.mean(2, 3).getRow(0).toFloatVector();
        try (Predictor p = Predictor.open(bundle)) {
            float[] e = p.embed(ImageInput.of(img));
            assertEquals(12, p.embeddingSize());
            assertArrayEquals(expected, e, 1e-5f);
        }
    }

    @Test
    void flattenHeadEmbedsEveryPosition() throws Exception {
        TransferModel flat = TransferModelTest.tiny().cut("block2_out")
                .head(HeadSpec.builder().pooling(Pooling.FLATTEN).build()).build();
        Path file = ModelBundle.save(flat, dir.resolve("flat.t4j"), BundleExtras.none());
        BufferedImage img = image(9);
        INDArray cut = flat.graph().feedForward(pixels(img).div(255), false).get("block2_out");
        try (Predictor p = Predictor.open(file)) {
            assertEquals(12 * 8 * 8, p.embeddingSize());
            assertArrayEquals(cut.reshape(1, 12 * 8 * 8).getRow(0).toFloatVector(), p.embed(ImageInput.of(img)), 1e-5f);
            assertEquals(flat.graph().outputSingle(false, pixels(img).div(255)).getDouble(0, 0),
                    p.predict(ImageInput.of(img), 3).stream().filter(x -> x.index() == 0).findFirst().orElseThrow().probability(),
                    1e-5);
        }
    }

    @Test
    void manyThreadsGiveExactlyTheSingleThreadAnswers() throws Exception {
        int images = 12;
        List<INDArray> inputs = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            inputs.add(pixels(image(1000 + i)));
        }
        try (Predictor p = Predictor.open(bundle, Predictor.Options.defaults().withParallelism(3))) {
            List<List<Prediction>> single = new ArrayList<>();
            for (INDArray in : inputs) {
                single.add(p.predict(ImageInput.of(in), 3));
            }
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<List<List<Prediction>>>> futures = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    futures.add(pool.submit(() -> {
                        List<List<Prediction>> mine = new ArrayList<>();
                        for (int rep = 0; rep < 3; rep++) {
                            for (INDArray in : inputs) {
                                mine.add(p.predict(ImageInput.of(in), 3));
                            }
                        }
                        return mine;
                    }));
                }
                for (Future<List<List<Prediction>>> f : futures) {
                    List<List<Prediction>> got = f.get();
                    for (int i = 0; i < got.size(); i++) {
                        assertEquals(single.get(i % images), got.get(i));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(p.copies() <= 3, "pool bounded: " + p.copies());
            // Grad-CAM from several threads (one engine per graph copy) equals the single-thread maps
            float[][] expectedCam = p.explain(ImageInput.of(inputs.get(0)), 2).heatmap();
            ExecutorService pool2 = Executors.newFixedThreadPool(3);
            try {
                List<Future<float[][]>> cams = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    cams.add(pool2.submit(() -> p.explain(ImageInput.of(inputs.get(0)), 2).heatmap()));
                }
                for (Future<float[][]> f : cams) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(expectedCam, f.get());
                }
            } finally {
                pool2.shutdownNow();
            }
        }
    }

    @Test
    void closedPredictorRefusesWork() throws Exception {
        Predictor p = Predictor.open(bundle);
        p.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.predict(ImageInput.of(image(1)), 1));
        assertTrue(e.getMessage().contains("closed"));
        assertFalse(Files.exists(dir.resolve("missing.t4j")));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Predictor.open(dir.resolve("missing.t4j")));
    }
}
