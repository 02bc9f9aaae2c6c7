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
    /** Human text is wrapped to this width; 0: not wrapped (output to a pipe or file). */
    private final int columns;

    public Output(Mode mode, String command, PrintWriter out, PrintWriter err, boolean interactive) {
        this(mode, command, out, err, interactive, 0);
    }

    /** @param columns the width human text (info, warnings, results) is wrapped to; 0 for none */
    public Output(Mode mode, String command, PrintWriter out, PrintWriter err, boolean interactive, int columns) {
        this.mode = mode;
        this.command = command;
        this.out = out;
        this.err = err;
        this.interactive = interactive;
        this.columns = columns;
    }

    /** The output for the command being run, configured from the root command's global options. */
    public static Output of(CommandSpec spec) {
        Object root = spec.root().userObject();
        Mode mode = root instanceof Transfer4j t ? t.mode() : Mode.HUMAN;
        int columns = root instanceof Transfer4j t ? t.columns() : 0;
        CommandLine cl = spec.commandLine();
        return new Output(mode, spec.qualifiedName(" ").replaceFirst("^transfer4j ?", ""), cl.getOut(), cl.getErr(),
                System.console() != null, columns);
    }

    /**
     * The width to wrap human text to: {@code COLUMNS} when set to a number, else 80 on an interactive terminal
     * (whose width Java cannot read), else 0: no wrapping, so text piped to a file or another program keeps one
     * line per message.
     */
    public static int columns(String columnsEnv, boolean interactive) {
        if (columnsEnv != null && columnsEnv.matches("\\d{2,4}")) {
            return Math.max(20, Integer.parseInt(columnsEnv));
        }
        return interactive ? 80 : 0;
    }

    /**
     * {@code text} with every line longer than {@code columns} broken at spaces into lines that fit, continued
     * with the line's indentation plus two spaces (under a {@code "- "} item: aligned with its text). A word longer
     * than a line (a path, a URL) gets a line of its own and is never cut. {@code columns <= 0}: unchanged.
     */
    public static String wrap(String text, int columns) {
        if (columns <= 0 || text == null) {
            return text;
        }
        StringBuilder sb = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            if (n > 0) {
                sb.append('\n');
            }
            String line = lines[n].stripTrailing();
            if (line.length() <= columns) {
                sb.append(line);
                continue;
            }
            int lead = 0;
            while (lead < line.length() && line.charAt(lead) == ' ') {
                lead++;
            }
            String indent = " ".repeat(lead + 2);
            StringBuilder cur = new StringBuilder(line.substring(0, lead));
            boolean empty = true;
            for (String word : line.substring(lead).split(" ")) {
                if (word.isEmpty()) {
                    continue;
                }
                if (!empty && cur.length() + 1 + word.length() > columns) {
                    sb.append(cur).append('\n');
                    cur = new StringBuilder(indent);
                    empty = true;
                }
                if (!empty) {
                    cur.append(' ');
                }
                cur.append(word);
                empty = false;
            }
            sb.append(cur);
        }
        return sb.toString();
    }

    /** {@code text} wrapped to this output's width (unchanged without one). */
    public String wrap(String text) {
        return wrap(text, columns);
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
            case HUMAN -> out.println(wrap(message));
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
            // long ones as a headline + list, as errors
            err.println(wrap("warning: " + Transfer4j.readable(message)));
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
