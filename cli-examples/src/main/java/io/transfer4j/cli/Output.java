package io.transfer4j.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.transfer4j.cli.internal.ProgressLine;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Where a command writes what it has to say, honouring the global {@code --quiet} and {@code --json} options.
 * Every subcommand gets one with {@code Output.of(spec)} (from an injected {@code @Spec CommandSpec}).
 *
 * <ul>
 *   <li>{@link #info}: progress talk ("writing sample data ..."). Human mode: stdout. {@code --quiet}: nothing.
 *       {@code --json}: a line {@code {"type":"info","message":...}}.</li>
 *   <li>{@link #result}: what the command produced. Human mode: the text. {@code --json}: one JSON object line
 *       {@code {"type":"result","command":...,...}}. Printed even with {@code --quiet}.</li>
 *   <li>{@link #event}: machine events (an epoch finished). {@code --json} only, unless a human text is given.</li>
 *   <li>{@link #progress}: a terminal progress bar (interactive terminals only) or, with {@code --json}, throttled
 *       progress lines; nothing with {@code --quiet}.</li>
 *   <li>{@link #warn}: always on stderr (human) or as a JSON line (json), also with {@code --quiet}.</li>
 * </ul>
 */
public final class Output {

    /** How the command talks. */
    public enum Mode { HUMAN, QUIET, JSON }

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();

    private final Mode mode;
    private final String command;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean interactive;

    public Output(Mode mode, String command, PrintWriter out, PrintWriter err, boolean interactive) {
        this.mode = mode;
        this.command = command;
        this.out = out;
        this.err = err;
        this.interactive = interactive;
    }

    /** The output for the command being run, configured from the root command's global options. */
    public static Output of(CommandSpec spec) {
        Object root = spec.root().userObject();
        Mode mode = root instanceof Transfer4j t ? t.mode() : Mode.HUMAN;
        CommandLine cl = spec.commandLine();
        return new Output(mode, spec.qualifiedName(" ").replaceFirst("^transfer4j ?", ""), cl.getOut(), cl.getErr(),
                System.console() != null);
    }

    public Mode mode() {
        return mode;
    }

    public boolean json() {
        return mode == Mode.JSON;
    }

    public PrintWriter out() {
        return out;
    }

    /** Progress talk: shown in human mode only (a JSON line with {@code --json}). */
    public void info(String message) {
        switch (mode) {
            case HUMAN -> out.println(message);
            case JSON -> jsonLine(fields("type", "info", "message", message));
            case QUIET -> { }
        }
        out.flush();
    }

    /** A warning the user should see even with {@code --quiet}. */
    public void warn(String message) {
        if (mode == Mode.JSON) {
            jsonLine(fields("type", "warning", "message", message));
            out.flush();
        } else {
            err.println("warning: " + Transfer4j.readable(message));  // long ones as a headline + list, as errors
            err.flush();
        }
    }

    /** The command's result: the human text, or one JSON line holding {@code data}. */
    public void result(String human, Map<String, ?> data) {
        if (mode == Mode.JSON) {
            Map<String, Object> m = fields("type", "result", "command", command);
            m.putAll(data);
            jsonLine(m);
        } else {
            out.println(human);
        }
        out.flush();
    }

    /** A machine event: a JSON line with {@code --json}; {@code human} (when not null) in human mode. */
    public void event(String type, Map<String, ?> data, String human) {
        if (mode == Mode.JSON) {
            Map<String, Object> m = fields("type", type);
            m.putAll(data);
            jsonLine(m);
        } else if (mode == Mode.HUMAN && human != null) {
            out.println(human);
        }
        out.flush();
    }

    /**
     * A progress indicator for {@code total} steps ({@code total <= 0}: unknown). Close it when done.
     *
     * @param unit shown after the counts, e.g. "batches", "MB"
     */
    public Progress progress(String task, long total, String unit) {
        return switch (mode) {
            case QUIET -> Progress.NONE;
            case JSON -> new JsonProgress(task, total, unit);
            case HUMAN -> interactive ? new BarProgress(task, total, unit) : Progress.NONE;
        };
    }

    /** An ordered map from alternating keys and values. */
    public static Map<String, Object> fields(Object... kv) {
        if (kv.length % 2 != 0) {
            throw new IllegalArgumentException("fields needs key/value pairs; received " + kv.length + " items");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(String.valueOf(kv[i]), kv[i + 1]);
        }
        return m;
    }

    private void jsonLine(Map<String, ?> m) {
        try {
            out.println(JSON.writeValueAsString(m));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON output: " + e.getOriginalMessage(), e);
        }
    }

    /** A running progress indicator. */
    public interface Progress extends AutoCloseable {
        /** Sets the current count and an extra message such as {@code loss 0.412}. */
        void update(long current, String message);

        @Override
        void close();

        Progress NONE = new Progress() {
            @Override
            public void update(long current, String message) {
            }

            @Override
            public void close() {
            }
        };
    }

    private final class BarProgress implements Progress {
        private final ProgressBar bar;

        BarProgress(String task, long total, String unit) {
            // our renderer: the library's squeezes the bar to [=] and cuts the loss off at 80 columns
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total > 0 ? total : -1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                    .setRenderer((state, maxLength) -> ProgressLine.render(state.getTaskName(), state.getCurrent(),
                            state.isIndefinite() ? -1 : state.getMax(), unit, state.getExtraMessage(),
                            state.getTotalElapsed(), ProgressLine.columns(System.getenv("COLUMNS"), maxLength)))
                    .build();
        }

        @Override
        public void update(long current, String message) {
            bar.stepTo(current);
            if (message != null) {
                bar.setExtraMessage(" " + message.strip()); // the bar prints it right after the speed
            }
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    private final class JsonProgress implements Progress {
        private static final long INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();
        private final String task;
        private final long total;
        private final String unit;
        private final long start = System.nanoTime();
        private long lastPrinted = Long.MIN_VALUE;
        private long current;

        JsonProgress(String task, long total, String unit) {
            this.task = task;
            this.total = total;
            this.unit = unit;
        }

        @Override
        public void update(long current, String message) {
            this.current = current;
            long now = System.nanoTime();
            if (lastPrinted == Long.MIN_VALUE || now - lastPrinted >= INTERVAL_NANOS || current == total) {
                lastPrinted = now;
                print(message);
            }
        }

        private void print(String message) {
            double elapsed = (System.nanoTime() - start) / 1e9;
            Map<String, Object> m = fields("type", "progress", "task", task, "current", current, "total", total,
                    "unit", unit, "elapsedSeconds", Math.round(elapsed * 10) / 10.0);
            if (total > 0 && current > 0) {
                m.put("etaSeconds", Math.round(elapsed / current * (total - current) * 10) / 10.0);
            }
            if (message != null) {
                m.put("message", message);
            }
            jsonLine(m);
            out.flush();
        }

        @Override
        public void close() {
        }
    }
}
