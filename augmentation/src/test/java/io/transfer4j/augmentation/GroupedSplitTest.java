package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.transfer4j.testdata.DicomFiles;
import io.transfer4j.testdata.ImageFolders;

/** Group-aware (patient-level) splits and the leak check of existing splits. */
class GroupedSplitTest {

    @TempDir
    Path tmp;

    /** file -> part, checking that each patient (class + p<k>) is in exactly one part. */
    static Map<String, DataSplit.Part> assertPatientsOnOneSide(DataSplit s) {
        Map<String, DataSplit.Part> patientPart = new HashMap<>();
        for (DataSplit.Part p : DataSplit.Part.values()) {
            for (DataSplit.Item it : s.items(p)) {
                String patient = it.file().substring(0, it.file().indexOf('_'));
                DataSplit.Part before = patientPart.put(patient, p);
                assertTrue(before == null || before == p, patient + " is in " + before + " and " + p);
                assertTrue(it.group() != null && it.group().matches("[0-9a-f]{16}"), it.toString());
            }
        }
        return patientPart;
    }

    @Test
    void patientsStayOnOneSideStratifiedSeededAndRecordedHashed() throws Exception {
        Path dir = tmp.resolve("dicom");
        DicomFiles.classFolder(dir, 8, 3, 8, 1, false);
        DataSplit s = DataSplit.grouped(dir, 0.5, 0.25, 0.25, 7, GroupKey.patientId());
        Map<String, DataSplit.Part> patients = assertPatientsOnOneSide(s);
        assertEquals(16, patients.size());
        // 8 patients per class: 4/2/2 each -> 12/6/6 files per class
        for (String cls : List.of("benign", "malignant")) {
            assertEquals(12, s.train().stream().filter(i -> i.label().equals(cls)).count(), cls);
            assertEquals(6, s.validation().stream().filter(i -> i.label().equals(cls)).count(), cls);
            assertEquals(6, s.test().stream().filter(i -> i.label().equals(cls)).count(), cls);
        }
        assertEquals("dicom:0010,0020", s.groupedBy());
        assertEquals(s, DataSplit.grouped(dir, 0.5, 0.25, 0.25, 7, GroupKey.patientId()), "same seed, same split");
        assertNotEquals(s.test(), DataSplit.grouped(dir, 0.5, 0.25, 0.25, 8, GroupKey.patientId()).test());
        Path manifest = tmp.resolve("run/split.json");
        s.write(manifest);
        String json = Files.readString(manifest);
        assertFalse(json.contains("PID-") || json.contains("SECRET") || json.contains("ACCN"), json);
        assertTrue(json.contains("\"groupedBy\" : \"dicom:0010,0020\""), json);
        assertEquals(s, DataSplit.read(manifest));
        assertTrue(s.leaks(ImageDecoder.standard(), 0).isEmpty(), s.leaks(ImageDecoder.standard(), 0).toString());
    }

