package io.transfer4j.cli.report;

/** Precision, recall and F1 of one class, and how many test samples it has. */
public record ClassMetrics(String label, double precision, double recall, double f1, int support) {
}
