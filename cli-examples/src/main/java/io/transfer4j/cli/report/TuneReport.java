package io.transfer4j.cli.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.transfer4j.training.EpochRecord;
import io.transfer4j.training.Metric;
import io.transfer4j.training.tune.Param;
import io.transfer4j.training.tune.SearchSpace;
import io.transfer4j.training.tune.TrialRecord;

/**
 * What a search's report shows ({@code transfer4j tune}), and its files in the run directory, each written beside
 * its target and moved into place ({@code report.html} last):
 *
 * <pre>
 * trials-over-time.png      each trial's objective per epoch over the search's time, the best so far
 * metric-by-parameter.png   each trial's best objective against each parameter that varied
 * report.html               summary, notes, both plots, the trials table, the best configuration, the space
 * </pre>
 *
 * @param objective     the objective's metric key ({@code val_loss})
 * @param lowerIsBetter true for a loss
 * @param trials        every trial of the search, by id
 * @param best          the best completed trial, or null
 * @param bestConfig    the text of the best configuration file, or null
 */
public record TuneReport(String title, Instant created, Map<String, String> facts, String objective,
                         boolean lowerIsBetter, SearchSpace space, List<TrialRecord> trials, TrialRecord best,
                         String bestConfig, List<String> notes) {

    public static final String OVER_TIME = "trials-over-time.png";
    public static final String BY_PARAMETER = "metric-by-parameter.png";

    public TuneReport {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(created, "created");
        facts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        trials = List.copyOf(trials);
        notes = List.copyOf(notes);
    }

    /** Writes the plots and {@code report.html} into {@code dir}; returns the report's path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        byte[] overTime = null;
        byte[] byParameter = null;
        if (!trials.isEmpty()) {
            overTime = Plots.png(Plots.trialsOverTime(objective, lowerIsBetter, curves()));
            io.transfer4j.internal.AtomicFiles.write(dir.resolve(OVER_TIME), overTime);
            List<Plots.ParameterPoints> points = parameterPoints();
            if (!points.isEmpty()) {
                byParameter = Plots.png(Plots.metricByParameter(objective, points));
                io.transfer4j.internal.AtomicFiles.write(dir.resolve(BY_PARAMETER), byParameter);
            }
        }
        return io.transfer4j.internal.AtomicFiles.writeString(dir.resolve(RunReport.REPORT),
                ReportHtml.renderTune(this, overTime, byParameter));
    }

    /**
     * Each trial's objective per epoch, placed on the search's clock: trials ran one after another, so a trial
     * starts when the ones before it (by id) ended, and its epochs end after their recorded seconds.
     */
    List<Plots.TrialCurve> curves() {
        Metric metric = Metric.of(objective);
        List<Plots.TrialCurve> out = new ArrayList<>();
        double start = 0;
        for (TrialRecord t : trials) {
            double[] minutes = new double[t.history().size()];
            double[] values = new double[minutes.length];
            double at = start;
            for (int i = 0; i < minutes.length; i++) {
                EpochRecord e = t.history().get(i);
                at += e.seconds();
                minutes[i] = at / 60;
                values[i] = e.value(metric);
            }
            out.add(new Plots.TrialCurve(t.id(), status(t), minutes, values));
            start += t.seconds();
        }
        return out;
    }

    /** One panel per parameter whose value differs between trials, on a log axis for log-scale ranges. */
    List<Plots.ParameterPoints> parameterPoints() {
        List<Plots.ParameterPoints> out = new ArrayList<>();
        double[] metric = trials.stream().mapToDouble(TrialRecord::objective).toArray();
        List<String> status = trials.stream().map(TuneReport::status).toList();
        for (Map.Entry<String, Param> p : space.params().entrySet()) {
            List<Object> values = new ArrayList<>();
            trials.forEach(t -> values.add(t.params().get(p.getKey())));
            if (values.stream().distinct().count() < 2) {
                continue;
            }
            out.add(new Plots.ParameterPoints(p.getKey(), p.getValue() instanceof Param.LogUniform, values, metric,
                    status));
        }
        return out;
    }

    static String status(TrialRecord t) {
        return switch (t.status()) {
            case COMPLETED -> "complete";
            case PRUNED -> "pruned";
            case FAILED -> "failed";
        };
    }
}
