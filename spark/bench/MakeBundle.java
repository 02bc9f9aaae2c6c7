import java.nio.file.Files;
import java.nio.file.Path;

import io.transfer4j.augmentation.DirectoryFlow;
import io.transfer4j.augmentation.FlowOptions;
import io.transfer4j.augmentation.ImagePipeline;
import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.HeadSpec;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.MemoryEstimate;
import io.transfer4j.zoo.Zoo;

/**
 * Writes a throughput-benchmark bundle: BACKBONE with RANDOM weights (speed only: no pretrained weights here),
 * SIZE px, a default head over IMAGES' class folders, BatchNorm statistics calibrated on one batch so outputs are
 * finite. Run by spark/bench/throughput.sh as a single-file Java program on the spark module's class path.
 *
 *   java -cp CLASSPATH spark/bench/MakeBundle.java BACKBONE SIZE IMAGES OUT.t4j
 */
public final class MakeBundle {
    public static void main(String[] a) throws Exception {
        String backbone = a[0];
        int size = Integer.parseInt(a[1]);
        Path images = Path.of(a[2]);
        Path out = Path.of(a[3]);
        Zoo zoo = Zoo.builder().home(Files.createTempDirectory("t4j-bench-zoo")).offline(true).build();
        Backbone b = zoo.random(backbone, InputShape.rgb(size, size), 42);
        FlowOptions opts = FlowOptions.builder().targetSize(size, size).batchSize(8).seed(1).workers(1).build();
        try (DirectoryFlow flow = ImagePipeline.forBackbone(b.spec()).flowFromDirectory(images, opts)) {
            TransferModel m = TransferModel.builder().backbone(b).head(HeadSpec.builder().build())
                    .labels(flow.getLabels()).seed(4).build();
            m.calibrateBatchNorm(flow, 1);
            ModelBundle.save(m, out, BundleExtras.none());
            // what SparkPredict's preflight multiplies by the tasks per executor (batch 16, its default)
            System.out.println("memory preflight, inference at batch 16, per task: "
                    + MemoryEstimate.of(m.graph(), m.input(), 16, MemoryEstimate.Mode.INFERENCE));
        }
        System.out.println("wrote " + out + " (" + backbone + ", random weights, " + size + " px)");
    }
}
