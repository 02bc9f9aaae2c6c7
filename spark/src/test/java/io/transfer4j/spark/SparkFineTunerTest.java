package io.transfer4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.core.ImageInput;
import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.LayerSelection;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.Prediction;
import io.transfer4j.core.Predictor;
import io.transfer4j.core.TransferModel;
import io.transfer4j.spark.internal.ExecutorModels;
import io.transfer4j.training.EarlyStopping;
import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.FineTunePlan;
import io.transfer4j.training.Metric;
import io.transfer4j.training.Optimizer;
import io.transfer4j.training.Phase;
import io.transfer4j.training.TrainingResult;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

class SparkFineTunerTest {
    @TempDir
    static Path dir;
    static DataSplit split;
    static JavaSparkContext sc;

    @BeforeAll
    static void setUp() throws Exception {
        Path images = SparkFixtures.images(dir, 24);
        split = DataSplit.stratified(images, 0.75, 0.25, 0, 3);
        sc = SparkFixtures.local2();
    }

    @AfterAll
    static void tearDown() {
        ExecutorModels.clear();
        if (sc != null) {
            sc.stop();
        }
    }

    static TransferModel model(Zoo zoo) {
        FlowOptions opts = FlowOptions.builder().targetSize(SparkFixtures.SIZE, SparkFixtures.SIZE).batchSize(8)
                .seed(5).workers(1).build();
        try (DirectoryFlow flow = ImagePipeline.forBackbone(zoo.spec("tiny")).flowFromSplit(split,
                DataSplit.Part.TRAIN, opts)) {
            Backbone b = zoo.random("tiny", new InputShape(3, SparkFixtures.SIZE, SparkFixtures.SIZE), 3);
            TransferModel m = TransferModel.builder().backbone(b).head(HeadSpec.builder().build())
                    .labels(split.classes()).seed(4).build();
            m.calibrateBatchNorm(flow, 2);
            return m;
        }
    }

    @Test
    void aTwoPhasePlanTrainsOnTheClusterBeatsChanceAndWritesALoadableBundle() throws Exception {
        TransferModel model = model(SparkFixtures.zoo(dir));
        String top = topGroup(model);
        FineTunePlan plan = headThenTop(top, 2, EarlyStopping.onValLoss(3));
        List<LabelledImage> train = LabelledImage.of(split, DataSplit.Part.TRAIN);
        List<LabelledImage> val = LabelledImage.of(split, DataSplit.Part.VALIDATION);
        TrainingResult r = SparkFineTuner.builder().model(model).plan(plan).train(train).validation(val)
                .batchSize(8).averagingFrequency(2).seed(7).build().fit(sc);

        List<EpochRecord> h = r.history();
        assertEquals(8, h.size(), "6 head epochs + 2 top epochs: " + h);
        assertEquals("head", h.get(0).phase());
        assertEquals("top", h.get(7).phase());
        assertTrue(h.stream().allMatch(e -> Double.isFinite(e.loss()) && Double.isFinite(e.valLoss())), h.toString());
        double last = h.get(h.size() - 1).value(Metric.VAL_ACCURACY);
        assertTrue(last > 0.6, "validation accuracy " + last + " should beat chance (0.33) clearly: " + h);
        assertEquals(LayerSelection.fromGroup(top), r.model().trainable(), "the last phase's trainable state");

        Path bundle = ModelBundle.save(r.model(), dir.resolve("spark.t4j"), BundleExtras.none());
        assertEquals(last, accuracy(bundle, val), 1e-9,
                "the saved bundle predicts the validation images as the last epoch measured them");
        assertEquals(r.model().labels(), ModelBundle.readManifest(bundle).labels());
    }

