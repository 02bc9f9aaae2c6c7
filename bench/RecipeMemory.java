// Where the time-to-model recipe's memory goes (docs/performance.md "Memory"): the recipe as RecipeBench runs it
// (DataSplit 80/20 seed 42, flowFromSplit, random ResNet50/VGG16 cut at its first feature-map cut point, AVG head,
// FineTuner head phase Adam 1e-3 then top group + head Adam 1e-5), with a callback that prints, at every stage, the
// RSS, the peak RSS since the previous stage (VmHWM, reset after each line), JavaCPP's tracked native bytes, this
// thread's DL4J workspaces and the JVM heap in use. "gc" adds a System.gc() after each stage and prints the RSS
// again: what the collector gives back is native memory that only unreachable Java objects still held. After a
// package (classpath in cli-examples/target):
// OMP_WAIT_POLICY=PASSIVE java -Xms512m -Xmx6g -cp "$(cat cli-examples/target/classpath.txt):cli-examples/target/transfer4j-cli.jar" \
//   bench/RecipeMemory.java resnet50 plain|aug|full-sgd|full-adam [epochs=5,5] [size=224] [gc] [rundir] [images=../shared/datasets/dl4j-animals]
// full-sgd / full-adam: one phase "full" with every layer trainable (full fine-tuning as FineTuner runs it, plain data,
// SGD 1e-4 like the bench's finetune step, or Adam 1e-5 like the recipe), for epochs=N (the first number).
// cut=NAME: cut there instead of at the first feature-map cut (cut=fc2: VGG16 with its 138 M-parameter top, the
// model of `bench --workloads finetune` at 224 px).
// rundir: the run writes a run directory (checkpoint at every epoch end, as `transfer4j fit` does).
import io.transfer4j.augmentation.*; import io.transfer4j.core.*; import io.transfer4j.training.*; import io.transfer4j.zoo.*;
import org.nd4j.linalg.factory.Nd4j; import org.nd4j.linalg.api.memory.MemoryWorkspace; import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.memory.AllocationsTracker; import org.nd4j.linalg.api.memory.enums.AllocationKind;
import java.nio.file.*; import java.util.*;
public class RecipeMemory {
  static boolean gc;
  static long kb(String key) throws Exception { for (String l : Files.readAllLines(Path.of("/proc/self/status"))) if (l.startsWith(key)) return Long.parseLong(l.replaceAll("\\D+", "")); return -1; }
  static String mib(double bytes) { return String.format(Locale.ROOT, "%,.0f", bytes / 1048576); }
  static void report(String when) {
    try {
      long hwm = kb("VmHWM:"), rss = kb("VmRSS:");
      Runtime rt = Runtime.getRuntime();
      StringBuilder ws = new StringBuilder(); long wsTotal = 0;
      for (MemoryWorkspace w : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
        if (w.getCurrentSize() == 0) continue;
        ws.append(' ').append(w.getId().replace("WS_", "")).append('=').append(mib(w.getCurrentSize()));
        wsTotal += w.getCurrentSize();
      }
      AllocationsTracker t = AllocationsTracker.getInstance();
      System.out.printf(Locale.ROOT, "%-34s RSS %6s MiB  peak since last %6s MiB  ND4J arrays %5s  ws %5s  JavaCPP %5s  workspaces %5s [%s]  heap %4s of %4s MiB%n",
          when, mib(rss * 1024.0), mib(hwm * 1024.0), mib(t.bytesOnDevice(AllocationKind.GENERAL, 0)), mib(t.bytesOnDevice(AllocationKind.WORKSPACE, 0)),
          mib(Pointer.totalBytes()), mib(wsTotal), ws.toString().trim(), mib(rt.totalMemory() - rt.freeMemory()), mib(rt.totalMemory()));
      if (gc) {
        System.gc(); Thread.sleep(300); System.gc(); Thread.sleep(300);
        System.out.printf(Locale.ROOT, "%-34s RSS %6s MiB  ND4J arrays %5s  heap %4s MiB%n", "  after System.gc()", mib(kb("VmRSS:") * 1024.0),
            mib(AllocationsTracker.getInstance().bytesOnDevice(AllocationKind.GENERAL, 0)), mib(rt.totalMemory() - rt.freeMemory()));
      }
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (Exception e) { throw new RuntimeException(e); }
  }
  public static void main(String[] a) throws Exception {
    String model = a[0]; boolean aug = a[1].equals("aug"); boolean full = a[1].startsWith("full-"); int head = 5, top = 5, size = 224;
    boolean runDir = false; String cutName = null;
    Path images = Path.of("../shared/datasets/dl4j-animals");
    for (int i = 2; i < a.length; i++) {
      if (a[i].startsWith("epochs=")) { String[] e = a[i].substring(7).split(","); head = Integer.parseInt(e[0]); top = Integer.parseInt(e[e.length - 1]); }
      else if (a[i].startsWith("size=")) size = Integer.parseInt(a[i].substring(5));
      else if (a[i].startsWith("images=")) images = Path.of(a[i].substring(7));
      else if (a[i].equals("gc")) gc = true;
      else if (a[i].equals("rundir")) runDir = true;
      else if (a[i].startsWith("cut=")) cutName = a[i].substring(4);
    }
    Backend.ensureInitialised();
    report("ND4J started");
    Path work = Files.createTempDirectory("recipe-memory");
    DataSplit split = DataSplit.stratified(images, 0.8, 0.2, 0.0, 42);
    Zoo zoo = Zoo.builder().offline(true).build();
    Backbone b = zoo.random(model, InputShape.rgb(size, size), 42);
    report("zoo graph built");
    CutPoint cut = cutName != null ? b.cutPoint(cutName)
        : b.cutPoints().stream().filter(c -> c.kind() == CutPoint.Kind.FEATURE_MAP).findFirst().orElse(b.defaultCut());
    String topGroup = model.equals("resnet50") ? "res5" : model.equals("vgg16") ? "block5" : b.lastGroup().name();
    TransferModel tm = TransferModel.builder().backbone(b).cut(cut.name()).head(cut.kind() == CutPoint.Kind.FEATURE_MAP ? HeadSpec.builder().pooling(Pooling.AVG).build() : HeadSpec.builder().build())
        .task(Task.MULTICLASS).labels(split.classes()).trainable(full ? LayerSelection.all() : LayerSelection.headOnly()).seed(42).build();
    b = null;
    report("TransferModel built");
    FineTunePlan plan = full ? FineTunePlan.of(Phase.builder("full").maxEpochs(head).trainable(LayerSelection.all())
        .optimizer(a[1].equals("full-adam") ? Optimizer.adam() : Optimizer.sgd(0, false)).lr(a[1].equals("full-adam") ? 1e-5 : 1e-4).build())
      : FineTunePlan.of(
        Phase.builder("head").maxEpochs(head).trainable(LayerSelection.headOnly()).optimizer(Optimizer.adam()).lr(1e-3).build(),
        Phase.builder("fine-tune").maxEpochs(top).trainable(LayerSelection.fromGroup(topGroup)).optimizer(Optimizer.adam()).lr(1e-5).build());
    ImagePipeline plain = ImagePipeline.forBackbone(zoo.spec(model));
    ImagePipeline trainPipe = aug ? plain.augment(AugmentOptions.builder().rotationRange(20).widthShiftRange(0.2).heightShiftRange(0.2).horizontalFlip(true).build()) : plain;
    FlowOptions shuffled = FlowOptions.builder().targetSize(size, size).batchSize(16).seed(42).shuffle(true).build();
    Callback probe = new Callback() {
      @Override public void onPhaseBegin(String phase, TrainingControl c) { report("phase " + phase + " begins"); }
      @Override public Decision onBatchEnd(BatchEnd e, TrainingControl c) { if (e.batch() == 1 || e.batch() == e.batchesPerEpoch()) report(e.phase() + " epoch " + e.epoch() + " batch " + e.batch()); return Decision.CONTINUE; }
      @Override public Decision onEpochEnd(EpochRecord r, TrainingControl c) { report(r.phase() + " epoch " + r.epoch() + " (+validation)"); return Decision.CONTINUE; }
      @Override public void onPhaseEnd(String phase, TrainingControl c) { report("phase " + phase + " ends"); }
    };
    long t0 = System.nanoTime();
    try (DirectoryFlow train = trainPipe.flowFromSplit(split, DataSplit.Part.TRAIN, shuffled);
         DirectoryFlow val = plain.flowFromSplit(split, DataSplit.Part.VALIDATION, shuffled.toBuilder().shuffle(false).build())) {
      report("flows open");
      FineTuner.Builder ft = FineTuner.builder().model(tm).train(train).validation(val).plan(plan).seed(42).silent().callbacks(probe);
      if (runDir) ft.runDir(work.resolve("run"));
      TrainingResult r = ft.build().fit();
      EpochRecord last = r.history().get(r.history().size() - 1);
      System.out.printf(Locale.ROOT, "%s %s %d+%d epochs: %.1f s, final val_loss %.6f val_acc %s, process peak VmHWM (since last reset) %s MiB%n",
          model, a[1], head, full ? 0 : top, (System.nanoTime() - t0) / 1e9, last.valLoss(), last.metrics().get(Metric.VAL_ACCURACY), mib(kb("VmHWM:") * 1024.0));
    }
  }
}
