package io.transfer4j.augmentation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.transfer4j.augmentation.internal.SampleProcessor;
import io.transfer4j.zoo.Normalization;

/**
 * Keras' {@code DirectoryIterator}: batches of images from class folders (or a split manifest, or a CSV), as a
 * DL4J {@link org.nd4j.linalg.dataset.api.iterator.DataSetIterator}. Built by {@link ImagePipeline}.
 */
public final class DirectoryFlow extends ImageFlow {
    private static final long serialVersionUID = 1L;

    private final transient List<Path> files;
    private final List<String> filenames;
    private final transient ImageDecoder decoder;
    private final transient SampleProcessor processor;
    private final List<BadFile> excluded;
    private final List<String> warnings;
    /** Frame of each sample ({@link DicomFrames#ALL}: one sample per frame of a multi-frame DICOM), or null. */
    private final transient int[] frames;

    DirectoryFlow(FlowOptions options, SampleProcessor processor, Normalization normalization, List<String> classNames,
                  List<Path> files, List<String> filenames, int[] labels, ImageDecoder decoder, List<BadFile> excluded,
                  List<String> warnings, int[] frames) {
        super(options, processor, normalization, classNames, labels, files.size());
        this.frames = frames == null ? null : frames.clone();
        this.files = List.copyOf(files);
        this.filenames = List.copyOf(filenames);
        this.decoder = decoder;
        this.processor = processor;
        this.excluded = List.copyOf(excluded);
        this.warnings = List.copyOf(warnings);
    }

    @Override
    float[] load(int index) throws ImageDecodeException {
        return processor.prepare(decode(index));
    }

    private DecodedImage decode(int index) throws ImageDecodeException {
        return frames == null ? decoder.read(files.get(index)) : decoder.readFrame(files.get(index), frames[index]);
    }

    @Override
    float[] load(int index, float[] scratch) throws ImageDecodeException {
        return processor.prepare(decode(index), scratch);
    }

    @Override
    String name(int index) {
        return filenames.get(index);
    }

    /** Class name -> index (Keras {@code class_indices}), in index order. */
    public Map<String, Integer> classIndices() {
        Map<String, Integer> m = new LinkedHashMap<>();
        List<String> names = getLabels();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), i);
        }
        return m;
    }

    /**
     * File paths relative to the directory, {@code /}-separated, in sample order (Keras {@code filenames}): the
     * order a flow with {@code shuffle=false} yields them.
     */
    public List<String> filenames() {
        return filenames;
    }

    /** {@link #filenames()}: every sample is a file. */
    @Override
    public java.util.Optional<List<String>> sampleFiles() {
        return java.util.Optional.of(filenames);
    }

    /** The files in the order the current epoch yields them (equal to {@link #filenames()} without shuffling). */
    public List<String> filenamesInYieldOrder() {
        List<String> out = new ArrayList<>(filenames.size());
        for (int i : epochOrder()) {
            out.add(filenames.get(i));
        }
        return out;
    }

    /** The files of the batch most recently returned by {@link #next()}, in batch order. */
    public List<String> lastBatchFilenames() {
        List<String> out = new ArrayList<>();
        for (int i : lastBatchSamples()) {
            out.add(filenames.get(i));
        }
        return out;
    }

    /** Absolute paths in sample order. */
    public List<Path> files() {
        return files;
    }

    /** Files left out before the first batch (unreadable, not images, too large...), each with its reason. */
    public List<BadFile> excludedFiles() {
        return excluded;
    }

    /** Listing warnings, e.g. empty class directories. */
    public List<String> warnings() {
        return warnings;
    }
}
