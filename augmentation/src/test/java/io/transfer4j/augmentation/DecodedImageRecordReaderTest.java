package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.datavec.api.split.FileSplit;
import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Normalization;

/** The DataVec route: FileSplit + ParentPathLabelGenerator + our decoder + RecordReaderDataSetIterator. */
class DecodedImageRecordReaderTest {
    @TempDir
    Path tmp;

    @Test
    void feedsRecordReaderDataSetIteratorWithNormalisedNchwBatches() throws Exception {
        Path dir = tmp.resolve("data");
        ImageFolders.generate(dir, new ImageFolders.Spec(2, 5, 20, List.of("png", "jpg"), 1));
        Files.write(dir.resolve("squares/broken.png"), new byte[] {1, 2, 3});
        DecodedImageRecordReader rr = new DecodedImageRecordReader(InputShape.rgb(16, 16), Normalization.caffe(),
                Interpolation.BILINEAR, new ParentPathLabelGenerator(), ImageDecoder.standard());
        rr.initialize(new FileSplit(dir.toFile()));
        assertEquals(List.of("circles", "squares"), rr.getLabels());
        RecordReaderDataSetIterator it = new RecordReaderDataSetIterator(rr, 4, 1, 2);
        int n = 0;
        int squares = 0;
        while (it.hasNext()) {
            DataSet d = it.next();
            assertArrayEquals(new long[] {d.numExamples(), 3, 16, 16}, d.getFeatures().shape());
            assertTrue(d.getFeatures().minNumber().doubleValue() < -50, "caffe means were subtracted");
            n += d.numExamples();
            squares += (int) d.getLabels().getColumn(1).sumNumber().doubleValue();
        }
        assertEquals(10, n);
        assertEquals(5, squares);
        assertEquals(1, rr.skippedFiles().size());
        assertEquals(BadFileKind.NOT_AN_IMAGE, rr.skippedFiles().get(0).kind());
    }
}
