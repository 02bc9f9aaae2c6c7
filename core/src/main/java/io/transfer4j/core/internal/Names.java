package io.transfer4j.core.internal;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** Nearest-name suggestions for "unknown X" errors. */
public final class Names {
    private Names() {
    }

    /** The candidate with the smallest edit distance to {@code name}, if any is reasonably close. */
    public static Optional<String> nearest(String name, Collection<String> candidates) {
        if (name == null) {
            return Optional.empty();
        }
        return candidates.stream()
                .min(Comparator.comparingInt((String c) -> distance(name.toLowerCase(), c.toLowerCase()))
                        .thenComparing(Comparator.naturalOrder()))
                .filter(c -> distance(name.toLowerCase(), c.toLowerCase()) <= Math.max(3, name.length() / 2));
    }

    /** {@code " Did you mean 'x'?"} or the empty string. */
    public static String didYouMean(String name, Collection<String> candidates) {
        return nearest(name, candidates).map(n -> " Did you mean '" + n + "'?").orElse("");
    }

    /** Levenshtein distance. */
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
