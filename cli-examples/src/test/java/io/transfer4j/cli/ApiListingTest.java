package io.transfer4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The public API of every library module, checked in as {@code docs/api/MODULE.txt}: each public type of a
 * package that is not {@code internal}, with its public and protected constructors, methods and fields (one line
 * each, sorted). A change to the public surface fails this test until the listing is regenerated, so it is
 * always a visible, reviewed change:
 *
 * <pre>
 * ./mvnw -B -q -pl cli-examples -am test -Dtest=ApiListingTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtransfer4j.api.update=true
 * </pre>
 *
 * (JPMS {@code module-info} was not used: see docs/architecture.md, "API boundary".)
 */
class ApiListingTest {
    private static final Map<String, String> MODULES = Map.of(
            "zoo", "io.transfer4j.zoo",
            "augmentation", "io.transfer4j.augmentation",
            "core", "io.transfer4j.core",
            "training", "io.transfer4j.training");
    private static final Path DIR = Path.of("..", "docs", "api");

    @Test
    void everyModulesPublicApiEqualsItsCheckedInListing() throws IOException {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                
                // the sibling modules are class folders under 'test' and jars under 'verify': take both, no third-party jar
                .withImportOption(location -> !location.isJar() || location.contains("/target/transfer4j-")).importPackages("io.transfer4j");
        boolean update = Boolean.getBoolean("transfer4j.api.update");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> m : new java.util.TreeMap<>(MODULES).entrySet()) {
            List<String> now = listing(classes, m.getValue());
            if (now.isEmpty()) {
                throw new AssertionError("no public type of " + m.getValue() + " on the test classpath");
            }
            Path file = DIR.resolve(m.getKey() + ".txt");
            if (update) {
                Files.createDirectories(DIR);
                Files.write(file, now);
                continue;
            }
            List<String> before = Files.exists(file) ? Files.readAllLines(file) : List.of();
            Set<String> added = new TreeSet<>(now);
            before.forEach(added::remove);
            Set<String> removed = new TreeSet<>(before);
            now.forEach(removed::remove);
            if (!added.isEmpty() || !removed.isEmpty()) {
                StringBuilder sb = new StringBuilder("public API of module " + m.getKey() + " differs from "
                        + file.normalize() + ":");
                added.forEach(l -> sb.append("\n  + ").append(l));
                removed.forEach(l -> sb.append("\n  - ").append(l));
                problems.add(sb.toString());
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("\n", problems) + "\nIf the change is intended, regenerate the "
                    + "listings: ./mvnw -B -q -pl cli-examples -am test -Dtest=ApiListingTest "
                    + "-Dsurefire.failIfNoSpecifiedTests=false -Dtransfer4j.api.update=true (and update "
                    + "docs/api-contract.md where it describes the change)");
        }
    }

    static List<String> listing(JavaClasses classes, String root) {
        Set<String> lines = new TreeSet<>();
        for (JavaClass c : classes) {
            String pkg = c.getPackageName();
            if (!(pkg.equals(root) || pkg.startsWith(root + ".")) || pkg.contains(".internal") || !visible(c)) {
                continue;
            }
            lines.add(c.getName() + " : " + modifiers(c.getModifiers()) + kind(c)
                    + supertypes(c));
            Set<JavaMember> members = new LinkedHashSet<>();
            members.addAll(c.getConstructors());
            members.addAll(c.getMethods());
            members.addAll(c.getFields());
            for (JavaMember member : members) {
                Set<JavaModifier> mods = member.getModifiers();
                if (mods.contains(JavaModifier.SYNTHETIC) || mods.contains(JavaModifier.BRIDGE)
                        || !(mods.contains(JavaModifier.PUBLIC) || mods.contains(JavaModifier.PROTECTED))) {
                    continue;
                }
                String type = member instanceof JavaField f ? f.getRawType().getName()
                        : ((JavaCodeUnit) member).getRawReturnType().getName();
                lines.add(c.getName() + " " + modifiers(mods) + type + " " + signature(member));
            }
        }
        return new ArrayList<>(lines);
    }

    private static boolean visible(JavaClass c) {
        if (!c.getModifiers().contains(JavaModifier.PUBLIC) || c.isAnonymousClass() || c.isLocalClass()) {
            return false;
        }
        Optional<JavaClass> outer = c.getEnclosingClass();
        return outer.isEmpty() || visible(outer.get());
    }

    private static String kind(JavaClass c) {
        if (c.isAnnotation()) {
            return "@interface";
        }
        if (c.isInterface()) {
            return "interface";
        }
        if (c.isEnum()) {
            return "enum";
        }
        if (c.isRecord()) {
            return "record";
        }
        return "class";
    }

    private static String supertypes(JavaClass c) {
        List<String> s = new ArrayList<>();
        c.getRawSuperclass().filter(x -> !x.getName().equals("java.lang.Object") && !x.getName().equals(
                "java.lang.Record") && !x.getName().equals("java.lang.Enum")).ifPresent(x -> s.add(x.getName()));
        c.getRawInterfaces().stream().map(JavaClass::getName).sorted().forEach(s::add);
        return s.isEmpty() ? "" : " : " + String.join(", ", s);
    }

    private static String modifiers(Set<JavaModifier> mods) {
        StringBuilder sb = new StringBuilder();
        for (JavaModifier m : new TreeSet<>(mods)) {
            if (m != JavaModifier.SYNCHRONIZED && m != JavaModifier.VOLATILE && m != JavaModifier.TRANSIENT) {
                sb.append(m.name().toLowerCase(java.util.Locale.ROOT)).append(' ');
            }
        }
        return sb.toString();
    }

    private static String signature(JavaMember m) {
        String full = m.getFullName();   // owner.name(params) or owner.field
        return full.substring(m.getOwner().getName().length() + 1);
    }
}
