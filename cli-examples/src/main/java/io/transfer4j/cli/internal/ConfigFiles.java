package io.transfer4j.cli.internal;

import io.transfer4j.internal.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.transfer4j.cli.UsageException;

/**
 * Reads a YAML ({@code .yaml}, {@code .yml}) or JSON ({@code .json}) file into a record, strictly: an unknown key or
 * a value of the wrong type is a {@link UsageException} that names the file, the line, the key, what was received
 * and what is allowed.
 */
public final class ConfigFiles {

    /** Jackson's STRICT_DUPLICATE_DETECTION message. */
    private static final java.util.regex.Pattern DUPLICATE = java.util.regex.Pattern.compile("^Duplicate field '([^']*)'");

    private ConfigFiles() {
    }

    public static <T> T read(Path file, Class<T> type) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper;
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            mapper = strict(YAMLMapper.builder(YAMLFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()));
        } else if (name.endsWith(".json")) {
            mapper = strict(JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION));
        } else {
            throw new UsageException("config file must end in .yaml, .yml or .json; received " + file);
        }
        try {
            if (Files.size(file) == 0) {
                throw new UsageException(file + " is empty; write at least one key, e.g. 'backbone: resnet50'");
            }
            T value = mapper.readValue(file.toFile(), type);
            if (value == null) {
                throw new UsageException(file + " holds no settings; write keys such as 'backbone: resnet50'");
            }
            return value;
        } catch (NoSuchFileException e) {
            throw new UsageException("config file not found: " + file);
        } catch (JsonProcessingException e) {
            throw new UsageException(describe(file, e, type));
        } catch (IOException e) {
            throw new UsageException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    /**
     * Writes {@code values} as a YAML config file that {@link #read} takes back (atomically: a temp file beside the
     * target, then moved into place), after {@code comment} as {@code #} lines.
     */
    public static Path writeYaml(Path file, java.util.Map<String, ?> values, String comment) throws IOException {
        YAMLMapper yaml = YAMLMapper.builder(YAMLFactory.builder()
                .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES).build()).build();
        StringBuilder text = new StringBuilder();
        if (comment != null) {
            comment.lines().forEach(l -> text.append("# ").append(l).append('\n'));
        }
        text.append(yaml.writeValueAsString(values));
        return io.transfer4j.internal.AtomicFiles.writeString(file, text.toString());
    }

    private static <M extends ObjectMapper, B extends com.fasterxml.jackson.databind.cfg.MapperBuilder<M, B>> M strict(
            B builder) {
        M m = builder.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
        // YAML 1.1 reads 1e-3 (no dot) as a string; accept such strings for floating-point keys only
        m.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
        return m;
    }

    static String describe(Path file, JsonProcessingException e, Class<?> type) {
        JsonLocation loc = e.getProcessor() instanceof JsonParser p ? p.currentTokenLocation() : e.getLocation();
        String where = file + location(loc);
        if (e instanceof UnrecognizedPropertyException u) {
            Collection<Object> known = u.getKnownPropertyIds();
            String key = u.getPropertyName();
            String nearest = nearest(key, known);
            where = file + keyLine(file, key).map(l -> " line " + l).orElse(location(loc));
            return where + ": unknown key '" + key + "'" + (nearest != null ? " (did you mean '" + nearest + "'?)" : "")
                    + "; allowed keys: " + known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
        }
        if (e instanceof MismatchedInputException m) {
            String key = path(m);
            Class<?> target = m.getTargetType();
            String received = m instanceof InvalidFormatException f ? "\"" + f.getValue() + "\"" : tokenName(m);
            return where + ": '" + key + "' must be " + expected(target) + "; received " + received;
        }
        if (e instanceof JsonMappingException m && m.getCause() instanceof UsageException u) {
            return where + ": " + u.getMessage();
        }
        String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        java.util.regex.Matcher dup = DUPLICATE.matcher(msg);
        if (dup.find()) {
            return where + ": key '" + dup.group(1) + "' is given twice (first at line "
                    + keyLine(file, dup.group(1)).map(String::valueOf).orElse("?") + "); keep one of them";
        }
        return where + ": not valid " + (file.toString().endsWith(".json") ? "JSON" : "YAML") + ": "
                + msg.lines().findFirst().orElse(msg);
    }

    /** The line where {@code key} first appears as a key (YAML parsers report the location after read-ahead). */
    private static java.util.Optional<Integer> keyLine(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            java.util.regex.Pattern p = java.util.regex.Pattern.compile("(^|[{,\\s-])[\"']?"
                    + java.util.regex.Pattern.quote(key) + "[\"']?\\s*:");
            for (int i = 0; i < lines.size(); i++) {
                if (p.matcher(lines.get(i)).find()) {
                    return java.util.Optional.of(i + 1);
                }
            }
        } catch (IOException ignored) {
            // fall back to the parser's location
        }
        return java.util.Optional.empty();
    }

    private static String location(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 1 ? "" : " line " + loc.getLineNr();
    }

    private static String path(JsonMappingException m) {
        String p = m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return p.isEmpty() ? "(top level)" : p;
    }

    /** What the file held where the value was expected, from the parser's current token. */
    private static String tokenName(MismatchedInputException m) {
        if (!(m.getProcessor() instanceof JsonParser p) || p.currentToken() == null) {
            return "a value of another type";
        }
        JsonToken t = p.currentToken();
        String text = "";
        try {
            text = t.isScalarValue() ? p.getText() : "";
        } catch (IOException ignored) {
            // keep the description without the text
        }
        return switch (t) {
            case START_ARRAY -> "a list";
            case START_OBJECT -> "a mapping";
            case VALUE_STRING -> "\"" + text + "\"";
            case VALUE_NUMBER_INT -> "a whole number (" + text + ")";
            case VALUE_NUMBER_FLOAT -> "a decimal number (" + text + ")";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean (" + text + ")";
            case VALUE_NULL -> "nothing (null)";
            default -> "a value of another type";
        };
    }

    private static String expected(Class<?> t) {
        if (t == null) {
            return "of another type";
        }
        if (t.isEnum()) {
            return "one of " + Arrays.stream(t.getEnumConstants()).map(c -> c.toString().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", "));
        }
        if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
            return "a whole number";
        }
        if (t == Double.class || t == double.class || t == Float.class || t == float.class) {
            return "a number";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (t == String.class || t == Path.class) {
            return "a string";
        }
        if (java.util.List.class.isAssignableFrom(t)) {
            return "a list";
        }
        if (t.isRecord()) {
            return "a mapping of keys";
        }
        return "a " + t.getSimpleName();
    }

    /** The allowed name closest to {@code s} by edit distance, when close enough to be a likely typo; else null. */
    public static String nearest(String s, Collection<?> allowed) {
        return Names.nearest(s, allowed.stream().map(String::valueOf).toList()).orElse(null);
    }
}
