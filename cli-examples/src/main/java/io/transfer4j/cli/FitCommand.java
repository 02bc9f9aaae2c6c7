package io.transfer4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.transfer4j.cli.internal.Args;
import io.transfer4j.cli.internal.ConfigFiles;
import io.transfer4j.cli.internal.FineTunerTrainer;
import io.transfer4j.cli.internal.FitPipeline;
import io.transfer4j.cli.internal.WorkDirs;
import io.transfer4j.cli.report.RunReport;
import io.transfer4j.internal.DirectoryLock;
import io.transfer4j.zoo.Zoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code transfer4j fit}: train a classifier on class folders and write a run directory. */
@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a pretrained backbone on a folder of class folders (DIR/<class>/*.png|jpg|tif) and "
                + "write a run directory: config.json, split.json, history.csv/json, learning-curve.png, "
                + "confusion-matrix.png, metrics.json, per-class-metrics.csv, model.t4j and report.html.",
                "Plan: train a new head (global pooling -> softmax) on the frozen backbone, then unfreeze the last "
                        + "layer group (or --unfreeze GROUP) and fine-tune with a lower learning rate; both phases "
                        + "stop early on validation loss. Data is split per class (train/validation/test, seeded).",
                "Settings come from flags or a YAML/JSON --config file (keys as in the flags, camelCase: runDir, "
                        + "imageSize, ...); flags win. An interrupted run continues with --resume RUN_DIR."},
        footer = {"", "Examples:", "  transfer4j fit --data images --backbone resnet50 --run-dir runs/first --seed 7",
                "  transfer4j fit --config run.yaml", "  transfer4j fit --resume runs/first", "",
                "Config file (YAML):", "  data: images", "  backbone: resnet50", "  runDir: runs/first",
                "  imageSize: 128", "  headEpochs: 5", "  fineTuneEpochs: 10", "  unfreeze: res5",
                "  fineTuneLearningRate: 1.0e-4"})
public final class FitCommand implements java.util.concurrent.Callable<Integer> {

    /** What a run directory needs when the backbone's weights size is unknown (random-only backbones). */
    static final long NEEDED_BYTES = 500L * 1000 * 1000;

    /** Where backbones come from (tests put an offline or loopback zoo here). */
    java.util.function.Supplier<Zoo> zoo = Zoo::fromEnvironment;

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder of class folders.")
    Path data;
    @Option(names = "--backbone", paramLabel = "ID", description = "Backbone id: vgg16, resnet50, mobilenetv2 (transfer4j models list).")
    String backbone;
    @Option(names = "--run-dir", paramLabel = "DIR", description = "Where to write the run (new or empty directory).")
    Path runDir;
    @Option(names = "--seed", paramLabel = "N", description = "Seed for split, head, shuffling, augmentation (default 42).")
    Long seed;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML (.yaml/.yml) or JSON (.json) settings.")
    Path config;
    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue an interrupted run from its last checkpoint.")
    Path resume;
    @Option(names = "--image-size", paramLabel = "PX", description = "Square input size (default: the backbone's, e.g. 224).")
    Integer imageSize;
    @Option(names = "--batch-size", paramLabel = "N", description = "Images per batch (default 16).")
    Integer batchSize;
    @Option(names = "--weights", paramLabel = "auto|pretrained|random",
            description = "ImageNet weights: auto (installed or downloadable; if neither, fit stops and says why, unless the backbone has none), pretrained, random (train from random initialisation).")
    FitConfig.Weights weights;
    @Option(names = "--head-epochs", paramLabel = "N", description = "Most epochs of the head phase (default 5).")
    Integer headEpochs;
    @Option(names = "--fine-tune-epochs", paramLabel = "N", description = "Most epochs of fine-tuning (default 10; 0 = none).")
    Integer fineTuneEpochs;
    @Option(names = "--unfreeze", paramLabel = "GROUP", description = "Layer group to fine-tune from: res5, block5, ..., last (default), none.")
    String unfreeze;
    @Option(names = "--augment", negatable = true, description = "Keras-style augmentation of training images (default on).")
    Boolean augment;
    @Option(names = "--group", paramLabel = "KEY", description = "Patient-level split: keep every image of a group "
            + "on one side. patient (DICOM PatientID), dicom:gggg,eeee, path:REGEX, csv:FILE#FILECOLUMN#GROUPCOLUMN.")
    String group;
    @Option(names = "--dicom-window", paramLabel = "W", description = "DICOM window: file (default, the file's own), "
            + "full, lung, mediastinum, bone, brain, abdomen, or CENTRE,WIDTH (e.g. -600,1500).")
    String dicomWindow;
    @Option(names = {"--head-lr", "--head-learning-rate"}, paramLabel = "LR", description = "Learning rate of the head phase (default 1e-3; config headLearningRate).")
    Double headLearningRate;
    @Option(names = {"--fine-tune-lr", "--fine-tune-learning-rate"}, paramLabel = "LR", description = "Learning rate of fine-tuning (default 1e-4; config fineTuneLearningRate).")
    Double fineTuneLearningRate;
    @Option(names = "--dropout", paramLabel = "P", description = "Dropout after each hidden dense layer (needs --dense), in [0, 1) (default 0).")
    Double dropout;
    @Option(names = "--dense", paramLabel = "UNITS", split = ",", description = "Hidden dense layers of the head, e.g. 256 or 256,64 (default none).")
    List<Integer> dense;
    @Option(names = "--patience", paramLabel = "N", description = "Epochs without val_loss improvement before a phase stops (default 3).")
    Integer patience;
    @Option(names = "--class-weights", paramLabel = "none|balanced|L=W,...", description = "Per-class loss weights: none (default), balanced, or e.g. cat=1,dog=2.5.")
    String classWeights;
    @Option(names = "--lr-find", description = "Run the learning-rate range test first and train the head at its suggestion.")
    Boolean lrFind;
    @Option(names = "--keep", paramLabel = "WHAT", split = ",", description = "Also keep after success: checkpoint, initial-model, all (default: the model, history and report only).")
    List<String> keep;
    @Option(names = "--max-pixels", paramLabel = "N", description = "Refuse image files declaring more pixels (width x height) than N, a decompression-bomb guard (default 89478485; config maxPixels).")
    Long maxPixels;

    @Override
    public Integer call() throws Exception {
        Output out = Output.of(spec);
        FitConfig flags = new FitConfig(data, backbone, runDir, seed, imageSize, batchSize, null, null, weights, null,
                dense, dropout, augment, headEpochs, headLearningRate, unfreeze, fineTuneEpochs, fineTuneLearningRate,
                patience, group, dicomWindow, classWeights, lrFind, keep, maxPixels);
        boolean resuming = resume != null;
        FitConfig cfg;
        Path dir;
        DirectoryLock lock; // held until the run ends: a second fit or tune into the directory is refused
        if (resuming) {
            if (!flags.equals(FitConfig.empty()) || config != null) {
                throw new UsageException("--resume RUN_DIR takes no other run settings (the run's config.json "
                        + "holds them); received --resume with " + given());
            }
            dir = Args.existingDir(resume, "--resume");
            // claimed before anything in it is read or removed: a run still writing there keeps it
            lock = WorkDirs.claim(dir, "transfer4j fit --resume");
            cfg = null; // read under the lock, below
        } else {
            FitConfig file = config == null ? FitConfig.empty() : ConfigFiles.read(Args.existingFile(config,
                    "--config"), FitConfig.class);
            cfg = flags.over(file).withDefaults();
            Args.existingDir(cfg.data(), "--data");
            Path given = cfg.runDir();
            lock = WorkDirs.claimNew(given, neededBytes(zoo.get(), cfg), "transfer4j fit", "choose a new --run-dir, "
                    + "or continue an interrupted run with: transfer4j fit --resume " + given);
            dir = lock.directory();
        }
        FitPipeline.Outcome o;
        try (lock) {
            if (resuming) {
                cfg = resumable(dir, out);
                if (!Files.isRegularFile(dir.resolve("run.json"))) {
                    // stopped before its first phase began (e.g. killed after the split): nothing trained, start
                    // afresh
                    out.info("No checkpoint in " + dir + " (the run stopped before training began): starting it "
                            + "afresh with its " + RunReport.CONFIG);
                    resuming = false;
                }
            }
            o = FitPipeline.run("transfer4j fit", cfg, resuming ? FitPipeline.Mode.RESUME
                    : FitPipeline.Mode.RESUMABLE, dir, dir, zoo.get(), new FineTunerTrainer(), out);
        }
        StringBuilder sb = new StringBuilder("\n");
        if (o.test() != null) {
            sb.append(String.format(Locale.ROOT, "Test accuracy: %.1f %% on %d held-out images (macro F1 %.3f)%n",
                    100 * o.test().accuracy(), o.test().examples(), o.test().macroF1()));
        }
        sb.append("Model bundle:  ").append(o.bundle()).append('\n');
        sb.append("Run report:    ").append(o.report()).append('\n');
        sb.append(String.format(Locale.ROOT, "Run directory: %s (%.0f s)", o.runDir(), o.took().toMillis() / 1000.0));
        out.result(out.wrap(sb.toString()), Output.fields("testAccuracy", o.test() == null ? null : o.test().accuracy(),
                "bundle", o.bundle().toString(), "report", o.report().toString(), "runDir", o.runDir().toString(),
                "epochs", o.history().size(), "pretrained", o.weights().pretrained(),
                "seconds", o.took().toMillis() / 1000.0));
        return ExitCode.OK;
    }

    /** The settings of the run in {@code dir} when it can be resumed; partial files of killed writes removed. */
    private static FitConfig resumable(Path dir, Output out) throws java.io.IOException {
        if (!Files.isRegularFile(dir.resolve(RunReport.CONFIG))) {
            throw new UsageException("--resume " + dir + " is not a transfer4j run directory ("
                    + RunReport.CONFIG + " is missing); pass the --run-dir of a 'transfer4j fit' run");
        }
        if (Files.isRegularFile(dir.resolve("model.t4j")) && !Files.isRegularFile(dir.resolve("initial-model.t4j"))) {
            throw new UsageException("the run in " + dir + " has finished (model.t4j is written) and did not keep "
                    + "what resuming needs (the initial model and the checkpoint); start a new run, with "
                    + "--keep checkpoint,initial-model if you want to continue it later");
        }
        FitConfig cfg = ConfigFiles.read(dir.resolve(RunReport.CONFIG), FitConfig.class).withDefaults();
        WorkDirs.removePartials(dir, out);
        return cfg;
    }

    /**
     * The free space a run directory needs at its peak: the initial model, a checkpoint (parameters and optimiser
     * state) and the bundle, each about the size of the backbone's weights file, plus reports (~5x the weights).
     * The weights download itself is checked by the zoo where it is written.
     */
    static long neededBytes(Zoo zoo, FitConfig cfg) {
        long weights;
        try {
            weights = zoo.spec(cfg.backbone()).weights().stream().mapToLong(io.transfer4j.zoo.WeightSource::size)
                    .filter(b -> b > 0).min().orElse(-1); // the no-top file: the body fit keeps
        } catch (IllegalArgumentException e) {
            weights = -1; // an unknown backbone is refused with its own message later
        }
        return weights < 0 ? NEEDED_BYTES : 5 * weights + 50L * 1000 * 1000;
    }

    private String given() {
        List<String> g = new ArrayList<>();
        spec.commandLine().getParseResult().matchedOptions().forEach(o -> {
            if (!o.longestName().equals("--resume")) {
                g.add(o.longestName());
            }
        });
        return String.join(" ", g);
    }
}
