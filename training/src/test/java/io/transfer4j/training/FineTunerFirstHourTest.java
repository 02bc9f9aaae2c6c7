package io.transfer4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.augmentation.Subset;
import io.transfer4j.core.TransferModel;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/** What a new user of the Java API met in the first hour (issue 14): silence, late shape errors, 0 epochs. */
class FineTunerFirstHourTest {
    @TempDir
    static Path shared;
    static Path data;

    @BeforeAll
    static void generate() throws Exception {
        data = TinyRun.ensureData(shared, 8);
    }

    private static FineTunePlan headOnly(int epochs) {
        return FineTunePlan.of(Phase.builder("head").maxEpochs(epochs).lr(1e-3).build());
    }

    /** Runs {@code r} with System.out captured. */
    private static String stdout(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneLinePerEpochByDefaultReplacedByAListenerSilencedOnRequest() throws Exception {
        try (TinyRun t = TinyRun.open(data, TinyRun.zooHome(shared), false, 8)) {
            String printed = stdout(() -> FineTuner.builder().model(t.model).train(t.train).validation(t.validation)
                    .plan(headOnly(2)).seed(1).build().fit());
            List<String> lines = printed.lines().toList();
            assertEquals(2, lines.size(), printed);
            assertTrue(lines.get(0).matches("head 1/2 loss \\d\\.\\d{4}( acc \\d+\\.\\d%)? val_loss \\d\\.\\d{4} "
                    + "val_acc \\d+\\.\\d% \\d+(\\.\\d)?s"), lines.get(0));
            assertTrue(lines.get(1).startsWith("head 2/2 loss "), lines.get(1));
            assertTrue(lines.stream().allMatch(l -> l.length() <= 80), printed);

            assertEquals("", stdout(() -> FineTuner.builder().model(t.model).train(t.train).plan(headOnly(1))
                    .silent().build().fit()), "silent() prints nothing");
            List<EpochRecord> seen = new java.util.ArrayList<>();
            assertEquals("", stdout(() -> FineTuner.builder().model(t.model).train(t.train).plan(headOnly(1))
                    .progress(new ProgressListener() {
                        @Override
                        public void onBatch(BatchEnd b) {
                        }

                        @Override
                        public void onEpoch(EpochRecord r) {
                            seen.add(r);
                        }
                    }).build().fit()), "a listener replaces the default lines");
            assertEquals(1, seen.size());
        }
    }

    @Test
    void randomStandInWeightsAreRefusedUnlessAllowedNamingTheCauseAndTheInstall() throws Exception {
        try (TinyRun t = TinyRun.open(data, TinyRun.zooHome(shared), false, 8)) {
            io.transfer4j.zoo.Backbone b = Zoo.builder().home(TinyRun.zooHome(shared)).offline(true).build()
                    .random("tiny", new InputShape(3, TinyRun.SIZE, TinyRun.SIZE), 3);
            io.transfer4j.zoo.Backbone standIn = new io.transfer4j.zoo.Backbone(b.spec(), b.graph(), b.input(),
                    io.transfer4j.zoo.Backbone.WeightsOrigin.fallback("pretrained weights unavailable (OFFLINE): "
                            + "Offline mode and no verified copy"), b.groups());
            TransferModel m = TransferModel.builder().backbone(standIn).labels(t.train.getLabels()).seed(4).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder()
                    .model(m).train(t.train).plan(headOnly(1)).build());
            String msg = e.getMessage();
            assertTrue(msg.startsWith("refusing to fine-tune tiny from random initialisation"), msg);
            assertTrue(msg.contains("Cause: pretrained weights unavailable (OFFLINE)"), msg);
            assertTrue(msg.contains("transfer4j models install tiny --from FILE") && msg.contains("zoo.random(")
                    && msg.contains(".allowRandomWeights()"), msg);
            FineTuner.builder().model(m).train(t.train).plan(headOnly(1)).allowRandomWeights().build();
            FineTuner.builder().model(t.model).train(t.train).plan(headOnly(1)).build();   // zoo.random: asked for
        }
    }

    @Test
    void aLabelCountMismatchIsFoundAtBuildWithBothLists() throws Exception {
        try (TinyRun t = TinyRun.open(data, TinyRun.zooHome(shared), false, 8)) {
            TransferModel two = TransferModel.builder().backbone(t.model.backbone().id().equals("tiny")
                    ? Zoo.builder().home(TinyRun.zooHome(shared)).offline(true).build()
                    .random("tiny", new InputShape(3, TinyRun.SIZE, TinyRun.SIZE), 3) : null)
                    .labels(List.of("a", "b")).seed(4).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder()
                    .model(two).train(t.train).plan(headOnly(1)).build());
            assertTrue(e.getMessage().startsWith("the training data has 3 classes " + t.train.getLabels()
                    + " but the model was built for 2 labels [a, b]"), e.getMessage());
            assertTrue(e.getMessage().contains(".labels(trainFlow.getLabels())"), e.getMessage());
        }
    }

    @Test
    void aFlowOfAnotherSizeThanTheModelIsFoundAtBuild() throws Exception {
        try (TinyRun t = TinyRun.open(data, TinyRun.zooHome(shared), false, 8)) {
            Zoo zoo = Zoo.builder().home(TinyRun.zooHome(shared)).offline(true).build();
            DirectoryFlow big = ImagePipeline.forBackbone(zoo.spec("tiny"))
                    .augment(AugmentOptions.builder().validationSplit(0.25).build()).flowFromDirectory(data,
                    FlowOptions.builder().targetSize(24, 24).batchSize(8).seed(5)
                            .subset(Subset.VALIDATION).workers(1).build());
            try (big) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuner.builder()
                        .model(t.model).train(t.train).validation(big).plan(headOnly(1)).build());
                assertEquals("the validation flow yields 3x24x24 images (channels x height x width) but the model "
                        + "was built for 3x16x16; use FlowOptions.builder().targetSize(16, 16) or build the backbone "
                        + "for 24x24 px", e.getMessage());
            }
        }
    }

    @Test
    void theEpochLineFitsEightyColumnsForTheCliPhaseNames() {
        EpochRecord r = new EpochRecord("fine-tune-res5", 10, 0.123456, 0.2, java.util.Map.of(Metric.ACCURACY,
                0.975, Metric.VAL_ACCURACY, 0.995), 1e-4, 999.4, 3.0);
        String line = r.line(10);
        assertEquals("fine-tune-res5 10/10 loss 0.1235 acc 97.5% val_loss 0.2000 val_acc 99.5% 999s", line);
        assertTrue(line.length() <= 79, line.length() + ": " + line);
        assertEquals("head 1 loss 0.1235 1.5s", new EpochRecord("head", 1, 0.123456, Double.NaN,
                java.util.Map.of(), 2.5e-5, 1.5, 3.0).line(0));
        assertTrue(new EpochRecord("head", 1, 0.1, 0.2, java.util.Map.of(), 1e-3, 3600, 1).line(5).endsWith(" 60m"));
    }

    @Test
    void kerasRecipeWithZeroFineTuneEpochsIsTheHeadPhaseAlone() {
        FineTunePlan p = FineTunePlan.kerasRecipe("res5", 5, 0);
        assertEquals(1, p.phases().size());
        assertEquals("head", p.phase(0).name());
        assertEquals(5, p.maxEpochs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FineTunePlan.kerasRecipe("res5", 5, -1));
        assertTrue(e.getMessage().contains("fineTuneEpochs must be >= 0 (0 = train the head only); received -1"),
                e.getMessage());
    }
}
