package io.transfer4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** The root README's Java example is the compiled code of {@link ReadmeExample}, so it cannot drift. */
class ReadmeExampleTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    static String between(String text, String begin, String end) {
        int b = text.indexOf(begin);
        int e = text.indexOf(end, b);
        assertTrue(b >= 0 && e > b, "markers " + begin + " / " + end + " present");
        return text.substring(text.indexOf('\n', b) + 1, e);
    }

    private static String dedent(String block) {
        List<String> lines = block.lines().collect(Collectors.toList());
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n"));
    }

    @Test
    void readmeShowsExactlyTheCompiledExample() throws Exception {
        String source = Files.readString(ROOT.resolve(
                "cli-examples/src/main/java/io/transfer4j/examples/ReadmeExample.java"));
        String code = dedent(between(source, "// README-BEGIN", "// README-END"));
        String readme = Files.readString(ROOT.resolve("README.md"));
        String shown = dedent(between(readme, "<!-- java-example-begin -->", "<!-- java-example-end -->"))
                .replace("```java\n", "").replace("\n```", "");
        assertEquals(code, shown, "README.md's Java example differs from ReadmeExample.java; copy the code over");
        assertTrue(Arrays.stream(code.split("\n")).count() >= 10, "a real example, not a fragment");
    }
}
