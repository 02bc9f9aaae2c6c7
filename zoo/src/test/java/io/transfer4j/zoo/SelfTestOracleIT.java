package io.transfer4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import io.transfer4j.zoo.internal.SelfTests;

/**
 * {@link Zoo#selfTest}'s logic with the PyTorch oracle's MobileNetV2 weights (random, so no cat is expected): the
 * committed photo is the one derived from Debian's python3-skimage, its top 5 and probabilities are the oracle's,
 * and the verdict follows the expected classes. (The real verdict needs the real weights, which cannot be
 * downloaded here.)
 */
class SelfTestOracleIT {
    @TempDir
    static Path tmp;
    static Oracle oracle;

    @BeforeAll
    static void runOracle() throws Exception {
        oracle = Oracle.run(tmp.resolve("oracle"), "mobilenetv2");
    }

    @Test
    void theCommittedPhotoIsTheOneDerivedFromScikitImage() throws Exception {
        INDArray derived = Oracle.image(oracle.dir().resolve(SelfTests.IMAGE));
        assertEquals(derived, SelfTests.photo(), "chelsea_224.png must be pixel for pixel oracle.py's chelsea_224()");
    }

    @Test
    void selfTestRanksTheOraclesTop5AndJudgesByTheExpectedClasses() throws Exception {
        Zoo zoo = OracleCatalogue.zoo(tmp.resolve("zoo"), "mobilenetv2", oracle.dir().resolve("mobilenetv2_top.h5"),
                WeightFormat.KERAS_H5, true);
        zoo.install("mobilenetv2", oracle.dir().resolve("mobilenetv2_top.h5"));   // as a user installs a file
        SelfTestResult r = zoo.selfTest("mobilenetv2");
        var out = oracle.manifest().path("mobilenetv2").path("all").path("224x224");
        int row = -1;
        for (int i = 0; i < out.path("images").size(); i++) {
            if (out.path("images").get(i).asText().equals(SelfTests.IMAGE)) {
                row = i;
            }
        }
        assertTrue(row >= 0, "the oracle ran the photo");
        INDArray logits = oracle.tensor(out.path("outputs").path("logits")).get(NDArrayIndex.point(row),
                NDArrayIndex.all());
        INDArray probs = Transforms.softmax(logits.reshape(1, -1).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE))
                .reshape(-1);
        List<Integer> oracleTop5 = new ArrayList<>();
        INDArray sorted = org.nd4j.linalg.factory.Nd4j.sortWithIndices(probs.dup(), 0, false)[0];
        for (int k = 0; k < 5; k++) {
            oracleTop5.add(sorted.getInt(k));
        }
        assertEquals(oracleTop5, r.top5().stream().map(SelfTestResult.Ranked::index).toList());
        for (SelfTestResult.Ranked k : r.top5()) {
            assertEquals(probs.getDouble(k.index()), k.probability(), 1e-5, "probability of class " + k.index());
        }
        assertEquals(SelfTests.CATS, r.expected());
        assertEquals(oracleTop5.stream().anyMatch(SelfTests.CATS::contains), r.passed());

        Backbone b = zoo.load("mobilenetv2", InputShape.rgb(224, 224));
        assertTrue(SelfTests.run(b, SelfTests.photo(), "chelsea", Set.of(oracleTop5.get(4))).passed(),
                "a class ranked fifth passes");
        int outside = sorted.getInt(5);
        assertFalse(SelfTests.run(b, SelfTests.photo(), "chelsea", Set.of(outside)).passed(),
                "a class ranked sixth fails");
    }

    @Test
    void withoutWeightsWithTheTopTheSelfTestSaysWhatToInstall() throws Exception {
        Zoo notop = OracleCatalogue.zoo(tmp.resolve("notop"), "mobilenetv2",
                oracle.dir().resolve("mobilenetv2_notop.h5"), WeightFormat.KERAS_H5, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> notop.selfTest("mobilenetv2"));
        assertTrue(e.getMessage().contains("no pretrained weights with an ImageNet classifier top"), e.getMessage());

        Zoo empty = Zoo.builder().home(tmp.resolve("empty")).dl4jHome(tmp.resolve("d")).kerasHome(tmp.resolve("k"))
                .offline(true).build();
        WeightsUnavailableException w = assertThrows(WeightsUnavailableException.class,
                () -> empty.selfTest("mobilenetv2"));
        assertTrue(w.getMessage().contains("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5")
                && w.getMessage().contains("transfer4j models install mobilenetv2 --from FILE"), w.getMessage());
    }
}
