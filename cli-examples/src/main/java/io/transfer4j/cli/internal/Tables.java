package io.transfer4j.cli.internal;

import java.util.List;

/** Plain-text tables for the terminal: first column left-aligned, the others right-aligned. */
public final class Tables {

    private Tables() {
    }

    public static String render(List<String> header, List<List<String>> rows) {
        int cols = header.size();
        int[] w = new int[cols];
        for (int c = 0; c < cols; c++) {
            w[c] = header.get(c).length();
            for (List<String> r : rows) {
                w[c] = Math.max(w[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, w);
        for (List<String> r : rows) {
            line(sb, r, w);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] w) {
        StringBuilder l = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String v = cells.get(c);
            if (c > 0) {
                l.append("  ");
            }
            String pad = " ".repeat(w[c] - v.length());
            l.append(c == 0 ? v + pad : pad + v);
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }
}
