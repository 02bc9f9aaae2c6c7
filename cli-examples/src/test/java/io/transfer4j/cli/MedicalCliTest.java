package io.transfer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.transfer4j.augmentation.DataSplit;
import io.transfer4j.testdata.DicomFiles;

/**
 * The medical walk-through from the command line on DICOM class folders with identifying tags: data split by
 * patient, data check (bad DICOM files reported), fit with a window and a patient-level split, evaluate with a
 * threshold chosen on validation data (metrics.json, report.html), explain on the windowed image - and no
 * identifying value in any output, run directory, report or bundle.
 */
class MedicalCliTest {

    /** Substrings of every identifying value DicomFiles writes (names, IDs, birth dates, accessions, institutions). */
    static final List<String> IDENTIFYING = List.of("SECRET", "PID-", "ACCN", "19500", "SR-PATIENT", "19700101",
            "DOE^JANE", "GENERAL HOSPITAL", "ACC0001");

    @TempDir
    static Path tmp;
    static Path data;
    static Path parts;
    static Path run;
    static Path eval;
    static Path cam;
    static List<CliRun> runs = new ArrayList<>();
    /** Every log event of the walk-through (the library logs through SLF4J/logback). */
    static ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
            new ch.qos.logback.core.read.ListAppender<>();

    static CliRun cli(String... args) {
        CliRun r = CliRun.run(args);
        runs.add(r);
        return r;
    }

    @BeforeAll
    static void walkThrough() throws Exception {
        logs.start();
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .addAppender(logs);
        data = tmp.resolve("dicom");
        DicomFiles.classFolder(data, 10, 3, 32, 11, false);
        DicomFiles.writeReport(data.resolve("benign/report.dcm"));
        DicomFiles.writeTruncated(data.resolve("malignant/cut.dcm"),
                DicomFiles.Spec.ct(32, 32, new int[32 * 32], "PID-9-9"), 100);
        parts = tmp.resolve("parts");
        run = tmp.resolve("run");
        eval = tmp.resolve("eval");
        cam = tmp.resolve("cam.png");
    }

