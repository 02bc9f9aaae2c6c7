package io.transfer4j.cli.bench;

import io.transfer4j.augmentation.AugmentOptions;
import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.augmentation.Interpolation;
import io.transfer4j.zoo.Zoo;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

/**
 * The image pipeline on one thread: decode (JPEG or PNG) + bilinear resize to the model input + a random affine
 * transform (rotation 20 degrees, shifts 0.1, shear 10 degrees, zoom 0.1, horizontal flip) + caffe
 * normalisation, through augmentation's {@code ImagePipeline.flowFromDirectory} with {@code workers(1)} and no
 * prefetch; three warm-up epochs, then the timed ones (the PyTorch peer does the same). The PNG set is a
 * lossless re-encoding of the same photos, made once in the work directory.
 */
final class PipelineBench {

    private PipelineBench() {
    }

    static AugmentOptions augmentation() {
        return AugmentOptions.builder().rotationRange(20).widthShiftRange(0.1).heightShiftRange(0.1)
                .shearRange(10).zoomRange(0.1).horizontalFlip(true).build();
    }

    static BenchResult run(Workload w, Path jpegDir, Path workDir, int size, int batch, int epochs, String note) {
        Path dir = w == Workload.PIPELINE_PNG ? pngCopy(jpegDir, workDir.resolve("png")) : jpegDir;
        ProcessMemory.resetPeak();
        ImagePipeline pipe = ImagePipeline.forBackbone(Zoo.builder().offline(true).build().spec("resnet50"))
                .augment(augmentation());
        DirectoryFlow flow = pipe.flowFromDirectory(dir, FlowOptions.builder().targetSize(size, size).batchSize(batch)
                .interpolation(Interpolation.BILINEAR).workers(1).prefetch(0).seed(7).build());
        for (int e = 0; e < 3; e++) {
            flow.reset();
            drain(flow); // warm-up epochs: class loading, JIT (the hot loops reach C2 only after a few hundred images)
        }
        long images = 0;
        long t0 = System.nanoTime();
        for (int e = 0; e < epochs; e++) {
            flow.reset();
            images += drain(flow);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        double ips = images / (ms / 1000);
        return new BenchResult(w.id(), "-", batch, size, ips, ms / Math.max(1, images) * batch, 0,
                ProcessMemory.peakRss(), ModelBench.join(note, String.format(Locale.ROOT,
                "%d images x %d epochs from %s", flow.samples(), epochs, dir)));
    }

    private static long drain(DirectoryFlow flow) {
        long n = 0;
        while (flow.hasNext()) {
            n += flow.next().getFeatures().size(0);
        }
        return n;
    }

    /** PNG copies of every JPEG under {@code src} (same class folders), made once; atomic per file. */
    static Path pngCopy(Path src, Path dst) {
        try (Stream<Path> files = Files.walk(src)) {
            List<Path> jpegs = files.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
                    .matches(".*\\.jpe?g")).sorted().toList();
            for (Path jpeg : jpegs) {
                Path rel = src.relativize(jpeg);
                String name = rel.getFileName().toString().replaceAll("(?i)\\.jpe?g$", ".png");
                Path out = dst.resolve(rel).resolveSibling(name);
                if (Files.exists(out)) {
                    continue;
                }
                Files.createDirectories(out.getParent());
                BufferedImage img = ImageIO.read(jpeg.toFile());
                if (img == null) {
                    continue; // not decodable by ImageIO: the JPEG run skips it too
                }
                Path tmp = Files.createTempFile(out.getParent(), ".png-", ".tmp");
                ImageIO.write(img, "png", tmp.toFile());
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return dst;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make PNG copies of " + src + " in " + dst + ": " + e.getMessage(), e);
        }
    }
}
