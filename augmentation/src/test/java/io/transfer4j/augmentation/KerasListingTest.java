package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.Normalization;
import io.transfer4j.zoo.Zoo;

/** Keras' listing order in nested folders, hidden directories, the backbone's normalisation, and DL4J fit. */
class KerasListingTest {
    @TempDir
    Path tmp;

    private static void png(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", p.toFile());
    }

    @Test
    void recursiveListingFollowsKerasSortedWalkOrder() throws IOException {
        Path d = tmp.resolve("d");
        for (String f : List.of("cls/z.png", "cls/B.png", "cls/a/x.PNG", "cls/a b/y.png", "cls/a/c/w.jpeg",
                "cls/a/skip.txt", ".ipynb_checkpoints/cls/q.png", "other/o.png")) {
            png(d.resolve(f));
        }
        try (DirectoryFlow f = ImagePipeline.of(Normalization.none()).flowFromDirectory(d,
                FlowOptions.builder().targetSize(4, 4).shuffle(false).build())) {
            // os.walk roots sorted by path: "cls" < "cls/a" < "cls/a b" < "cls/a/c" (' ' sorts before '/'),
            // file names sorted within each root by code point ("B" < "z")
            assertEquals(List.of("cls/B.png", "cls/z.png", "cls/a/x.PNG", "cls/a b/y.png", "cls/a/c/w.jpeg",
                    "other/o.png"), f.filenames());
            assertEquals(List.of("cls", "other"), f.getLabels(), "hidden directories are not classes");
            assertTrue(f.warnings().stream().anyMatch(w -> w.contains(".ipynb_checkpoints")), f.warnings().toString());
        }
    }

    /**
     * A deliberate difference: Keras 1.1.2 matches {@code fname.lower().endswith(ext)} without the dot, so it lists
     * {@code noext_png} and {@code x12.xpng} as images (and then fails or warns decoding them). Training and
     * prediction here take only files whose text after the last dot is in {@link ImageDecoder#IMAGE_EXTENSIONS}.
     */
    @Test
    void suffixLookalikesAreNotImagesUnlikeKeras() throws IOException {
        Path d = tmp.resolve("quirk");
        for (String f : List.of("cls/a.png", "cls/noext_png", "cls/x12.xpng", "cls/b.PGM", "cls/c.png.txt")) {
            png(d.resolve(f));
        }
        assertTrue(ImageDecoder.hasImageExtension("a.png") && ImageDecoder.hasImageExtension("b.PGM"));
        assertTrue(!ImageDecoder.hasImageExtension("noext_png") && !ImageDecoder.hasImageExtension("x12.xpng"));
        try (DirectoryFlow f = ImagePipeline.of(Normalization.none()).flowFromDirectory(d,
                FlowOptions.builder().targetSize(4, 4).shuffle(false).build())) {
            assertEquals(List.of("cls/a.png", "cls/b.PGM"), f.filenames(), "Keras would also list noext_png, x12.xpng");
        }
        DataScan.Result scan = DataScan.scan(d, ScanOptions.quick());
        assertEquals(2, scan.files().size(), scan.files().toString());
        assertEquals(ImageDecoder.IMAGE_EXTENSIONS, scan.extensions(), "data check reports the one list");
    }

    @Test
    void forBackboneTakesTheNormalisationFromTheSpec() {
        for (BackboneSpec spec : Zoo.fromEnvironment().catalogue()) {
            assertEquals(spec.normalization(), ImagePipeline.forBackbone(spec).normalization(), spec.id());
        }
    }

    @Test
    void dl4jFitConsumesTheFlowOneEpochAtATime() throws IOException {
        Path d = tmp.resolve("imgs");
        ImageFolders.generate(d, new ImageFolders.Spec(2, 6, 16, List.of("png"), 1));
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-2)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder().build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(16, 16, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        ImagePipeline p = ImagePipeline.of(Normalization.rescale())
                .augment(AugmentOptions.builder().horizontalFlip(true).build());
        try (DirectoryFlow f = p.flowFromDirectory(d, FlowOptions.builder().targetSize(16, 16).batchSize(5).build())) {
            net.fit(f, 3);
            assertEquals(2, f.epoch(), "three epochs: 0, 1, 2");
            assertTrue(Double.isFinite(net.score()), "score " + net.score());
            assertEquals(3 * f.batchesPerEpoch(), net.getIterationCount());
        }
    }
}