    @Test
    void sharedGradientsOverLoopbackTrainBothPhasesAndLowerTheValidationLoss() throws Exception {
        TransferModel model = model(SparkFixtures.zoo(dir));
        FineTunePlan plan = headThenTop(topGroup(model), 1, null);
        List<LabelledImage> val = LabelledImage.of(split, DataSplit.Part.VALIDATION);
        TrainingResult r = SparkFineTuner.builder().model(model).plan(plan)
                .train(LabelledImage.of(split, DataSplit.Part.TRAIN)).validation(val)
                .gradientExchange(GradientExchange.sharedGradients().port(freeUdpPort()).controller("127.0.0.1"))
                .batchSize(8).seed(7).build().fit(sc);

        List<EpochRecord> h = r.history();
        assertEquals(7, h.size(), "6 head epochs (cached features) + 1 top epoch (images): " + h);
        assertTrue(h.stream().allMatch(e -> Double.isNaN(e.loss()) && Double.isFinite(e.valLoss())),
                "the shared master reports no training loss (NaN, not 0); validation loss is measured: " + h);
        // threshold encoding holds small updates back as residuals, so it learns slower than averaging at this
        // size: the validation loss must fall clearly in both phases
        double first = h.get(0).valLoss();
        double head = h.get(5).valLoss();
        double topLoss = h.get(6).valLoss();
        assertTrue(head < 0.8 * first && topLoss < head, "validation loss should fall: " + h);
        double last = h.get(h.size() - 1).value(Metric.VAL_ACCURACY);
        Path bundle = ModelBundle.save(r.model(), dir.resolve("shared.t4j"), BundleExtras.none());
        assertEquals(last, accuracy(bundle, val), 1e-9, "the bundle holds the trained parameters");
    }

    private static String topGroup(TransferModel model) {
        return model.backbone().groups().get(model.backbone().groups().size() - 1).name();
    }

    /** 6 head epochs (lr 3e-2), then {@code topEpochs} on the top group with Adam at 1e-3. */
    private static FineTunePlan headThenTop(String top, int topEpochs, EarlyStopping stopping) {
        return FineTunePlan.of(Phase.builder("head").maxEpochs(6).lr(3e-2).build(),
                Phase.builder("top").trainable(LayerSelection.fromGroup(top)).maxEpochs(topEpochs).lr(1e-3)
                        .optimizer(Optimizer.adam()).earlyStopping(stopping).build());
    }

    /** Top-1 accuracy of a saved bundle on the images, through the ordinary Predictor. */
    private static double accuracy(Path bundle, List<LabelledImage> images) throws Exception {
        int correct = 0;
        try (Predictor p = Predictor.open(bundle)) {
            for (LabelledImage i : images) {
                Prediction best = p.predict(ImageInput.of(Path.of(i.path())), 1).get(0);
                correct += best.index() == i.label() ? 1 : 0;
            }
        }
        return correct / (double) images.size();
    }

    @Test
    void randomStandInWeightsAreRefusedUnlessAllowedAsFineTunerDoes() throws Exception {
        Backbone b = SparkFixtures.zoo(dir).random("tiny", new InputShape(3, SparkFixtures.SIZE, SparkFixtures.SIZE), 3);
        // what Zoo.loadOrRandom returns when the pretrained weights cannot be had
        Backbone standIn = new Backbone(b.spec(), b.graph(), b.input(), Backbone.WeightsOrigin.fallback(
                "pretrained weights unavailable (OFFLINE): Offline mode and no verified copy"), b.groups());
        TransferModel m = TransferModel.builder().backbone(standIn).head(HeadSpec.builder().build())
                .labels(split.classes()).seed(4).build();
        List<LabelledImage> train = LabelledImage.of(split, DataSplit.Part.TRAIN);
        FineTunePlan plan = FineTunePlan.of(Phase.builder("h").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkFineTuner.builder().model(m).plan(plan).train(train).build());
        assertTrue(e.getMessage().startsWith("refusing to fine-tune tiny from random initialisation")
                && e.getMessage().contains("Cause: pretrained weights unavailable (OFFLINE)")
                && e.getMessage().contains("transfer4j models install tiny --from FILE")
                && e.getMessage().contains(".allowRandomWeights()"), e.getMessage());
        SparkFineTuner.builder().model(m).plan(plan).train(train).allowRandomWeights().build(); // asked for
        SparkFineTuner.builder().model(model(SparkFixtures.zoo(dir))).plan(plan).train(train).build(); // zoo.random
    }

