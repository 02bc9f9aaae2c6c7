package io.transfer4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.transfer4j.cli.FitConfig.Pooling;
import io.transfer4j.cli.internal.FitRun;
import io.transfer4j.core.BundleExtras;
import io.transfer4j.core.ModelBundle;
import io.transfer4j.core.TransferModel;
import io.transfer4j.testdata.ImageFolders;
import io.transfer4j.zoo.InputShape;
import io.transfer4j.zoo.Zoo;

/** Small real bundles and image folders for command tests: the zoo's tiny backbone, untrained, at 32 px. */
final class TinyBundles {

    private TinyBundles() {
    }

    static Path images(Path dir, int classes, int perClass) throws IOException {
        ImageFolders.generate(dir, new ImageFolders.Spec(classes, perClass, 32, List.of("png", "jpg"), 3));
        return dir;
    }

    static Path bundle(Path file, List<String> labels) throws IOException {
        Zoo zoo = Zoo.builder().home(file.toAbsolutePath().getParent().resolve("zoo-home")).offline(true).build();
        FitConfig cfg = new FitConfig(Path.of("unused"), "tiny", Path.of("unused"), 5L, 32, null, null, null, null,
                Pooling.AVG, null, null, null, null, null, null, null, null, null).withDefaults();
        TransferModel m = FitRun.model(zoo.random("tiny", InputShape.rgb(32, 32), 5), cfg, labels);
        return ModelBundle.save(m, file, BundleExtras.none());
    }
}