    @Test
    void pathRegexAndCsvGroupsAndFilesWithoutAGroup() throws Exception {
        Path dir = tmp.resolve("dicom");
        DicomFiles.classFolder(dir, 4, 2, 8, 2, false);
        DataSplit byPath = DataSplit.grouped(dir, 0.5, 0.5, 0, 3, GroupKey.parse("path:^([^/]+/p[0-9]+)_"));
        assertPatientsOnOneSide(byPath);
        StringBuilder csv = new StringBuilder("file,patient\n");
        for (DataSplit.Item it : byPath.train()) {
            csv.append(it.file()).append(',').append(it.file(), 0, it.file().indexOf('_')).append('\n');
        }
        for (DataSplit.Item it : byPath.validation()) {
            if (!it.file().endsWith("p0_1.dcm")) { // p0_1 of each class has no row
                csv.append(it.file()).append(',').append(it.file(), 0, it.file().indexOf('_')).append('\n');
            }
        }
        Files.writeString(tmp.resolve("groups.csv"), csv);
        DataSplit byCsv = DataSplit.grouped(dir, 0.5, 0.5, 0, 3,
                GroupKey.parse("csv:" + tmp.resolve("groups.csv") + "#file#patient"));
        assertPatientsOnOneSide(byCsv);
        int missing = (int) byPath.validation().stream().filter(i -> i.file().endsWith("p0_1.dcm")).count();
        assertEquals(missing, byCsv.excluded().size(), byCsv.excluded().toString());
        byCsv.excluded().forEach(e -> assertTrue(e.reason().contains("no row in groups.csv"), e.reason()));
        // a PNG folder has no PatientID: a clear error naming the key and the alternatives
        Path png = tmp.resolve("png");
        ImageFolders.generate(png, new ImageFolders.Spec(2, 4, 16, List.of("png"), 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataSplit.grouped(png, 0.5, 0.5, 0, 1, GroupKey.patientId()));
        assertTrue(e.getMessage().contains("dicom:0010,0020") && e.getMessage().contains("path:REGEX"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GroupKey.parse("dicom:PatientID"));
        assertThrows(IllegalArgumentException.class, () -> GroupKey.parse("path:(unclosed"));
    }

    @Test
    void aDicomFileWithoutPatientIdIsLeftOutWithItsReason() throws Exception {
        Path dir = tmp.resolve("dicom");
        DicomFiles.classFolder(dir, 3, 2, 8, 2, false);
        DicomFiles.write(dir.resolve("benign/anonymous.dcm"),
                DicomFiles.Spec.ct(8, 8, new int[64], null).withIdentity("X", null, "", "", ""));
        DataSplit s = DataSplit.grouped(dir, 0.67, 0.33, 0, 3, GroupKey.patientId());
        assertEquals(List.of(new DataSplit.Excluded("benign/anonymous.dcm",
                "DICOM attribute 0010,0020 is missing or empty")), s.excluded());
        assertEquals(12, s.train().size() + s.validation().size());
    }

    @Test
    void leaksFindsPatientsAndNearIdenticalImagesAcrossParts() throws Exception {
        Path dir = tmp.resolve("dicom");
        DicomFiles.classFolder(dir, 4, 3, 16, 5, false);
        DataSplit perFile = DataSplit.stratified(dir, 0.5, 0.25, 0.25, 1);
        List<String> leaks = perFile.leaks(ImageDecoder.standard(), 0);
        assertTrue(leaks.stream().anyMatch(l -> l.startsWith("group ") && l.contains("parts")), leaks.toString());
        leaks.forEach(l -> assertFalse(l.contains("PID-"), l));
        // the same image under two names, one in train and one in test
        Files.copy(dir.resolve("benign/p0_0.dcm"), dir.resolve("benign/copy_of_p0_0.dcm"));
        DataSplit s = new DataSplit(dir, 1, new double[] {0.5, 0, 0.5}, List.of("benign"),
                List.of(new DataSplit.Item("benign/p0_0.dcm", "benign", "a")), List.of(),
                List.of(new DataSplit.Item("benign/copy_of_p0_0.dcm", "benign", "b")), "path:x", List.of());
        List<String> dup = s.leaks(ImageDecoder.standard(), 2);
        assertEquals(1, dup.size(), dup.toString());
        assertTrue(dup.get(0).contains("near-identical") && dup.get(0).contains("copy_of_p0_0.dcm"), dup.get(0));
    }

    @Test
    void javaApiFlowsAWindowedPatientLevelSplit() throws Exception {
        Path dir = tmp.resolve("dicom");
        DicomFiles.classFolder(dir, 4, 2, 16, 9, true);
        DataSplit split = DataSplit.grouped(dir, 0.5, 0.25, 0.25, 42, GroupKey.patientId());
        FlowOptions opts = FlowOptions.builder().targetSize(16, 16).batchSize(4).shuffle(false)
                .dicomWindow(DicomWindow.preset("lung")).build();
        ImagePipeline pipe = ImagePipeline.of(io.transfer4j.zoo.Normalization.none());
        try (DirectoryFlow test = pipe.flowFromSplit(split, DataSplit.Part.TEST, opts)) {
            assertEquals(split.test().size(), test.samples());
            var batch = test.next();
            // lung window (-600, 1500): air (-1000 HU) is dark but not black, soft tissue (40 HU) is bright
            double corner = batch.getFeatures().getDouble(0, 0, 0, 0);
            double centre = batch.getFeatures().getDouble(0, 0, 8, 8);
            assertTrue(corner > 10 && corner < 80, "air in the lung window: " + corner);
            assertTrue(centre > 150 && centre < 255, "soft tissue in the lung window: " + centre);
        }
    }
}