    @Test
    void sharedGradientsAreRefusedWithoutTheAeronTimeoutOrWithTrainingLossStopping() throws Exception {
        TransferModel model = model(SparkFixtures.zoo(dir));
        List<LabelledImage> train = LabelledImage.of(split, DataSplit.Part.TRAIN);
        IllegalArgumentException loss = assertThrows(IllegalArgumentException.class, () -> SparkFineTuner.builder()
                .model(model).plan(FineTunePlan.of(Phase.builder("h").earlyStopping(EarlyStopping.of(
                        io.transfer4j.training.Monitor.of(Metric.LOSS), 2)).build())).train(train)
                .gradientExchange(GradientExchange.sharedGradients()).build());
        assertTrue(loss.getMessage().contains("does not report"), loss.getMessage());

        SparkFineTuner tuner = SparkFineTuner.builder().model(model).plan(FineTunePlan.of(Phase.builder("h").build()))
                .train(train).gradientExchange(GradientExchange.sharedGradients()).build();
        String saved = System.clearProperty(GradientExchange.AERON_UNBLOCK_PROPERTY);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> tuner.fit(sc));
            assertTrue(e.getMessage().contains("-Daeron.publication.unblock.timeout=60000000000")
                    && e.getMessage().contains("driver"), e.getMessage());
        } finally {
            if (saved != null) {
                System.setProperty(GradientExchange.AERON_UNBLOCK_PROPERTY, saved);
            }
        }
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
                () -> GradientExchange.parse("allreduce"));
        assertTrue(mode.getMessage().contains("'averaging'") && mode.getMessage().contains("'allreduce'"),
                mode.getMessage());
        assertEquals(GradientExchange.sharedGradients(), GradientExchange.parse("Shared"));
        assertThrows(IllegalArgumentException.class, () -> GradientExchange.sharedGradients().networkMask("10.0.0"));
    }

    private static int freeUdpPort() throws java.io.IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void augmentedPhasesTrainOnExecutorsWithoutTheFeatureCache() throws Exception {
        Zoo zoo = SparkFixtures.zoo(dir);
        TransferModel model = model(zoo);
        FineTunePlan plan = FineTunePlan.of(Phase.builder("head").maxEpochs(2).lr(3e-2).build());
        TrainingResult r = SparkFineTuner.builder().model(model).plan(plan)
                .train(LabelledImage.of(split, DataSplit.Part.TRAIN))
                .validation(LabelledImage.of(split, DataSplit.Part.VALIDATION))
                .augment(AugmentOptions.builder().horizontalFlip(true).rotationRange(10).build())
                .batchSize(8).build().fit(sc);
        assertEquals(2, r.history().size());
        assertTrue(r.history().get(1).loss() < r.history().get(0).loss() * 1.5, r.history().toString());
        assertFalse(Double.isNaN(r.history().get(1).value(Metric.VAL_ACCURACY)));
    }

    @Test
    void badRunsAreRefusedAtBuildWithWhatToDo() {
        Zoo zoo;
        try {
            zoo = SparkFixtures.zoo(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        TransferModel model = model(zoo);
        List<LabelledImage> train = LabelledImage.of(split, DataSplit.Part.TRAIN);
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> SparkFineTuner
                .builder().model(model).plan(FineTunePlan.of(Phase.builder("h").build())).train(List.of()).build());
        assertTrue(empty.getMessage().contains("training images are required"), empty.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class, () -> SparkFineTuner
                .builder().model(model).plan(FineTunePlan.of(Phase.builder("h").build()))
                .train(List.of(new LabelledImage("x.png", 7))).build());
        assertTrue(label.getMessage().contains("label index 7") && label.getMessage().contains("3 labels"),
                label.getMessage());
        IllegalArgumentException adamw = assertThrows(IllegalArgumentException.class, () -> SparkFineTuner
                .builder().model(model).plan(FineTunePlan.of(Phase.builder("h").optimizer(Optimizer.adamW(0.01))
                        .build())).train(train).build());
        assertTrue(adamw.getMessage().contains("AdamW"), adamw.getMessage());
        IllegalArgumentException noVal = assertThrows(IllegalArgumentException.class, () -> SparkFineTuner
                .builder().model(model).plan(FineTunePlan.of(Phase.builder("h")
                        .earlyStopping(EarlyStopping.onValLoss(2)).build())).train(train).build());
        assertTrue(noVal.getMessage().contains("needs validation images"), noVal.getMessage());
    }
}
