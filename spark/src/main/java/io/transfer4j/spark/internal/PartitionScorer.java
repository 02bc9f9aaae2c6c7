package io.transfer4j.spark.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

import io.transfer4j.core.Prediction;
import io.transfer4j.core.PredictionTable;
import io.transfer4j.core.Predictor;
import io.transfer4j.spark.ScoreRow;

/**
 * Scores one partition of image paths on an executor, in batches, with the executor's shared model. Each path is
 * read through Hadoop's FileSystem; local files are used in place, others are copied to a local temp file first
 * (the decoder works on files and sniffs formats by content). Every failure is confined to its image's row.
 */
public final class PartitionScorer implements FlatMapFunction<Iterator<String>, ScoreRow> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<byte[]> bundle;
    private final String sha256;
    private final int topK;
    private final boolean embeddings;
    private final int batchSize;
    private final int parallelism;
    private final int taskCpus;
    private final byte[] hadoopConf;

    public PartitionScorer(Broadcast<byte[]> bundle, String sha256, int topK, boolean embeddings, int batchSize,
                           int parallelism, int taskCpus, byte[] hadoopConf) {
        this.bundle = bundle;
        this.sha256 = sha256;
        this.topK = topK;
        this.embeddings = embeddings;
        this.batchSize = batchSize;
        this.parallelism = parallelism;
        this.taskCpus = taskCpus;
        this.hadoopConf = hadoopConf;
    }

    @Override
    public Iterator<ScoreRow> call(Iterator<String> paths) throws Exception {
        // compute threads per task = spark.task.cpus (ND4J would otherwise use every core for every task)
        Nd4j.getEnvironment().setMaxMasterThreads(taskCpus);
        Predictor predictor = ExecutorModels.predictor(sha256, bundle.value(),
                Predictor.Options.defaults().withParallelism(parallelism).withBatchSize(batchSize));
        Configuration conf = HadoopFiles.deserialise(hadoopConf);
        List<ScoreRow> out = new ArrayList<>();
        List<String> chunk = new ArrayList<>(batchSize);
        while (paths.hasNext()) {
            chunk.add(paths.next());
            if (chunk.size() == batchSize || !paths.hasNext()) {
                scoreChunk(predictor, conf, chunk, out);
                chunk.clear();
            }
        }
        return out.iterator();
    }

    private void scoreChunk(Predictor predictor, Configuration conf, List<String> chunk, List<ScoreRow> out)
            throws IOException {
        List<java.nio.file.Path> local = new ArrayList<>();
        List<java.nio.file.Path> temps = new ArrayList<>();
        String[] errors = new String[chunk.size()];
        try {
            for (int i = 0; i < chunk.size(); i++) {
                try {
                    local.add(HadoopFiles.localCopy(chunk.get(i), conf, temps));
                } catch (IOException | RuntimeException e) {
                    errors[i] = e instanceof FileNotFoundException ? "no such file: " + chunk.get(i)
                            : e.getClass().getSimpleName() + ": " + e.getMessage();
                    local.add(null);
                }
            }
            List<java.nio.file.Path> ok = local.stream().filter(p -> p != null).toList();
            PredictionTable table = predictor.predictAll(ok, topK);
            List<Predictor.Embedding> emb = embeddings ? predictor.embedAll(ok) : null;
            int next = 0;
            for (int i = 0; i < chunk.size(); i++) {
                if (errors[i] != null) {
                    out.add(new ScoreRow(chunk.get(i), List.of(), List.of(), null, errors[i]));
                    continue;
                }
                PredictionTable.Row r = table.rows().get(next);
                float[] vector = emb == null ? null : emb.get(next).vector();
                next++;
                if (!r.ok()) {
                    out.add(new ScoreRow(chunk.get(i), List.of(), List.of(), null, r.error()));
                } else {
                    out.add(new ScoreRow(chunk.get(i), r.top().stream().map(Prediction::label).toList(),
                            r.top().stream().map(Prediction::probability).toList(), vector, null));
                }
            }
        } finally {
            for (java.nio.file.Path t : temps) {
                Files.deleteIfExists(t);
            }
        }
    }
}
