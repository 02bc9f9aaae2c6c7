package io.transfer4j.cli.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.transfer4j.cli.UsageException;

/** Wall-clock budgets as people type them: {@code 90s}, {@code 20m}, {@code 1h}, {@code 1h30m}, {@code 2h15m10s}. */
public final class Durations {

    private static final Pattern FORM = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    private Durations() {
    }

    /**
     * @param option how the user gave it, for the message (e.g. {@code --time})
     * @throws UsageException for anything else, saying what is allowed
     */
    public static Duration parse(String text, String option) {
        String t = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
        Matcher m = FORM.matcher(t);
        if (t.isEmpty() || !m.matches()) {
            throw new UsageException(option + " must be a duration such as 90s, 20m, 1h or 1h30m; received '" + text
                    + "'" + (t.matches("\\d+") ? " (add a unit: " + t + "s, " + t + "m or " + t + "h)" : ""));
        }
        Duration d = Duration.ofHours(num(m.group(1))).plusMinutes(num(m.group(2))).plusSeconds(num(m.group(3)));
        if (d.isZero()) {
            throw new UsageException(option + " must be longer than zero; received '" + text + "'");
        }
        return d;
    }

    /** {@code 1h30m}, {@code 20m}, {@code 45s}: the form {@link #parse} reads. */
    public static String format(Duration d) {
        long s = d.toSeconds();
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append('h');
        }
        if (s % 3600 >= 60) {
            b.append(s % 3600 / 60).append('m');
        }
        if (s % 60 > 0 || b.length() == 0) {
            b.append(s % 60).append('s');
        }
        return b.toString();
    }

    private static long num(String g) {
        if (g == null) {
            return 0;
        }
        try {
            return Long.parseLong(g);
        } catch (NumberFormatException e) {
            throw new UsageException("duration part '" + g + "' is too large");
        }
    }
}
