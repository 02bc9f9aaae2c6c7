package io.transfer4j.cli.report;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.transfer4j.training.Metric;
import io.transfer4j.training.Metrics;

/**
 * The self-contained {@code report.html}: inline CSS, images as {@code data:} URIs, no scripts, no external
 * resources, so it opens the same on an air-gapped machine and can be mailed as one file. Sections carry stable
 * ids ({@code summary}, {@code notes}, {@code learning-curve}, {@code test-metrics}, {@code confusion-matrix},
 * {@code per-class-metrics}, {@code confused-samples}, {@code history}, {@code config}).
 */
public final class ReportHtml {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
            header{background:#1f3b57;color:#fff;padding:18px 32px}
            header h1{margin:0;font-size:24px} header p{margin:4px 0 0;opacity:.8}
            main{max-width:1000px;margin:0 auto;padding:16px 32px 48px}
            section{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:16px 0;padding:12px 20px}
            h2{font-size:18px;margin:6px 0 12px}
            table{border-collapse:collapse;font-size:14px}
            th,td{border-bottom:1px solid #e4e7eb;padding:4px 10px;text-align:right}
            th{background:#f0f2f5} td.l,th.l{text-align:left}
            img.plot{max-width:100%;height:auto;display:block}
            .note{background:#fff7e0;border-left:4px solid #e0a800;padding:8px 12px;margin:8px 0}
            .kpi{display:inline-block;margin:4px 24px 8px 0}.kpi b{display:block;font-size:26px}
            .samples{display:flex;flex-wrap:wrap;gap:12px}
            figure.sample{margin:0;border:1px solid #e4e7eb;border-radius:4px;padding:6px;width:220px;font-size:12px}
            figure.sample img{width:100px;height:100px;image-rendering:pixelated;object-fit:contain;background:#eee}
            pre{background:#f0f2f5;padding:10px;overflow:auto;font-size:12px}
            """;

    private ReportHtml() {
    }

    /**
     * @param learningCurvePng   the learning-curve PNG, or null when there is no history
     * @param confusionMatrixPng the confusion-matrix PNG, or null when there is no test evaluation
     */
    public static String render(RunReport r, byte[] learningCurvePng, byte[] confusionMatrixPng) {
        StringBuilder h = page(r.title(), r.created());

        h.append("<section id=\"summary\"><h2>Summary</h2>");
        if (r.test() != null) {
            h.append(kpi("test accuracy", pct(r.test().accuracy()))).append(kpi("macro F1", f3(r.test().macroF1())))
                    .append(kpi("test images", Long.toString(r.test().examples())));
        }
        if (!r.history().isEmpty()) {
            h.append(kpi("epochs", Integer.toString(r.history().size())));
        }
        factsAndNotes(h, r.facts(), r.notes());

        if (learningCurvePng != null) {
            h.append("<section id=\"learning-curve\"><h2>Learning curve</h2>")
                    .append(img("learning-curve-img", "plot", learningCurvePng,
                            "Loss, accuracy and learning rate per epoch; dashed lines mark phase boundaries"))
                    .append("</section>\n");
        }

        if (r.test() != null) {
            Metrics t = r.test();
            h.append("<section id=\"test-metrics\"><h2>Test set</h2>");
            h.append("<div id=\"confusion-matrix\">")
                    .append(img("confusion-matrix-img", "plot", confusionMatrixPng, "Confusion matrix"))
                    .append("</div>");
            h.append("<h2>Per-class metrics</h2>");
            h.append(table(List.of("class", "precision", "recall", "F1", "support"), t.perClass().stream()
                    .map(c -> List.of(c.label(), f3(c.precision()), f3(c.recall()), f3(c.f1()),
                            Long.toString(c.support()))).toList(), false, "per-class-metrics"));
            h.append("</section>\n");
        }

        h.append("<section id=\"confused-samples\"><h2>Most confused test samples</h2>");
        if (r.confused().isEmpty()) {
            h.append("<p>").append(r.test() == null ? "No test split was evaluated."
                    : "None: every test image was classified correctly.").append("</p>");
        } else {
            h.append("<p>Misclassified test images, most confident mistakes first; right: Grad-CAM heat map of the "
                    + "predicted class (where the network looked).</p><div class=\"samples\">");
            for (ConfusedSample s : r.confused()) {
                h.append("<figure class=\"sample\">").append(img(null, null, s.imagePng(), "input image"));
                if (s.gradCamPng() != null) {
                    h.append(img(null, "gradcam", s.gradCamPng(), "Grad-CAM"));
                }
                h.append("<figcaption>actual <b>").append(esc(s.actual())).append("</b>, predicted <b>")
                        .append(esc(s.predicted())).append("</b> (").append(pct(s.probability()))
                        .append(")<br><code>").append(esc(s.file())).append("</code></figcaption></figure>");
            }
            h.append("</div>");
        }
        h.append("</section>\n");

        if (!r.history().isEmpty()) {
            h.append("<section id=\"history\"><h2>Training history</h2>");
            h.append(table(List.of("phase", "epoch", "loss", "val loss", "accuracy", "val accuracy", "lr", "seconds",
                    "images/s"), r.history().stream().map(e -> List.of(e.phase(), Integer.toString(e.epoch()),
                    f4(e.loss()), f4(e.valLoss()), pct(e.value(Metric.ACCURACY)), pct(e.value(Metric.VAL_ACCURACY)),
                    sci(e.lr()),
                    String.format(Locale.ROOT, "%.1f", e.seconds()), String.format(Locale.ROOT, "%.1f",
                            e.imagesPerSecond()))).toList(), false, "history-table"));
            h.append("</section>\n");
        }

        h.append("<section id=\"config\"><h2>Configuration</h2><pre>").append(esc(json(r.config())))
                .append("</pre></section>\n");
        h.append("</main>\n</body></html>\n");
        return h.toString();
    }

    /** The page up to {@code <main>}: head (inline CSS, a CSP that forbids fetching anything) and the header. */
    private static StringBuilder page(String title, java.time.Instant created) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                // belt and braces: even a future edit that adds a URL cannot make the page fetch anything
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("img-src data:; style-src 'unsafe-inline'\">")
                .append("<title>").append(esc(title)).append("</title><style>").append(CSS)
                .append("</style></head>\n<body>\n<header><h1>").append(esc(title)).append("</h1><p>")
                .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(created.atOffset(ZoneOffset.UTC)
                        .withNano(0).toLocalDateTime())).append(" UTC</p></header>\n<main>\n");
        return h;
    }

    /**
     * A search's report ({@code transfer4j tune}); sections {@code summary}, {@code notes}, {@code trials-over-time},
     * {@code metric-by-parameter}, {@code trials}, {@code best-config}, {@code space}.
     *
     * @param overTimePng    the trials-over-time PNG, or null without trials
     * @param byParameterPng the metric-by-parameter PNG, or null when no parameter varied
     */
    public static String renderTune(TuneReport r, byte[] overTimePng, byte[] byParameterPng) {
        StringBuilder h = page(r.title(), r.created());
        h.append("<section id=\"summary\"><h2>Summary</h2>");
        if (r.best() != null) {
            h.append(kpi("best " + r.objective(), metric(r.objective(), r.best().objective())))
                    .append(kpi("best trial", Integer.toString(r.best().id())));
        }
        h.append(kpi("trials", Integer.toString(r.trials().size())));
        factsAndNotes(h, r.facts(), r.notes());
        if (overTimePng != null) {
            h.append("<section id=\"trials-over-time\"><h2>Trials over time</h2><p>Each trial's ")
                    .append(esc(r.objective())).append(" after each epoch, on the search's clock (trials ran one "
                            + "after another); grey: pruned, red: failed; black: the best so far.</p>")
                    .append(img("trials-over-time-img", "plot", overTimePng, r.objective() + " per trial over time"))
                    .append("</section>\n");
        }
        if (byParameterPng != null) {
            h.append("<section id=\"metric-by-parameter\"><h2>").append(esc(r.objective()))
                    .append(" by parameter</h2><p>Each trial's best ").append(esc(r.objective()))
                    .append(" against each parameter that varied.</p>")
                    .append(img("metric-by-parameter-img", "plot", byParameterPng, r.objective() + " by parameter"))
                    .append("</section>\n");
        }
        List<String> names = new java.util.ArrayList<>(r.space().params().keySet());
        List<String> header = new java.util.ArrayList<>(List.of("trial", "status", r.objective(), "best epoch",
                "epochs", "seconds"));
        header.addAll(names);
        header.add("error");
        h.append("<section id=\"trials\"><h2>Trials</h2>").append(table(header, r.trials().stream().map(t -> {
            List<String> row = new java.util.ArrayList<>(List.of(Integer.toString(t.id()),
                    TuneReport.status(t), metric(r.objective(), t.objective()), Integer.toString(t.bestEpoch()),
                    Integer.toString(t.history().size()), String.format(Locale.ROOT, "%.1f", t.seconds())));
            names.forEach(n -> row.add(value(t.params().get(n))));
            row.add(t.error() == null ? "" : t.error());
            return row;
        }).toList(), false, "trials-table")).append("</section>\n");
        if (r.bestConfig() != null) {
            h.append("<section id=\"best-config\"><h2>Best configuration</h2><pre>").append(esc(r.bestConfig()))
                    .append("</pre></section>\n");
        }
        h.append("<section id=\"space\"><h2>Search space</h2><pre>").append(esc(r.space().toYaml()))
                .append("</pre></section>\n");
        h.append("</main>\n</body></html>\n");
        return h.toString();
    }

    private static String metric(String key, double v) {
        return key.endsWith("accuracy") ? pct(v) : f4(v);
    }

    private static String value(Object v) {
        if (v == null) {
            return "-";
        }
        return v instanceof Double d ? String.format(Locale.ROOT, "%.3g", d) : String.valueOf(v);
    }

    /** The facts table that ends the summary section, then the notes section (when there are notes). */
    private static void factsAndNotes(StringBuilder h, Map<String, String> facts, List<String> notes) {
        h.append(table(List.of("", ""), facts.entrySet().stream()
                .map(e -> List.of(e.getKey(), e.getValue())).toList(), true, "facts"));
        h.append("</section>\n");
        if (!notes.isEmpty()) {
            h.append("<section id=\"notes\"><h2>Notes</h2>");
            notes.forEach(n -> h.append("<p class=\"note\">").append(esc(n)).append("</p>"));
            h.append("</section>\n");
        }
    }

    private static String kpi(String name, String value) {
        return "<span class=\"kpi\"><b>" + esc(value) + "</b>" + esc(name) + "</span>";
    }

    private static String img(String id, String cls, byte[] png, String alt) {
        if (png == null) {
            return "";
        }
        return "<img" + (id != null ? " id=\"" + id + "\"" : "") + (cls != null ? " class=\"" + cls + "\"" : "")
                + " alt=\"" + esc(alt) + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png)
                + "\">";
    }

    private static String table(List<String> header, List<List<String>> rows, boolean noHeader, String id) {
        StringBuilder t = new StringBuilder("<table id=\"" + id + "\">");
        if (!noHeader) {
            t.append("<tr>");
            for (int i = 0; i < header.size(); i++) {
                t.append(i == 0 ? "<th class=\"l\">" : "<th>").append(esc(header.get(i))).append("</th>");
            }
            t.append("</tr>");
        }
        for (List<String> row : rows) {
            t.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                t.append(i == 0 || noHeader ? "<td class=\"l\">" : "<td>").append(esc(row.get(i))).append("</td>");
            }
            t.append("</tr>");
        }
        return t.append("</table>").toString();
    }

    private static String json(Map<String, Object> config) {
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            return config.toString();
        }
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String pct(double v) {
        // a no-break space: "(99.5 %)" must not wrap between the number and its unit
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f\u00a0%%", 100 * v);
    }

    private static String f3(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String f4(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String sci(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1e", v);
    }
}
