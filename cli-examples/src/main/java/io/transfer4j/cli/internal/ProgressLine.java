package io.transfer4j.cli.internal;

import java.time.Duration;
import java.util.Locale;

/**
 * A progress-bar line that fits the terminal: {@code head 1/5 [=====>     ] 12/40 batches 0:42 loss 0.4123}.
 * The counts always show; the bar takes what is left (at least {@value #MIN_BAR} cells); when the width is too
 * small the extra message goes first, then the ETA, then the bar, so the line never wraps.
 */
public final class ProgressLine {
    static final int MIN_BAR = 10;
    private static final int MAX_TASK = 24;

    private ProgressLine() {
    }

    /**
     * The terminal's width: {@code COLUMNS} when set to a number (shells export it; tests set it), else
     * {@code fallback} (what the progress-bar library measured), else 80.
     */
    public static int columns(String columnsEnv, int fallback) {
        if (columnsEnv != null && columnsEnv.matches("\\d{2,4}")) {
            return Integer.parseInt(columnsEnv);
        }
        return fallback >= 20 ? fallback : 80;
    }

    /**
     * One line of at most {@code columns - 1} characters (a line of exactly the width wraps in some terminals).
     *
     * @param total {@code <= 0}: unknown, no bar
     */
    public static String render(String task, long current, long total, String unit, String extra, Duration elapsed,
                                int columns) {
        int width = Math.max(20, columns) - 1;
        String name = task.length() > MAX_TASK ? task.substring(0, MAX_TASK - 1) + "~" : task;
        String counts = current + (total > 0 ? "/" + total : "") + (unit == null || unit.isBlank() ? "" : " " + unit);
        String eta = "";
        if (total > 0 && current > 0 && current < total) {
            long s = Math.round(elapsed.toMillis() / 1000.0 / current * (total - current));
            eta = String.format(Locale.ROOT, "eta %d:%02d", s / 60, s % 60);
        }
        String more = extra == null ? "" : extra.strip();
        // drop the least useful parts until the counts and a minimal bar fit
        for (int drop = 0; drop <= 3; drop++) {
            String e = drop >= 2 ? "" : eta;
            String m = drop >= 1 ? "" : more;
            String tail = join(counts, e, m);
            boolean bar = total > 0 && drop < 3;
            int room = width - name.length() - 1 - tail.length() - (bar ? 3 : 0);
            if (bar && room >= MIN_BAR) {
                return name + " [" + bar(current, total, room) + "] " + tail;
            }
            if (!bar && room >= 0) {
                return name + " " + tail;
            }
        }
        String plain = name + " " + counts;
        return plain.length() <= width ? plain : plain.substring(0, width);
    }

    private static String join(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (!p.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : " ").append(p);
            }
        }
        return sb.toString();
    }

    private static String bar(long current, long total, int cells) {
        int done = (int) Math.min(cells, Math.max(0, cells * current / total));
        StringBuilder sb = new StringBuilder(cells);
        sb.append("=".repeat(done));
        if (done < cells) {
            sb.append('>').append(" ".repeat(cells - done - 1));
        }
        return sb.toString();
    }
}