    @Test
    void fromDicomFoldersToAReportWithoutIdentifyingValues() throws Exception {
        CliRun scan = cli("data", "scan", data.toString());
        assertTrue(scan.out().contains("benign") && scan.out().contains("malignant"), scan.out() + scan.err());
        CliRun check = cli("data", "check", data.toString());
        assertEquals(1, check.exitCode(), "bad files found: " + check.out() + check.err());
        assertTrue(check.out().contains("without pixel data") && check.out().contains("truncated DICOM"),
                check.out());
        CliRun split = cli("data", "split", data.toString(), "--out", parts.toString(), "--ratios", "50/25/25",
                "--seed", "3", "--group", "patient", "--copy");
        assertEquals(0, split.exitCode(), split.err());
        assertPatientsOnOneSide(DataSplit.read(parts.resolve("split.json")));

        CliRun fit = cli("--json", "fit", "--data", parts.resolve("train").toString(), "--backbone", "tiny",
                "--run-dir", run.toString(), "--seed", "7", "--image-size", "32", "--head-epochs", "3",
                "--fine-tune-epochs", "0", "--no-augment", "--group", "patient", "--dicom-window", "40,400");
        assertEquals(0, fit.exitCode(), fit.err());
        DataSplit runSplit = DataSplit.read(run.resolve("split.json"));
        assertEquals("dicom:0010,0020", runSplit.groupedBy());
        assertPatientsOnOneSide(runSplit);
        JsonNode config = new ObjectMapper().readTree(run.resolve("config.json").toFile());
        assertEquals("explicit(40.0,400.0)", config.get("dicomWindow").asText());

        CliRun ev = cli("--json", "evaluate", "--model", run.resolve("model.t4j").toString(), "--data",
                parts.resolve("test").toString(), "--threshold", "youden", "--threshold-data",
                parts.resolve("validation").toString(), "--dicom-window", "40,400", "--bootstrap", "200",
                "--out", eval.toString());
        assertEquals(0, ev.exitCode(), ev.err());
        JsonNode metrics = new ObjectMapper().readTree(eval.resolve("metrics.json").toFile());
        JsonNode clinical = metrics.get("clinical").get(0);
        assertEquals("malignant", clinical.get("positive").asText());
        assertTrue(clinical.get("thresholdRule").asText().startsWith("youden on "), clinical.toString());
        long n = clinical.get("tp").asLong() + clinical.get("fp").asLong() + clinical.get("tn").asLong()
                + clinical.get("fn").asLong();
        assertEquals(metrics.get("samples").asLong(), n);
        for (String k : List.of("sensitivity", "specificity", "rocAuc", "expectedCalibrationError")) {
            assertTrue(clinical.get(k).isNumber(), k + " in " + clinical);
        }
        String html = Files.readString(eval.resolve("report.html"));
        assertTrue(html.contains("ROC curve") && html.contains("reliability diagram") && html.contains("sensitivity"),
                "report has the clinical table and plots");
        long mistakes = Math.round(metrics.get("samples").asLong() * (1 - metrics.get("accuracy").asDouble()));
        assertTrue(html.contains(mistakes == 0 ? "No misclassified image" : "alt=\"Grad-CAM overlay\""),
                mistakes + " mistakes: the report shows them with Grad-CAM on the windowed image");

        Path one;
        try (Stream<Path> s = Files.list(parts.resolve("test/malignant"))) {
            one = s.sorted().findFirst().orElseThrow();
        }
        // no --dicom-window: the window fit used comes from the run's config.json beside the bundle
        assertEquals(io.transfer4j.augmentation.DicomWindow.of(40, 400),
                io.transfer4j.cli.internal.Args.dicomWindow(null, run.resolve("model.t4j")));
        CliRun ex = cli("explain", "--model", run.resolve("model.t4j").toString(), "--out", cam.toString(),
                one.toString());
        assertEquals(0, ex.exitCode(), ex.err());
        assertTrue(Files.size(cam) > 0);

        CliRun leak = cli("data", "check", parts.resolve("train").toString(), "--split",
                run.resolve("split.json").toString());
        // 'data split' leaves unusable files out of the parts (listed under excluded), so the copied train part
        // holds none: the truncated DICOM is recorded in the split manifest instead of copied
        assertEquals(0, leak.exitCode(), "no bad file was copied into the parts: " + leak.out() + leak.err());
        assertTrue(DataSplit.read(parts.resolve("split.json")).excluded().stream()
                .anyMatch(e -> e.file().endsWith("cut.dcm")), "the truncated file is listed as excluded");
        assertTrue(leak.out().contains("no group or near-identical image in two parts"), leak.out());

        // privacy: nothing identifying in what was printed, the run directory, the bundle, the report, the splits
        for (CliRun r : runs) {
            assertNoIdentifyingValue("output", r.out() + r.err());
        }
        // the bad files are reported once in the CLI's own output (data check, the split's skipped list), not
        // every epoch in the log: the privacy check above is not vacuous as long as some output names them
        assertTrue(runs.stream().anyMatch(r -> (r.out() + r.err()).contains("report.dcm")),
                "the output named the bad files");
        for (ch.qos.logback.classic.spi.ILoggingEvent e : logs.list) {
            assertNoIdentifyingValue("log", e.getFormattedMessage());
        }
        for (Path dir : List.of(run, eval)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertNoIdentifyingValue(f.toString(), contents(f));
                }
            }
        }
        assertNoIdentifyingValue("split", Files.readString(parts.resolve("split.json")));
    }

    static void assertPatientsOnOneSide(DataSplit s) {
        Map<String, DataSplit.Part> seen = new HashMap<>();
        for (DataSplit.Part p : DataSplit.Part.values()) {
            for (DataSplit.Item it : s.items(p)) {
                int cut = it.file().indexOf('_');
                String patient = cut < 0 ? it.group() : it.file().substring(0, cut);
                for (String key : new String[] {patient, it.group()}) {
                    DataSplit.Part before = seen.put(key, p);
                    assertTrue(before == null || before == p, key + " in " + before + " and " + p);
                }
            }
        }
    }

    /** A file's text; for zips (the bundle) every entry's bytes. */
    static String contents(Path f) throws IOException {
        if (f.toString().endsWith(".t4j") || f.toString().endsWith(".zip")) {
            StringBuilder sb = new StringBuilder();
            try (ZipFile z = new ZipFile(f.toFile())) {
                for (ZipEntry e : java.util.Collections.list(z.entries())) {
                    sb.append(new String(z.getInputStream(e).readAllBytes(), StandardCharsets.ISO_8859_1));
                }
            }
            return sb.toString();
        }
        return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
    }

    static void assertNoIdentifyingValue(String where, String text) {
        for (String v : IDENTIFYING) {
            assertFalse(text.contains(v), where + " contains identifying value '" + v + "'");
        }
    }
}
