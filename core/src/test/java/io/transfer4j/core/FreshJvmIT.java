package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The "done when": built, trained briefly, saved, loaded in a fresh JVM and called from several threads,
 * the model gives exactly the predictions of the JVM that trained it.
 */
class FreshJvmIT {
    @TempDir
    Path dir;

    @Test
    void freshJvmWithFourThreadsPredictsExactlyWhatTheTrainingJvmPredicted() throws Exception {
        TransferModel m = TransferModelTest.tiny().cut("block2_out").trainable(LayerSelection.fromGroup("block2"))
                .updater(new Adam(1e-2)).build();
        DataSet ds = TestData.batch(32, 3, 16, 3, 1, 51);
        for (int i = 0; i < 10; i++) {
            m.graph().fit(ds);
        }
        Path bundle = ModelBundle.save(m, dir.resolve("model.t4j"), BundleExtras.none());
        Path images = Files.createDirectories(dir.resolve("images"));
        List<String> expected = new ArrayList<>();
        try (Predictor p = Predictor.of(m)) {
            for (int i = 0; i < 10; i++) {
                Path f = images.resolve(String.format("img%02d.png", i));
                ImageIO.write(PredictorTest.image(500 + i), "png", f.toFile());
                Prediction top = p.predict(ImageInput.of(f), 1).get(0);
                expected.add(f.getFileName() + "\t" + top.label() + "\t" + top.probability());
            }
        }
        Process proc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dorg.bytedeco.javacpp.maxbytes=2G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=3G",
                "-cp", System.getProperty("java.class.path"), FreshJvmMain.class.getName(),
                bundle.toString(), images.toString(), "4")
                .redirectError(dir.resolve("child.err").toFile()).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(5, TimeUnit.MINUTES), "child JVM finished");
        assertEquals(0, proc.exitValue(), "child failed: " + Files.readString(dir.resolve("child.err")));
        assertEquals(expected, out.lines().toList());
    }
}
