package io.transfer4j.augmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The option records check themselves in their compact constructors: {@code new} and Jackson get the builders'
 * checks and messages, not a way around them.
 */
class OptionsInvariantsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    private static AugmentOptions augment(double rotation, double zoomLow, double rescale, double split, int order) {
        return new AugmentOptions(rotation, ShiftRange.NONE, ShiftRange.NONE, 0, zoomLow, 1.2, 0, 0, 0, false, false,
                FillMode.NEAREST, 0, rescale, null, false, false, false, false, false, 1e-6, split, order);
    }

    @Test
    void augmentOptionsRefuseBadValuesGivenToNew() {
        assertEquals(message(() -> AugmentOptions.builder().rotationRange(-1).build()),
                message(() -> augment(-1, 0.8, 1, 0, 1)));
        assertEquals("rotationRange (degrees) must be in [0.0, 360.0]; received -1.0", message(() -> augment(-1, 0.8, 1, 0, 1)));
        assertEquals("zoomRange must satisfy 0 < low <= high (zoomRange(z) gives [1-z, 1+z] and needs z < 1); "
                + "received [0.0, 1.2]", message(() -> augment(0, 0, 1, 0, 1)));
        assertEquals("rescale must be a positive finite factor (1 = none); received -0.5",
                message(() -> augment(0, 0.8, -0.5, 0, 1)));
        assertEquals("validationSplit must be in [0, 1) (0 = no split); received 1.2",
                message(() -> augment(0, 0.8, 1, 1.2, 1)));
        assertEquals("interpolationOrder must be 0 (nearest) or 1 (linear); received 3 (spline orders 2-5 are not "
                + "supported)", message(() -> augment(0, 0.8, 1, 0, 3)));
        assertEquals(0.2, augment(0, 0.8, 1, 0.2, 0).validationSplit());
    }

    @Test
    void flowOptionsRefuseBadValuesGivenToNew() {
        FlowOptions ok = FlowOptions.defaults();
        assertEquals("batchSize must be >= 1; received 0", message(() -> new FlowOptions(8, 8, ok.colorMode(),
                List.of(), ok.classMode(), 0, true, 1, null, "", "png", Subset.ALL, ok.interpolation(), false, false,
                ok.badFiles(), 100, 1, 2, null)));
        assertEquals("classes must not repeat a name; received [a, a]", message(() -> new FlowOptions(8, 8,
                ok.colorMode(), List.of("a", "a"), ok.classMode(), 4, true, 1, null, "", "png", Subset.ALL,
                ok.interpolation(), false, false, ok.badFiles(), 100, 1, 2, null)));
        assertEquals("class names must be plain sub-directory names; received '..'", message(() -> new FlowOptions(8,
                8, ok.colorMode(), List.of(".."), ok.classMode(), 4, true, 1, null, "", "png", Subset.ALL,
                ok.interpolation(), false, false, ok.badFiles(), 100, 1, 2, null)));
        assertEquals("saveFormat must be png or jpeg; received 'gif'", message(() -> new FlowOptions(8, 8,
                ok.colorMode(), List.of(), ok.classMode(), 4, true, 1, null, "", "gif", Subset.ALL,
                ok.interpolation(), false, false, ok.badFiles(), 100, 1, 2, null)));
        assertEquals("workers must be in 1..256; received 0", message(() -> new FlowOptions(8, 8, ok.colorMode(),
                List.of(), ok.classMode(), 4, true, 1, null, "", "png", Subset.ALL, ok.interpolation(), false, false,
                ok.badFiles(), 100, 0, 2, null)));
        assertEquals("prefetch must be in 0..64 batches; received 65", message(() -> new FlowOptions(8, 8,
                ok.colorMode(), List.of(), ok.classMode(), 4, true, 1, null, "", "png", Subset.ALL,
                ok.interpolation(), false, false, ok.badFiles(), 100, 1, 65, null)));
        FlowOptions jpg = new FlowOptions(8, 8, ok.colorMode(), null, ok.classMode(), 4, true, 1, null, null, "JPG",
                Subset.ALL, ok.interpolation(), false, false, ok.badFiles(), 100, 1, 2, null);
        assertEquals("jpeg", jpg.saveFormat(), "new normalises the format as the builder does");
        assertEquals(DicomOptions.defaults(), jpg.dicom());
        assertEquals(List.of(), jpg.classes());
    }

    @Test
    void jacksonGoesThroughTheSameChecks() throws Exception {
        ObjectNode flow = JSON.valueToTree(FlowOptions.builder().targetSize(8, 8).workers(1).build());
        flow.remove("dicom");
        FlowOptions back = JSON.treeToValue(flow, FlowOptions.class);
        assertEquals(8, back.targetHeight());
        flow.put("batchSize", -3);
        ValueInstantiationException e = assertThrows(ValueInstantiationException.class,
                () -> JSON.treeToValue(flow, FlowOptions.class));
        assertEquals("batchSize must be >= 1; received -3", e.getCause().getMessage());

        ObjectNode scan = JSON.valueToTree(ScanOptions.quick());
        scan.put("validationSplit", 1.5);
        e = assertThrows(ValueInstantiationException.class, () -> JSON.treeToValue(scan, ScanOptions.class));
        assertEquals("validationSplit must be in [0, 1) (0 = no split); received 1.5", e.getCause().getMessage());

        ObjectNode dicom = JSON.createObjectNode();
        dicom.putNull("window");
        dicom.put("frames", "FIRST");
        assertThrows(ValueInstantiationException.class, () -> JSON.treeToValue(dicom, DicomOptions.class));
    }

    @Test
    void scanOptionsShareTheGeneratorsSplitCheck() {
        assertEquals(message(() -> AugmentOptions.builder().validationSplit(-0.1).build()),
                message(() -> ScanOptions.quick().withSubset(Subset.TRAINING, -0.1)));
    }
}
