package io.transfer4j.augmentation;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.TreeSet;

import org.datavec.api.conf.Configuration;
import org.datavec.api.io.labels.PathLabelGenerator;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataURI;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.transfer4j.augmentation.internal.FolderLister;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Normalization;

/**
 * A DataVec {@code RecordReader} with transfer4j's decoder behind it, for users with DataVec pipelines: any
 * {@link InputSplit} (e.g. {@code new FileSplit(dir)}) and {@link PathLabelGenerator} (e.g.
 * {@code new ParentPathLabelGenerator()}), records {@code [NDArrayWritable [1,c,h,w], IntWritable label]} that
 * {@code new RecordReaderDataSetIterator(reader, batchSize, 1, reader.getLabels().size())} batches. Files are
 * taken in sorted order; non-image extensions are ignored; undecodable files are skipped and logged once (the
 * {@link BadFilePolicy#SKIP} policy). No augmentation: use {@link ImagePipeline} flows for that (see the module
 * README for why they do not sit on DataVec).
 */
public final class DecodedImageRecordReader extends BaseRecordReader {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodedImageRecordReader.class);

    private final InputShape shape;
    private final Normalization normalization;
    private final Interpolation interpolation;
    private final PathLabelGenerator labelGenerator;
    private final transient ImageDecoder decoder;
    private final List<URI> files = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final List<BadFile> skipped = new ArrayList<>();
    private int cursor;
    private transient Record peeked;
    private Configuration conf;

    public DecodedImageRecordReader(InputShape shape, Normalization normalization, Interpolation interpolation,
                                    PathLabelGenerator labelGenerator, ImageDecoder decoder) {
        this.shape = Objects.requireNonNull(shape, "shape");
        this.normalization = Objects.requireNonNull(normalization, "normalization");
        this.interpolation = Objects.requireNonNull(interpolation, "interpolation");
        this.labelGenerator = Objects.requireNonNull(labelGenerator, "labelGenerator");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
    }

    @Override
    public void initialize(InputSplit split) throws IOException, InterruptedException {
        super.initialize(split);
        files.clear();
        TreeSet<String> names = new TreeSet<>(FolderLister.CODE_POINT_ORDER);
        List<URI> all = new ArrayList<>(List.of(split.locations()));
        all.sort((a, b) -> FolderLister.CODE_POINT_ORDER.compare(a.toString(), b.toString()));
        for (URI u : all) {
            if (FolderLister.hasImageExtension(u.getPath())) {
                files.add(u);
                names.add(labelGenerator.getLabelForPath(u).toString());
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("the input split holds no images: looked for *."
                    + String.join(", *.", FolderLister.EXTENSIONS) + " among " + all.size() + " locations");
        }
        labels.clear();
        labels.addAll(names);
        reset();
    }

    @Override
    public void initialize(Configuration conf, InputSplit split) throws IOException, InterruptedException {
        this.conf = conf;
        initialize(split);
    }

    @Override
    public boolean hasNext() {
        while (peeked == null && cursor < files.size()) {
            URI u = files.get(cursor++);
            try {
                peeked = read(u);
            } catch (ImageDecodeException e) {
                skipped.add(new BadFile(e.path(), u.getPath(), e.kind(), e.detail()));
                LOG.warn("Skipping {}: {}", u, e.detail());
            }
        }
        return peeked != null;
    }

    private Record read(URI u) throws ImageDecodeException {
        Path p = Path.of(u);
        INDArray x = ImagePipeline.toInput(decoder.read(p), shape, normalization, interpolation);
        int label = labels.indexOf(labelGenerator.getLabelForPath(u).toString());
        List<Writable> rec = List.of(new NDArrayWritable(x), new IntWritable(label));
        return new org.datavec.api.records.impl.Record(rec, new RecordMetaDataURI(u, DecodedImageRecordReader.class));
    }

    @Override
    public Record nextRecord() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more images; call reset()");
        }
        Record r = peeked;
        peeked = null;
        invokeListeners(r);
        return r;
    }

    @Override
    public List<Writable> next() {
        return nextRecord().getRecord();
    }

    @Override
    public List<String> getLabels() {
        return List.copyOf(labels);
    }

    /** Files skipped so far because they could not be decoded. */
    public List<BadFile> skippedFiles() {
        return List.copyOf(skipped);
    }

    @Override
    public void reset() {
        cursor = 0;
        peeked = null;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public List<Writable> record(URI uri, DataInputStream dataInputStream) throws IOException {
        return read(uri).getRecord();
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) throws IOException {
        return read(recordMetaData.getURI());
    }

    @Override
    public List<Record> loadFromMetaData(List<RecordMetaData> list) throws IOException {
        List<Record> out = new ArrayList<>();
        for (RecordMetaData m : list) {
            out.add(loadFromMetaData(m));
        }
        return out;
    }

    @Override
    public void close() {
        // nothing held open
    }

    @Override
    public void setConf(Configuration conf) {
        this.conf = conf;
    }

    @Override
    public Configuration getConf() {
        return conf;
    }
}
