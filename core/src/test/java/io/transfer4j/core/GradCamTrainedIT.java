package io.transfer4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** Grad-CAM on a briefly trained model whose class signal sits in a known quadrant. */
class GradCamTrainedIT {
    /**
     * Gray noise; class 1 images also hold a bright square in one quadrant (cycling TL, TR, BL, BR), class 0 none.
     * The quadrant of image i is {@code (i / 2) % 4}.
     */
    static DataSet squares(int n, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.create(DataType.FLOAT, n, 3, 16, 16);
        INDArray y = Nd4j.create(DataType.FLOAT, n, 2);
        for (int i = 0; i < n; i++) {
            int cls = i % 2;
            int quadrant = (i / 2) % 4;
            y.putScalar(i, cls, 1);
            int oy = (quadrant < 2 ? 0 : 8) + 1 + r.nextInt(3);
            int ox = (quadrant % 2 == 0 ? 0 : 8) + 1 + r.nextInt(3);
            for (int yy = 0; yy < 16; yy++) {
                for (int xx = 0; xx < 16; xx++) {
                    boolean in = cls == 1 && yy >= oy && yy < oy + 5 && xx >= ox && xx < ox + 5;
                    double v = in ? 230 + r.nextInt(25) : 60 + r.nextInt(60);
                    for (int c = 0; c < 3; c++) {
                        x.putScalar(new long[] {i, c, yy, xx}, v);
                    }
                }
            }
        }
        return new DataSet(x, y);
    }

    @Test
    void trainedModelLooksWhereTheClassSignalIs() throws Exception {
        TransferModel m = TransferModelTest.tiny().cut("block2_out").labels(List.of("plain", "square"))
                .trainable(LayerSelection.all()).updater(new Adam(1e-2)).build();
        DataSet train = squares(24, 61);
        DataSet scaled = new DataSet(train.getFeatures().div(255), train.getLabels());
        for (int i = 0; i < 25; i++) {
            m.graph().fit(scaled);
        }
        DataSet test = squares(16, 62);
        try (Predictor p = Predictor.of(m)) {
            for (int i = 1; i < 16; i += 2) {
                INDArray img = test.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1));
                assertEquals(1, p.predict(ImageInput.of(img), 1).get(0).index(), "trained model sees the square in image " + i);
                float[][] heat = p.explain(ImageInput.of(img), 1).heatmap();
                double[] mass = new double[4]; // TL, TR, BL, BR
                for (int yy = 0; yy < 16; yy++) {
                    for (int xx = 0; xx < 16; xx++) {
                        mass[(yy < 8 ? 0 : 2) + (xx < 8 ? 0 : 1)] += heat[yy][xx];
                    }
                }
                int quadrant = (i / 2) % 4;
                double total = mass[0] + mass[1] + mass[2] + mass[3];
                assertTrue(mass[quadrant] > 0.5 * total, "image " + i + " (square in quadrant " + quadrant
                        + "): quadrant masses " + java.util.Arrays.toString(mass));
            }
        }
    }
}
