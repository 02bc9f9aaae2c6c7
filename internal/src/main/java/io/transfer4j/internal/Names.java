package io.transfer4j.internal;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/**
 * Suggestions for mistyped names ("Did you mean ...?"), by case-insensitive edit distance. Every module uses this
 * one implementation for its "unknown X" errors.
 */
public final class Names {
    private Names() {
    }

    /** The candidate closest to {@code name} (case-insensitive Levenshtein distance), if any is close enough. */
    public static Optional<String> nearest(String name, Collection<String> candidates) {
        if (name == null || candidates.isEmpty()) {
            return Optional.empty();
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String best = candidates.stream()
                .min(Comparator.comparingInt((String c) -> distance(lower, c.toLowerCase(Locale.ROOT)))
                        .thenComparing(Comparator.naturalOrder()))
                .orElseThrow();
        int d = distance(lower, best.toLowerCase(Locale.ROOT));
        return d <= Math.max(2, best.length() / 2) ? Optional.of(best) : Optional.empty();
    }

    /** {@code " Did you mean 'x'?"} or the empty string. */
    public static String didYouMean(String name, Collection<String> candidates) {
        return nearest(name, candidates).map(n -> " Did you mean '" + n + "'?").orElse("");
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
