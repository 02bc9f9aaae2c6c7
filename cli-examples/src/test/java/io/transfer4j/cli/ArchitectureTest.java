package io.transfer4j.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The boundary between modules, checked on the compiled main classes of every module (this module's test
 * classpath holds them all): what a module keeps in its {@code internal} packages is used by that module alone,
 * and the top-level packages ({@code zoo}, {@code augmentation}, {@code core}, {@code training}, {@code cli},
 * {@code examples}, {@code testdata}) depend on each other without a cycle. A failure names each offending
 * class and member: make the type public API (and list it in docs/api-contract.md), or move the code into the
 * module that owns it.
 */
class ArchitectureTest {
    /** Maven module -> the top-level packages it owns. */
    private static final Map<String, String[]> MODULES = Map.of(
            "zoo", new String[] {"io.transfer4j.zoo.."},
            "augmentation", new String[] {"io.transfer4j.augmentation.."},
            "core", new String[] {"io.transfer4j.core.."},
            "training", new String[] {"io.transfer4j.training.."},
            "cli-examples", new String[] {"io.transfer4j.cli..", "io.transfer4j.examples.."},
            "src-test-data", new String[] {"io.transfer4j.testdata.."});

    /**
     * The one allowed use of another module's internals: the benchmark times the trainer's own feature cache
     * (not a copy of it), so that its figure is the one training gets.
     */
    private static final String BENCH = "io.transfer4j.cli.bench..";
    private static final String FEATURE_CACHE = "io.transfer4j.training.internal.FeatureCache";

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                
                // the sibling modules are class folders under 'test' and jars under 'verify': take both, no third-party jar
                .withImportOption(location -> !location.isJar() || location.contains("/target/transfer4j-"))
                .importPackages("io.transfer4j");
    }

    @Test
    void noModuleUsesAnotherModulesInternalPackages() {
        for (Map.Entry<String, String[]> m : MODULES.entrySet()) {
            String[] internal = java.util.Arrays.stream(m.getValue())
                    .map(p -> p.substring(0, p.length() - 2) + ".internal..").toArray(String[]::new);
            String[] outside = m.getKey().equals("training")
                    ? java.util.stream.Stream.concat(java.util.Arrays.stream(m.getValue()), java.util.stream.Stream.of(
                            BENCH)).toArray(String[]::new) : m.getValue();
            noClasses().that().resideOutsideOfPackages(outside)
                    .should().dependOnClassesThat().resideInAnyPackage(internal)
                    .because("module " + m.getKey() + "'s internal packages are not its API")
                    .check(classes);
        }
        noClasses().that().resideInAPackage(BENCH).should().dependOnClassesThat(
                        com.tngtech.archunit.base.DescribedPredicate.describe("are internal and not the feature cache",
                                c -> c.getPackageName().contains(".internal") && !c.getPackageName().startsWith(
                                        "io.transfer4j.cli") && !c.getName().startsWith(FEATURE_CACHE)))
                .because("the benchmark may time the trainer's feature cache, and no other internal class")
                .check(classes);
    }

    /**
     * The shared helpers ({@code AtomicFiles}, {@code Names}) live in the {@code transfer4j-internal} jar, package
     * {@code io.transfer4j.internal}: not a module's API, usable by all, and at the bottom, depending on no other
     * transfer4j package. They are no longer in {@code zoo}'s public package.
     */
    @Test
    void sharedHelpersSitBelowEveryModule() {
        noClasses().that().resideInAPackage("io.transfer4j.internal..")
                .should().dependOnClassesThat().resideOutsideOfPackages("io.transfer4j.internal..", "java..")
                .because("the shared helper jar is the bottom layer: it depends on the JDK alone")
                .check(classes);
        for (String helper : new String[] {"AtomicFiles", "Names"}) {
            if (classes.contain("io.transfer4j.zoo." + helper) || !classes.contain("io.transfer4j.internal." + helper)) {
                throw new AssertionError(helper + " must live in io.transfer4j.internal (transfer4j-internal), not in "
                        + "a module's public package");
            }
        }
    }

    @Test
    void topLevelPackagesHaveNoCycle() {
        slices().matching("io.transfer4j.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theImportSeesEveryModule() {
        for (String[] packages : MODULES.values()) {
            String p = packages[0].substring(0, packages[0].length() - 2);
            if (classes.stream().noneMatch(c -> c.getPackageName().startsWith(p))) {
                throw new AssertionError("no main class of " + p + " on the test classpath; the rules above would "
                        + "check nothing there");
            }
        }
    }
}
