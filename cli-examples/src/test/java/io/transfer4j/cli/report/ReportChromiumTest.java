package io.transfer4j.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders {@code report.html} in headless Chromium (Debian's {@code chromium} package at /usr/bin/chromium, or
 * the binary named by -Dtransfer4j.chromium): the DOM has the expected sections, a screenshot shows the page,
 * and Chromium's network log holds no request other than file: and data: URLs. Skips when Chromium is absent.
 *
 * <p>The run directory and the screenshot stay in {@code target/chromium-report/} for a human to look at.
 */
class ReportChromiumTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("transfer4j.chromium", "/usr/bin/chromium"));
    private static final Path OUT = Path.of("target", "chromium-report").toAbsolutePath();

    private static Path report;

    @BeforeAll
    static void writeReport() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Chromium not installed at " + CHROMIUM
                + " (Debian: apt-get install -y chromium); skipping the browser test of report.html");
        Files.createDirectories(OUT);
        SampleReports.report().write(OUT.resolve("run"));
        report = OUT.resolve("run").resolve(RunReport.REPORT);
    }

    /** Runs Chromium with the flags that keep it off the network and out of the user's profile. */
    private static String chromium(String tag, String... extra) throws Exception {
        return chromium(report, tag, extra);
    }

    private static String chromium(Path page, String tag, String... extra) throws Exception {
        Path profile = Files.createTempDirectory(OUT, "profile-");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--user-data-dir=" + profile, "--host-resolver-rules=MAP * ~NOTFOUND"));
        cmd.addAll(List.of(extra));
        cmd.add(page.toUri().toString());
        Path stdout = OUT.resolve(tag + ".out");
        Path stderr = OUT.resolve(tag + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + cmd);
        }
        assertEquals(0, p.exitValue(), "chromium exit code; stderr: " + Files.readString(stderr));
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    @Test
    void domHasEverySectionAndOnlyInlineResources() throws Exception {
        Path netLog = OUT.resolve("netlog.json");
        Files.deleteIfExists(netLog);
        String dom = chromium("dump-dom", "--log-net-log=" + netLog, "--net-log-capture-mode=Everything",
                "--dump-dom");
        for (String id : List.of("summary", "notes", "learning-curve", "learning-curve-img", "test-metrics",
                "confusion-matrix", "confusion-matrix-img", "per-class-metrics", "confused-samples", "history",
                "history-table", "config")) {
            assertTrue(dom.contains("id=\"" + id + "\""), "rendered DOM has #" + id);
        }
        assertTrue(dom.contains("finetune-res5"), "history table rendered");
        assertEquals(2, count(dom, "class=\"sample\""), "two confused samples");
        Matcher m = Pattern.compile("(?:src|href|action|poster)\\s*=\\s*\"([^\"]*)\"").matcher(dom);
        int refs = 0;
        while (m.find()) {
            assertTrue(m.group(1).startsWith("data:"), "only data: URIs in the rendered DOM: " + m.group(1));
            refs++;
        }
        assertEquals(5, refs);
        assertFalse(Pattern.compile("(?i)url\\(\\s*['\"]?https?:").matcher(dom).find(), "no remote CSS urls");

        // Chromium's own record of what the page requested: nothing (file: loads do not go through the network
        // stack, data: URIs are decoded in place)
        assertEquals(List.of(), pageRequests(netLog), "network requests made by report.html");
    }

    /** The check above must be able to fail: a page with remote resources is caught by the same net-log test. */
    @Test
    void netLogCheckCatchesAPageThatFetches() throws Exception {
        Path control = OUT.resolve("control.html");
        Files.writeString(control, "<!DOCTYPE html><html><head><link rel=\"stylesheet\" "
                + "href=\"https://cdn.example.invalid/style.css\"></head><body>"
                + "<img src=\"http://images.example.invalid/logo.png\"></body></html>");
        Path netLog = OUT.resolve("netlog-control.json");
        Files.deleteIfExists(netLog);
        chromium(control, "control", "--log-net-log=" + netLog, "--dump-dom");
        List<String> urls = pageRequests(netLog);
        assertTrue(urls.contains("https://cdn.example.invalid/style.css"), urls.toString());
        assertTrue(urls.contains("http://images.example.invalid/logo.png"), urls.toString());
    }

    /**
     * URLs of the network requests a page started, from Chromium's net log: every URL_REQUEST_START_JOB event
     * whose initiator is an origin. Chromium's own background requests (network time, component updates,
     * account checks) have the initiator "not an origin"; they fail here anyway because the host resolver maps
     * every name to NOTFOUND.
     */
    private static List<String> pageRequests(Path netLog) throws IOException {
        assertTrue(Files.size(netLog) > 0, "net log written: " + netLog);
        JsonNode log = new ObjectMapper().readTree(netLog.toFile());
        int startJob = log.get("constants").get("logEventTypes").get("URL_REQUEST_START_JOB").asInt();
        List<String> urls = new ArrayList<>();
        for (JsonNode e : log.get("events")) {
            JsonNode p = e.get("params");
            if (e.get("type").asInt() == startJob && p != null && p.has("url")
                    && !"not an origin".equals(p.path("initiator").asText())) {
                urls.add(p.get("url").asText());
            }
        }
        return urls;
    }

    @Test
    void screenshotShowsTheRenderedPage() throws Exception {
        Path shot = OUT.resolve("report-screenshot.png");
        Files.deleteIfExists(shot);
        chromium("screenshot", "--window-size=1100,2600", "--hide-scrollbars", "--screenshot=" + shot);
        BufferedImage img = ImageIO.read(shot.toFile());
        assertEquals(1100, img.getWidth());
        assertEquals(2600, img.getHeight());
        // header bar in its colour at the top, the page background below, and plot pixels (training series blue)
        assertEquals(0x1f3b57, img.getRGB(20, 20) & 0xffffff, "header colour at (20,20)");
        int blue = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == 0x1f77b4) {
                    blue++;
                }
            }
        }
        assertTrue(blue > 100, "the learning curve is painted (training series pixels: " + blue + ")");
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
