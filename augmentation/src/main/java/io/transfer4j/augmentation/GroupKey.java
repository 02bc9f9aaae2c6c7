package io.transfer4j.augmentation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.transfer4j.augmentation.internal.Csv;
import io.transfer4j.augmentation.internal.Dicom;

/**
 * Where the group of a file (usually the patient) comes from, so that a {@link DataSplit#grouped group-aware
 * split} keeps every image of a group in one part. The value is used in memory only; manifests store
 * {@link #hash(String) a hash} of it.
 */
public sealed interface GroupKey {

    /** A DICOM attribute, {@code gggg,eeee}; {@link #patientId()} is {@code 0010,0020}. */
    record DicomTag(String tag) implements GroupKey {
        public DicomTag {
            if (tag == null || !tag.matches("[0-9A-Fa-f]{4},[0-9A-Fa-f]{4}")) {
                throw new IllegalArgumentException("DICOM tag must be written gggg,eeee (e.g. 0010,0020 for "
                        + "PatientID); received '" + tag + "'");
            }
            tag = tag.toUpperCase(java.util.Locale.ROOT);
        }

        @Override
        public String describe() {
            return "dicom:" + tag;
        }
    }

    /**
     * A regular expression found in the file's path relative to the data root ({@code /}-separated, e.g.
     * {@code malignant/patient07/img3.png}); its first capturing group (or the whole match) is the group.
     */
    record PathRegex(String regex) implements GroupKey {
        public PathRegex {
            try {
                Pattern.compile(Objects.requireNonNull(regex, "regex"));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("group regex does not compile: " + e.getDescription()
                        + " in '" + regex + "'");
            }
        }

        @Override
        public String describe() {
            return "path:" + regex;
        }
    }

    /**
     * A CSV file with a header row: {@code fileColumn} holds paths relative to the data root, {@code groupColumn}
     * the group.
     */
    record CsvColumn(Path csv, String fileColumn, String groupColumn) implements GroupKey {
        public CsvColumn {
            Objects.requireNonNull(csv, "csv");
            Objects.requireNonNull(fileColumn, "fileColumn");
            Objects.requireNonNull(groupColumn, "groupColumn");
        }

        @Override
        public String describe() {
            return "csv:" + csv.getFileName() + "#" + groupColumn;
        }
    }

    /** A short description for manifests and messages (never a group value). */
    String describe();

    /** PatientID (0010,0020), the default for DICOM folders. */
    static GroupKey patientId() {
        return new DicomTag("0010,0020");
    }

    /**
     * Parses the command-line form: {@code dicom:gggg,eeee}, {@code patient} (= {@code dicom:0010,0020}),
     * {@code path:REGEX}, {@code csv:FILE#FILECOLUMN#GROUPCOLUMN}.
     */
    static GroupKey parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.equals("patient")) {
            return patientId();
        }
        if (t.startsWith("dicom:")) {
            return new DicomTag(t.substring(6));
        }
        if (t.startsWith("path:")) {
            return new PathRegex(t.substring(5));
        }
        if (t.startsWith("csv:")) {
            String[] p = t.substring(4).split("#");
            if (p.length == 3) {
                return new CsvColumn(Path.of(p[0]), p[1], p[2]);
            }
        }
        throw new IllegalArgumentException("group key must be 'patient', dicom:gggg,eeee, path:REGEX or "
                + "csv:FILE#FILECOLUMN#GROUPCOLUMN; received '" + text + "'");
    }

    /** SHA-256 of the value (first 16 hex digits): what manifests store instead of the value. */
    static String hash(String value) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] d = md.digest(("transfer4j-group:" + value).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the group values of files (relative paths under {@code root}); null where a file has none. */
    final class Resolver {
        private final GroupKey key;
        private final Path root;
        private Map<String, String> csvGroups;
        private Pattern pattern;

        public Resolver(GroupKey key, Path root) {
            this.key = key;
            this.root = root;
            if (key instanceof CsvColumn c) {
                csvGroups = readCsv(c);
            } else if (key instanceof PathRegex r) {
                pattern = Pattern.compile(r.regex());
            }
        }

        private static Map<String, String> readCsv(CsvColumn c) {
            if (!Files.isRegularFile(c.csv())) {
                throw new IllegalArgumentException("group CSV '" + c.csv() + "' does not exist");
            }
            List<String[]> rows = Csv.read(c.csv());
            if (rows.isEmpty()) {
                throw new IllegalArgumentException("group CSV '" + c.csv() + "' is empty; it needs a header row "
                        + "with columns '" + c.fileColumn() + "' and '" + c.groupColumn() + "'");
            }
            List<String> header = List.of(rows.get(0));
            int fi = header.indexOf(c.fileColumn());
            int gi = header.indexOf(c.groupColumn());
            if (fi < 0 || gi < 0) {
                throw new IllegalArgumentException("group CSV '" + c.csv() + "' has columns " + header
                        + "; needs '" + c.fileColumn() + "' (file paths) and '" + c.groupColumn() + "' (groups)");
            }
            Map<String, String> m = new HashMap<>();
            for (String[] r : rows.subList(1, rows.size())) {
                if (r.length > Math.max(fi, gi) && !r[gi].isBlank()) {
                    m.put(r[fi].replace('\\', '/'), r[gi].trim());
                }
            }
            return m;
        }

        /** The group value of a file, or null when the file has none (message in {@code why[0]}). */
        public String group(String relative, String[] why) {
            if (key instanceof DicomTag t) {
                Path f = root.resolve(relative);
                try {
                    byte[] b = Files.readAllBytes(f);
                    if (!Dicom.isDicom(b)) {
                        why[0] = "not a DICOM file, so it has no " + t.tag();
                        return null;
                    }
                    String v = Dicom.header(b, f).tag(t.tag());
                    if (v == null) {
                        why[0] = "DICOM attribute " + t.tag() + " is missing or empty";
                    }
                    return v;
                } catch (IOException e) {
                    why[0] = "cannot read the DICOM header: " + e.getMessage();
                    return null;
                }
            }
            if (pattern != null) {
                Matcher m = pattern.matcher(relative);
                if (!m.find()) {
                    why[0] = "path does not match " + ((PathRegex) key).regex();
                    return null;
                }
                return m.groupCount() >= 1 && m.group(1) != null ? m.group(1) : m.group();
            }
            String v = csvGroups.get(relative);
            if (v == null) {
                why[0] = "no row in " + ((CsvColumn) key).csv().getFileName();
            }
            return v;
        }
    }
}
