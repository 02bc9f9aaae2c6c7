package io.transfer4j.spark.internal;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DecodedImage;
import io.transfer4j.augmentation.ImageDecoder;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.augmentation.Interpolation;
import io.transfer4j.spark.LabelledImage;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Normalization;

/**
 * Turns images into network inputs on an executor, exactly as a local flow does: decode, resize, the seeded random
 * transform for (seed, epoch, index) when augmenting, the backbone's normalisation. Shape and normalisation travel as
 * JSON (Jackson values), the augmentation options as a serialisable record. A file that cannot be read is
 * skipped and logged.
 */
public final class SampleMaker implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SampleMaker.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String shapeJson;
    private final String normalizationJson;
    private final String interpolation;
    private final AugmentOptions augment;
    private final long seed;
    private final byte[] hadoopConf;

    public SampleMaker(InputShape shape, Normalization normalization, Interpolation interpolation,
                       AugmentOptions augment, long seed, byte[] hadoopConf) {
        try {
            this.shapeJson = JSON.writeValueAsString(shape);
            this.normalizationJson = JSON.writeValueAsString(normalization);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.interpolation = interpolation.name();
        this.augment = augment;
        this.seed = seed;
        this.hadoopConf = hadoopConf;
    }

    /** One input {@code [1,c,h,w]} per image, or null when the file cannot be used. */
    public INDArray[] inputs(List<LabelledImage> images, List<Long> indices, int epoch, boolean augment) {
        InputShape shape = read(shapeJson, InputShape.class);
        Normalization norm = read(normalizationJson, Normalization.class);
        Interpolation interp = Interpolation.valueOf(interpolation);
        ImagePipeline pipe = ImagePipeline.of(norm);
        if (augment && this.augment != null) {
            pipe = pipe.augment(this.augment);
        }
        Configuration conf = HadoopFiles.deserialise(hadoopConf);
        INDArray[] out = new INDArray[images.size()];
        List<java.nio.file.Path> temps = new ArrayList<>();
        try {
            for (int i = 0; i < images.size(); i++) {
                String path = images.get(i).path();
                try {
                    DecodedImage img = ImageDecoder.decode(HadoopFiles.localCopy(path, conf, temps));
                    out[i] = augment && this.augment != null
                            ? pipe.toTrainingInput(img, shape, interp, seed, epoch, (int) (long) indices.get(i))
                            : ImagePipeline.toInput(img, shape, norm, interp);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("skipped {}: {}", path, e.getMessage());
                }
            }
        } finally {
            for (java.nio.file.Path t : temps) {
                try {
                    Files.deleteIfExists(t);
                } catch (IOException ignored) {
                    // temp copy only
                }
            }
        }
        return out;
    }

    /** Minibatches of {@code batchSize} labelled inputs from a partition of (index, image) pairs. */
    public Iterator<org.nd4j.linalg.dataset.DataSet> batches(Iterator<scala.Tuple2<LabelledImage, Long>> it,
                                                             int batchSize, int classes, int epoch, boolean augment) {
        List<org.nd4j.linalg.dataset.DataSet> out = new ArrayList<>();
        List<LabelledImage> chunk = new ArrayList<>();
        List<Long> idx = new ArrayList<>();
        while (it.hasNext()) {
            scala.Tuple2<LabelledImage, Long> t = it.next();
            chunk.add(t._1());
            idx.add(t._2());
            if (chunk.size() == batchSize || !it.hasNext()) {
                INDArray[] x = inputs(chunk, idx, epoch, augment);
                List<INDArray> xs = new ArrayList<>();
                List<INDArray> ys = new ArrayList<>();
                for (int i = 0; i < x.length; i++) {
                    if (x[i] != null) {
                        xs.add(x[i]);
                        INDArray y = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, classes);
                        y.putScalar(0, chunk.get(i).label(), 1f);
                        ys.add(y);
                    }
                }
                if (!xs.isEmpty()) {
                    out.add(new org.nd4j.linalg.dataset.DataSet(Nd4j.concat(0, xs.toArray(INDArray[]::new)),
                            Nd4j.concat(0, ys.toArray(INDArray[]::new))));
                }
                chunk.clear();
                idx.clear();
            }
        }
        return out.iterator();
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + type.getSimpleName() + " on the executor: "
                    + e.getMessage(), e);
        }
    }
}
