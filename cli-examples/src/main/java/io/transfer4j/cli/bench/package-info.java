/**
 * The benchmark harness behind {@code transfer4j bench}: model workloads (inference, head-only training with and
 * without the feature cache, full fine-tuning), the image pipeline, SGEMM peak and peak memory. Results are
 * written as JSON in the same schema as {@code bench/pytorch_peer.py}, so {@code bench/compare.py} can put both
 * side by side.
 */
package io.transfer4j.cli.bench;
