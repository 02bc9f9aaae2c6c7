package io.transfer4j.augmentation;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which window (centre/width, in the values after rescale slope/intercept, e.g. Hounsfield units for CT) turns a
 * DICOM image's 12-16-bit values into the visible range. Values below the window become black, above it white, in
 * between linear (the DICOM "LINEAR" VOI function, PS3.3 C.11.2.1.2).
 *
 * <ul>
 *   <li>{@link #fromFile()} (default): the file's own Window Center/Width (0028,1050/1051; the first of several);
 *       a file without them is shown from its minimum to its maximum value.</li>
 *   <li>{@link #preset(String)}: a named CT window ({@link #PRESETS}).</li>
 *   <li>{@link #of(double, double)}: an explicit centre and width.</li>
 *   <li>{@link #fullRange()}: every image from its own minimum to its maximum value, ignoring the file's window.</li>
 * </ul>
 *
 * @param name   {@code file}, {@code full}, a preset name, or {@code explicit}
 * @param center window centre (NaN for {@code file}/{@code full})
 * @param width  window width, > 0 (NaN for {@code file}/{@code full})
 */
public record DicomWindow(String name, double center, double width) {

    /** Common CT windows (centre, width in HU), as radiology references give them. */
    public static final Map<String, double[]> PRESETS;

    static {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("lung", new double[] {-600, 1500});
        m.put("mediastinum", new double[] {50, 350});
        m.put("bone", new double[] {400, 1800});
        m.put("brain", new double[] {40, 80});
        m.put("abdomen", new double[] {40, 400});
        PRESETS = java.util.Collections.unmodifiableMap(m);
    }

    public DicomWindow {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("window name must be set (file, full, a preset or explicit)");
        }
        boolean computed = name.equals("file") || name.equals("full");
        if (!computed) {
            if (!Double.isFinite(center)) {
                throw new IllegalArgumentException("window centre must be a finite number; received " + center);
            }
            if (!(width > 0) || !Double.isFinite(width)) {
                throw new IllegalArgumentException("window width must be > 0 (values in the window's units, e.g. "
                        + "HU); received " + width + ". A lung window is centre -600, width 1500");
            }
        }
    }

    /** The file's own window (the default). */
    public static DicomWindow fromFile() {
        return new DicomWindow("file", Double.NaN, Double.NaN);
    }

    /** Each image from its minimum to its maximum value. */
    public static DicomWindow fullRange() {
        return new DicomWindow("full", Double.NaN, Double.NaN);
    }

    /** A named preset: lung, mediastinum, bone, brain, abdomen. */
    public static DicomWindow preset(String name) {
        double[] cw = PRESETS.get(name == null ? "" : name.toLowerCase(Locale.ROOT));
        if (cw == null) {
            throw new IllegalArgumentException("unknown window preset '" + name + "'; presets: "
                    + String.join(", ", PRESETS.keySet()) + " (or give centre,width, e.g. 40,400)");
        }
        return new DicomWindow(name.toLowerCase(Locale.ROOT), cw[0], cw[1]);
    }

    /** An explicit window. */
    public static DicomWindow of(double center, double width) {
        return new DicomWindow("explicit", center, width);
    }

    /**
     * Parses the command-line form: {@code file}, {@code full}, a preset name, or {@code CENTRE,WIDTH} (e.g.
     * {@code -600,1500}).
     */
    public static DicomWindow parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("file")) {
            return fromFile();
        }
        if (t.equals("full")) {
            return fullRange();
        }
        if (PRESETS.containsKey(t)) {
            return preset(t);
        }
        String[] parts = t.split(",");
        if (parts.length == 2) {
            try {
                return of(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("window must be 'file', 'full', a preset (" + String.join(", ",
                PRESETS.keySet()) + ") or CENTRE,WIDTH (e.g. -600,1500); received '" + text + "'");
    }

    /** True for the file's own window. */
    public boolean fromFileTags() {
        return name.equals("file");
    }

    /** True for min-max. */
    public boolean full() {
        return name.equals("full");
    }

    @Override
    public String toString() {
        return fromFileTags() || full() ? name : name + "(" + center + "," + width + ")";
    }
}
