package io.transfer4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.transfer4j.zoo.Backbone;
import io.transfer4j.zoo.BackboneSpec;
import io.transfer4j.zoo.CutPoint;
import io.transfer4j.zoo.LayerGroup;
import io.transfer4j.zoo.SelfTestResult;
import io.transfer4j.zoo.VerifyResult;
import io.transfer4j.zoo.WeightSource;
import io.transfer4j.zoo.WeightsUnavailableException;
import io.transfer4j.zoo.Zoo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code transfer4j models}: the pretrained backbones, their weights cache, downloads and hand installs.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Pretrained backbones: list, inspect, download, install, verify.",
                "Cache: $TRANSFER4J_HOME/models (default ~/.transfer4j/models). TRANSFER4J_OFFLINE=1 never uses the"
                        + " network; TRANSFER4J_MODEL_MIRROR is tried before the publishers' URLs."},
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Info.class, ModelsCommand.Download.class,
                ModelsCommand.Install.class, ModelsCommand.Verify.class, ModelsCommand.PathOf.class,
                ModelsCommand.SelfTest.class})
public final class ModelsCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "Weights cache directory (overrides TRANSFER4J_HOME).",
            scope = CommandLine.ScopeType.INHERIT)
    Path home;

    @Option(names = "--offline", description = "Never use the network (like TRANSFER4J_OFFLINE=1).",
            scope = CommandLine.ScopeType.INHERIT)
    boolean offline;

    @Option(names = "--catalogue", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "A catalogue JSON file to use instead of the built-in one (e.g. a private mirror's).")
    Path catalogue;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCode.OK;
    }

    /** The zoo for this run; {@code progress}, if given, renders downloads. */
    Zoo zoo(Output progress) {
        Zoo.Builder b;
        try {
            b = Zoo.builderFromEnvironment();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (home != null) {
            b.home(home);
        }
        if (offline) {
            b.offline(true);
        }
        if (catalogue != null) {
            if (!Files.isRegularFile(catalogue)) {
                throw new UsageException("--catalogue: no such file " + catalogue);
            }
            b.catalogue(catalogue);
        }
        if (progress != null) {
            b.progress(new DownloadProgress(progress));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** What every {@code models} subcommand has: the parent (shared options) and its own spec. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;
        @Spec
        CommandLine.Model.CommandSpec spec;
    }

    /** A subcommand about one backbone. */
    abstract static class WithId extends Sub {
        @Parameters(paramLabel = "ID", description = "Backbone id, e.g. resnet50 (see: transfer4j models list).")
        String id;
    }

    static BackboneSpec spec(Zoo zoo, String id) {
        try {
            return zoo.spec(id);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static String millions(long n) {
        return n >= 1_000_000 ? String.format("%.1fM", n / 1e6) : String.format("%.1fk", n / 1e3);
    }

    static String bytes(long n) {
        if (n < 0) {
            return "?";
        }
        return n >= 1 << 20 ? String.format("%.1f MB", n / 1048576.0) : String.format("%.1f KB", n / 1024.0);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the backbones and whether their"
            + " weights are on disk.")
    static final class ListModels extends Sub {

        @Override
        public Integer call() throws Exception {
            Zoo zoo = parent.zoo(null);
            StringWriter text = new StringWriter();
            PrintWriter out = new PrintWriter(text);
            List<Map<String, Object>> rows = new ArrayList<>();
            int idWidth = Math.max(10, zoo.catalogue().stream().mapToInt(c -> c.id().length()).max().orElse(0));
            String fmt = "%-" + idWidth + "s %-10s %-22s %-10s %-7s %s%n";
            out.printf(fmt, "ID", "INPUT", "PARAMS (top / no top)", "SIZE", "CACHED", "SOURCE");
            for (BackboneSpec s : zoo.catalogue()) {
                Optional<Path> present = s.weights().isEmpty() ? Optional.empty() : zoo.present(s.id());
                String size = present.map(p -> bytes(sizeOf(p))).orElseGet(() ->
                        s.weights().isEmpty() ? "-" : bytes(s.weights().get(0).size()));
                String source = s.weights().isEmpty() ? "random weights only"
                        : present.map(p -> sourceOf(s, p)).orElseGet(() -> describe(s.weights().get(0))
                                + (s.weights().size() > 1 ? " (+" + (s.weights().size() - 1) + " more)" : ""));
                out.printf(fmt, s.id(), s.defaultInput(), millions(zoo.parameterCount(s.id(), true)) + " / "
                                + millions(zoo.parameterCount(s.id(), false)), size,
                        s.weights().isEmpty() ? "-" : present.isPresent() ? "yes" : "no", source);
                rows.add(Output.fields("id", s.id(), "input", s.defaultInput().toString(),
                        "params", zoo.parameterCount(s.id(), true), "paramsWithoutTop", zoo.parameterCount(s.id(), false),
                        "size", present.map(ModelsCommand::sizeOf).orElse(-1L),
                        "cached", present.isPresent(), "path", present.map(Path::toString).orElse(null),
                        "source", source));
            }
            out.flush();
            Output.of(spec).result(text.toString().stripTrailing(), Output.fields("models", rows));
            return ExitCode.OK;
        }

        private static String sourceOf(BackboneSpec s, Path p) {
            String name = p.getFileName().toString();
            return s.weights().stream().filter(w -> w.fileName().equals(name) || w.uri().getPath().endsWith("/" + name))
                    .findFirst().map(ModelsCommand::describe).orElse(p.toString()) + " at " + p;
        }
    }

    static String describe(WeightSource w) {
        return w.format() + (w.includesTop() ? "" : " (no top)") + " " + w.uri().getHost();
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Layers, groups, cut points, normalisation and weight sources of a backbone.")
    static final class Info extends WithId {
        @Option(names = "--layers", description = "List every layer of every group.")
        boolean allLayers;

        @Override
        public Integer call() {
            Zoo zoo = parent.zoo(null);
            BackboneSpec s = spec(zoo, id);
            StringWriter text = new StringWriter();
            PrintWriter out = new PrintWriter(text);
            out.println(s.id() + ": " + s.description());
            out.println("Architecture:   " + s.architecture());
            out.println("Input:          " + s.defaultInput() + " (weights' size; any height/width >= "
                    + s.minInputSize() + " px works, the classifier top only at " + s.defaultInput() + ")");
            out.printf("Parameters:     %,d with top, %,d without%n", zoo.parameterCount(id, true),
                    zoo.parameterCount(id, false));
            out.println("Normalisation:  " + s.normalization());
            out.println("Cut points:");
            for (CutPoint c : s.cutPoints()) {
                boolean topOnly = zoo.topLayers(id).contains(c.name());
                int width = Math.max(12, s.cutPoints().stream().mapToInt(p -> p.name().length()).max().orElse(0));
                out.printf("  %-" + width + "s %-11s %5d%s%s%n", c.name(), c.kind(), c.features(),
                        c.equals(s.defaultCut()) ? "  (default)" : "", topOnly ? "  (only with the top)" : "");
            }
            Backbone b = zoo.random(id, s.defaultInput(), 0, false);
            out.println("Layer groups (input side first):");
            for (LayerGroup g : b.groups()) {
                List<String> l = g.layers();
                out.printf("  %-7s %3d layers: %s%n", g.name(), l.size(), allLayers || l.size() <= 4
                        ? String.join(", ", l) : l.get(0) + ", " + l.get(1) + " ... " + l.get(l.size() - 1));
            }
            if (s.groupNames().contains("fc")) {
                out.printf("  %-7s top only: %s%n", "fc", String.join(", ", zoo.topLayers(id)));
            }
            out.println("Weights:");
            if (s.weights().isEmpty()) {
                out.println("  none (random initialisation only)");
            }
            for (WeightSource w : s.weights()) {
                out.printf("  %-8s %s%n           file %s, %s, size %s, %s, licence: %s%n", w.format(), w.uri(),
                        w.fileName(), w.checksumLabel(), bytes(w.size()), w.includesTop() ? "with top" : "no top",
                        w.licence());
            }
            if (!s.weights().isEmpty()) {
                out.println("On disk:        " + zoo.present(id).map(Path::toString).orElse("no (cache: "
                        + zoo.path(id) + ")"));
            }
            out.flush();
            Map<String, List<String>> groups = new java.util.LinkedHashMap<>();
            b.groups().forEach(g -> groups.put(g.name(), g.layers()));
            Output.of(spec).result(text.toString().stripTrailing(), Output.fields("spec", s, "groups", groups,
                    "topLayers", zoo.topLayers(id), "params", zoo.parameterCount(id, true),
                    "paramsWithoutTop", zoo.parameterCount(id, false)));
            return ExitCode.OK;
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download and verify a backbone's weights into the cache (resumes partial downloads).")
    static final class Download extends WithId {

        @Override
        public Integer call() {
            Output output = Output.of(spec);
            Zoo zoo = parent.zoo(output);
            spec(zoo, id);
            Path file = zoo.fetch(id);
            Output.of(spec).result(file.toString(), Output.fields("id", id, "path", file.toString()));
            return ExitCode.OK;
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Install a weights file obtained elsewhere (e.g. on an air-gapped machine).",
                    "The file is verified against the publisher's checksum before it is copied into the cache."})
    static final class Install extends WithId {
        @Option(names = "--from", paramLabel = "FILE", required = true, description = "The downloaded weights file.")
        Path from;

        @Override
        public Integer call() {
            Zoo zoo = parent.zoo(null);
            spec(zoo, id);
            if (!Files.isRegularFile(from)) {
                throw new UsageException("--from: no such file " + from + "; give the path of a downloaded " + id
                        + " weights file (see: transfer4j models info " + id + ")");
            }
            Path installed = zoo.install(id, from);
            Output.of(spec).result("Installed " + id + " weights: " + installed,
                    Output.fields("id", id, "path", installed.toString()));
            return ExitCode.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify the weights files on disk (all backbones, or one). Exit 1 if any fails.")
    static final class Verify extends Sub {
        @Parameters(paramLabel = "ID", arity = "0..1")
        String id;

        @Override
        public Integer call() {
            Zoo zoo = parent.zoo(null);
            List<BackboneSpec> specs = id == null ? zoo.catalogue() : List.of(spec(zoo, id));
            StringWriter text = new StringWriter();
            PrintWriter out = new PrintWriter(text);
            List<Map<String, Object>> files = new ArrayList<>();
            boolean failed = false;
            for (BackboneSpec s : specs) {
                if (s.weights().isEmpty()) {
                    continue;
                }
                VerifyResult r = zoo.verify(s.id());
                if (r.files().isEmpty()) {
                    out.println(s.id() + ": no weights on disk (transfer4j models download " + s.id()
                            + ", or transfer4j models install " + s.id() + " --from FILE)");
                    failed |= id != null;
                }
                for (VerifyResult.FileCheck c : r.files()) {
                    out.println(s.id() + ": " + (c.ok() ? "OK     " : "FAILED ") + c.file() + " " + c.message());
                    files.add(Output.fields("id", s.id(), "file", c.file().toString(), "ok", c.ok(),
                            "checksum", c.actual(), "sha256", c.sha256(), "message", c.message()));
                    failed |= !c.ok();
                }
            }
            out.flush();
            Output.of(spec).result(text.toString().stripTrailing(), Output.fields("ok", !failed, "files", files));
            return failed ? ExitCode.FAILURE : ExitCode.OK;
        }
    }

    @Command(name = "path", mixinStandardHelpOptions = true,
            description = "Print where a backbone's weights file is (exit 1 if it is not on disk yet).")
    static final class PathOf extends WithId {

        @Override
        public Integer call() {
            Zoo zoo = parent.zoo(null);
            BackboneSpec s = spec(zoo, id);
            if (s.weights().isEmpty()) {
                throw new UsageException(id + " has no pretrained weights (random initialisation only)");
            }
            Optional<Path> present = zoo.present(id);
            Path path = present.orElse(zoo.path(id));
            Output.of(spec).result(path.toString(), Output.fields("id", id, "path", path.toString(),
                    "present", present.isPresent()));
            if (present.isEmpty()) {
                spec.commandLine().getErr().println("transfer4j: not on disk yet; the path above is where it will be."
                        + " Run: transfer4j models download " + id + " (or install " + id + " --from FILE)");
                return ExitCode.FAILURE;
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "selftest", mixinStandardHelpOptions = true,
            description = {"Check the installed pretrained weights and their preprocessing on a known photo:",
                    "scikit-image's chelsea (a tabby cat, CC0) must get a cat class in the ImageNet top 5.",
                    "Uses only weights already on disk, with the classifier top. Exit 0: passed; 1: failed;",
                    "3: no pretrained weights with the top installed (nothing was checked)."})
    static final class SelfTest extends WithId {
        /** Exit status when there is nothing to test: no pretrained weights (with the top) on disk. */
        static final int NO_WEIGHTS = 3;

        @Override
        public Integer call() {
            Zoo zoo = parent.zoo(null);
            spec(zoo, id);
            SelfTestResult r;
            try {
                r = zoo.selfTest(id);
            } catch (WeightsUnavailableException e) {
                spec.commandLine().getErr().println("transfer4j: " + e.getMessage());
                Output.of(spec).result("", Output.fields("id", id, "passed", false, "installed", false,
                        "message", e.getMessage()));
                return NO_WEIGHTS;
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            StringWriter text = new StringWriter();
            PrintWriter out = new PrintWriter(text);
            out.println(id + " on " + r.image() + " with " + r.weights() + ":");
            for (SelfTestResult.Ranked k : r.top5()) {
                out.printf("  %4d %-14s %.4f%s%n", k.index(), k.name(), k.probability(),
                        r.expected().contains(k.index()) ? "  <- expected" : "");
            }
            out.println(r.passed() ? "PASSED: a cat class " + r.expected() + " is in the top 5."
                    : "FAILED: none of the cat classes " + r.expected() + " is in the top 5: the weights, the layer"
                    + " order or the preprocessing (channel order, scale) is wrong.");
            out.flush();
            Output.of(spec).result(text.toString().stripTrailing(), Output.fields("id", id, "passed", r.passed(),
                    "installed", true, "image", r.image(), "weights", r.weights(), "top5", r.top5(),
                    "expected", r.expected()));
            return r.passed() ? ExitCode.OK : ExitCode.FAILURE;
        }
    }
}
