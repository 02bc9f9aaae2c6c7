package io.transfer4j.zoo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny HTTP/1.1 server on 127.0.0.1 whose responses are scripted per request, so tests can produce exactly the
 * faults a real download meets: truncated bodies, connection resets (TCP RST), stalls, error statuses, and Range
 * requests. Written on raw sockets because the JDK's HttpServer cannot reset a connection.
 */
final class LoopbackServer implements AutoCloseable {
    /** What the server does with one request. */
    interface Behaviour {
        void respond(Request request, Socket socket, OutputStream out, LoopbackServer server) throws Exception;
    }

    record Request(String method, String path, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final ServerSocket socket;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-http");
        t.setDaemon(true);
        return t;
    });
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<Behaviour> script;
    private final CountDownLatch closing = new CountDownLatch(1);

    /** Request i gets behaviour i; requests after the last get the last one. */
    LoopbackServer(Behaviour... script) throws IOException {
        this.script = List.of(script);
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.submit(this::acceptLoop);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                pool.submit(() -> handle(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String line = in.readLine();
            if (line == null) {
                return;
            }
            String[] parts = line.split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            String h;
            while ((h = in.readLine()) != null && !h.isEmpty()) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            Request request = new Request(parts[0], parts[1], headers);
            Behaviour b;
            synchronized (requests) {
                requests.add(request);
                b = script.get(Math.min(requests.size() - 1, script.size() - 1));
            }
            OutputStream out = s.getOutputStream();
            b.respond(request, s, out, this);
            out.flush();
        } catch (Exception e) {
            // the client went away or the behaviour broke the connection on purpose
        }
    }

    /** Waits until the server closes (for stalls); bounded so a test can never hang on it. */
    void stall() throws InterruptedException {
        closing.await(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        closing.countDown();
        socket.close();
        pool.shutdownNow();
    }

    static void head(OutputStream out, int code, String reason, Map<String, String> headers) throws IOException {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(code).append(' ').append(reason).append("\r\n");
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        sb.append("Connection: close\r\n\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Serves {@code body}, honouring {@code Range: bytes=N-} with a 206; {@code chunkDelayMillis} slows it down. */
    static Behaviour serve(byte[] body, long chunkDelayMillis) {
        return (req, s, out, server) -> {
            int from = 0;
            String range = req.header("Range");
            if (range != null) {
                Matcher m = RANGE.matcher(range);
                if (m.matches()) {
                    from = Integer.parseInt(m.group(1));
                }
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Length", Integer.toString(body.length - from));
            if (from > 0) {
                headers.put("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
                head(out, 206, "Partial Content", headers);
            } else {
                head(out, 200, "OK", headers);
            }
            int chunk = 8192;
            for (int i = from; i < body.length; i += chunk) {
                out.write(body, i, Math.min(chunk, body.length - i));
                if (chunkDelayMillis > 0) {
                    out.flush();
                    Thread.sleep(chunkDelayMillis);
                }
            }
        };
    }

    static Behaviour serve(byte[] body) {
        return serve(body, 0);
    }

    /** Announces the full length, sends {@code cut} bytes, then closes the connection normally (truncated body). */
    static Behaviour truncate(byte[] body, int cut) {
        return (req, s, out, server) -> {
            head(out, 200, "OK", Map.of("Content-Length", Integer.toString(body.length)));
            out.write(body, 0, cut);
        };
    }

    /** Sends {@code cut} bytes of a full-length response, then resets the connection (TCP RST). */
    static Behaviour reset(byte[] body, int cut) {
        return (req, s, out, server) -> {
            head(out, 200, "OK", Map.of("Content-Length", Integer.toString(body.length)));
            out.write(body, 0, cut);
            out.flush();
            s.setSoLinger(true, 0);
            s.close();
        };
    }

    /** Sends headers and {@code cut} bytes, then goes silent until the server closes. */
    static Behaviour stall(byte[] body, int cut) {
        return (req, s, out, server) -> {
            head(out, 200, "OK", Map.of("Content-Length", Integer.toString(body.length)));
            out.write(body, 0, cut);
            out.flush();
            server.stall();
        };
    }

    /** Redirects to {@code location} (absolute, or relative to this server). */
    static Behaviour redirect(String location) {
        return (req, s, out, server) -> head(out, 302, "Found", Map.of("Location", location, "Content-Length", "0"));
    }

    static Behaviour status(int code) {
        return (req, s, out, server) -> {
            byte[] msg = ("status " + code).getBytes(StandardCharsets.US_ASCII);
            head(out, code, code == 404 ? "Not Found" : code >= 500 ? "Server Error" : "Error",
                    Map.of("Content-Length", Integer.toString(msg.length)));
            out.write(msg);
        };
    }
}
