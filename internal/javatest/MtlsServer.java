// MtlsServer is a mutual-TLS HTTPS server built only on the JDK (17+), used by
// courier's Go tests as a real peer that is not Go: JSSE does the handshake,
// keytool made the stores, com.sun.net.httpserver speaks HTTP/1.1.
//
// Two engines serve the same requests (--engine):
//
//	httpserver  com.sun.net.httpserver.HttpsServer (the default). On a failed
//	            handshake it closes the socket WITHOUT sending the TLS alert:
//	            Go clients see EOF or "connection reset".
//	socket      a blocking javax.net.ssl.SSLServerSocket with a minimal
//	            HTTP/1.1 reader (Content-Length, chunked, Expect: 100-continue,
//	            keep-alive). It sends JSSE's alerts, as Tomcat and Jetty do.
//
// It exits when its stdin closes, and prints to stdout, one line each:
//
//	LISTENING <port>             once, when it accepts connections on 127.0.0.1
//	REQUEST {json}               for every request, before it is answered
//	HANDSHAKE_FAILED <message>   for every TLS failure the server sees
//
// The JSON is hand-written (no libraries): every non-ASCII character is
// escaped as \\uXXXX so that the line is plain ASCII whatever the platform
// charset is.
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;

public final class MtlsServer {
    // The JDK's HTTP server logs TLS failures only at TRACE on this logger;
    // keeping a strong reference stops java.util.logging from collecting it
    // (and forgetting our level and handler).
    private static final Logger HTTP_SERVER_LOG = Logger.getLogger("com.sun.net.httpserver");

    private static final Object OUT = new Object();

    private static final InetAddress LOOPBACK = loopback();

    private MtlsServer() {
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = parseFlags(args);
        SSLContext ssl = sslContext(flags);
        String[] protocols = flags.getOrDefault("protocols", "TLSv1.3,TLSv1.2").split(",");
        String clientAuth = flags.getOrDefault("client-auth", "need");
        if (!clientAuth.equals("need") && !clientAuth.equals("want") && !clientAuth.equals("none")) {
            throw new IllegalArgumentException("--client-auth must be need, want or none, not " + clientAuth);
        }
        int fail = Integer.parseInt(flags.getOrDefault("fail", "0"));
        int failStatus = Integer.parseInt(flags.getOrDefault("fail-status", "503"));
        String retryAfter = flags.getOrDefault("retry-after", "");

        exitWithStdin();
        Responder responder = new Responder(fail, failStatus, retryAfter);
        SSLParameters params = ssl.getDefaultSSLParameters();
        params.setProtocols(protocols);
        // setWantClientAuth(false) would clear need, so set only the one asked for.
        if (clientAuth.equals("need")) {
            params.setNeedClientAuth(true);
        } else if (clientAuth.equals("want")) {
            params.setWantClientAuth(true);
        }
        String engine = flags.getOrDefault("engine", "httpserver");
        if (engine.equals("httpserver")) {
            serveHttpServer(ssl, params, responder);
        } else if (engine.equals("socket")) {
            serveSocket(ssl, params, responder);
        } else {
            throw new IllegalArgumentException("--engine must be httpserver or socket, not " + engine);
        }
    }

    // A thread per connection or exchange: the socket engine holds one for
    // every keep-alive connection, and one slow client must not stall others.
    private static ExecutorService workers() {
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mtls-server");
            t.setDaemon(true);
            return t;
        });
    }

    private static void serveHttpServer(SSLContext ssl, SSLParameters params, Responder responder)
            throws IOException {
        watchHandshakeFailures();
        HttpsServer server = HttpsServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters p) {
                p.setSSLParameters(params);
            }
        });
        server.createContext("/", exchange -> {
            try (exchange) {
                URI uri = exchange.getRequestURI();
                byte[] body = exchange.getRequestBody().readAllBytes();
                Response r = responder.answer(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(),
                        exchange.getRequestHeaders(), body, ((HttpsExchange) exchange).getSSLSession());
                if (r.retryAfter != null) {
                    exchange.getResponseHeaders().set("Retry-After", r.retryAfter);
                }
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(r.status, r.body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(r.body);
                }
            }
        });
        server.setExecutor(workers());
        server.start();
        emit("LISTENING " + server.getAddress().getPort());
    }

    private static void serveSocket(SSLContext ssl, SSLParameters params, Responder responder) throws IOException {
        SSLServerSocket listener = (SSLServerSocket) ssl.getServerSocketFactory().createServerSocket(0, 50, LOOPBACK);
        listener.setSSLParameters(params);
        ExecutorService pool = workers();
        emit("LISTENING " + listener.getLocalPort());
        while (true) {
            SSLSocket conn = (SSLSocket) listener.accept();
            pool.execute(() -> new SocketConnection(conn, responder).serve());
        }
    }

    // exitWithStdin ends the JVM when stdin closes: the Go harness holds the
    // other end, so the server cannot outlive a test binary that died.
    private static void exitWithStdin() {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // discard
                }
            } catch (IOException e) {
                // closed either way
            }
            System.exit(0);
        }, "stdin-watch");
        t.setDaemon(true);
        t.start();
    }

    private static Map<String, String> parseFlags(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: MtlsServer --name value ...; bad argument " + args[i]);
            }
            flags.put(args[i].substring(2), args[++i]);
        }
        return flags;
    }

    private static SSLContext sslContext(Map<String, String> flags) throws Exception {
        KeyStore keys = load(flags, "keystore");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, flags.getOrDefault("keystore-pass", "").toCharArray());

        KeyStore trust = load(flags, "truststore");
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);

        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyStore load(Map<String, String> flags, String name) throws Exception {
        String file = flags.get(name);
        if (file == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        KeyStore ks = KeyStore.getInstance(flags.getOrDefault(name + "-type", "PKCS12"));
        try (InputStream in = new FileInputStream(file)) {
            ks.load(in, flags.getOrDefault(name + "-pass", "").toCharArray());
        }
        return ks;
    }

    // watchHandshakeFailures turns the HTTP server's TRACE records of TLS
    // exceptions into HANDSHAKE_FAILED lines; everything else it logs is dropped.
    private static void watchHandshakeFailures() {
        HTTP_SERVER_LOG.setUseParentHandlers(false);
        HTTP_SERVER_LOG.setLevel(Level.ALL);
        HTTP_SERVER_LOG.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                SSLException e = sslCause(record.getThrown());
                if (e != null) {
                    emit("HANDSHAKE_FAILED " + oneLine(e.getMessage()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    private static SSLException sslCause(Throwable t) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (t instanceof SSLException) {
                return (SSLException) t;
            }
        }
        return null;
    }

    /** What to answer, decided by Responder. */
    static final class Response {
        final int status;
        final byte[] body;
        final String retryAfter; // null: no header

        Response(int status, String body, String retryAfter) {
            this.status = status;
            this.body = body.getBytes(StandardCharsets.UTF_8);
            this.retryAfter = retryAfter;
        }
    }

    /** Records every request and answers it; shared by both engines. */
    static final class Responder {
        private final AtomicInteger seen = new AtomicInteger();
        private final int fail;
        private final int failStatus;
        private final String retryAfter;

        Responder(int fail, int failStatus, String retryAfter) {
            this.fail = fail;
            this.failStatus = failStatus;
            this.retryAfter = retryAfter.isEmpty() ? null : retryAfter;
        }

        Response answer(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
                byte[] body, SSLSession session) {
            emit("REQUEST " + requestJSON(method, rawPath, rawQuery, headers, body, session));
            int n = seen.incrementAndGet();
            if (n <= fail) {
                return new Response(failStatus, "failing on purpose (" + n + " of " + fail + ")\n", retryAfter);
            }
            return new Response(200, "ok", null);
        }
    }

    private static String requestJSON(String method, String rawPath, String rawQuery,
            Map<String, List<String>> headers, byte[] body, SSLSession session) {
        StringBuilder sb = new StringBuilder(128 + body.length * 4 / 3);
        sb.append('{');
        field(sb, "method", method).append(',');
        field(sb, "path", rawPath).append(',');
        field(sb, "rawQuery", rawQuery).append(',');
        sb.append("\"headers\":{");
        boolean first = true;
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            quote(sb, h.getKey()).append(":[");
            List<String> values = h.getValue();
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                quote(sb, values.get(i));
            }
            sb.append(']');
        }
        sb.append("},");
        field(sb, "body", Base64.getEncoder().encodeToString(body)).append(',');
        field(sb, "clientSubject", clientSubject(session)).append(',');
        field(sb, "protocol", session.getProtocol());
        return sb.append('}').toString();
    }

    private static String clientSubject(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate) {
                return ((X509Certificate) chain[0]).getSubjectX500Principal().getName();
            }
        } catch (SSLPeerUnverifiedException e) {
            // No client certificate (client-auth want or none): record "".
        }
        return "";
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
        quote(sb, name).append(':');
        return quote(sb, value == null ? "" : value);
    }

    private static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"');
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\r', ' ').replace('\n', ' ');
    }

    // emit writes one whole line and flushes it: the Go harness reads stdout
    // line by line, and lines from different threads must not interleave.
    private static void emit(String line) {
        synchronized (OUT) {
            System.out.print(line + "\n");
            System.out.flush();
        }
    }
    /**
     * One connection of the socket engine: an explicit handshake (so that a
     * refusal is reported and JSSE sends its alert), then HTTP/1.1 requests
     * until the client closes or asks to.
     */
    static final class SocketConnection {
        private static final int MAX_LINE = 64 << 10;

        private final SSLSocket socket;
        private final Responder responder;

        SocketConnection(SSLSocket socket, Responder responder) {
            this.socket = socket;
            this.responder = responder;
        }

        void serve() {
            try (socket) {
                try {
                    socket.startHandshake();
                } catch (SSLException e) {
                    emit("HANDSHAKE_FAILED " + oneLine(e.getMessage()));
                    return;
                }
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = new BufferedOutputStream(socket.getOutputStream());
                while (serveOne(in, out)) {
                    // keep-alive: next request on the same connection
                }
            } catch (SSLException e) {
                emit("HANDSHAKE_FAILED " + oneLine(e.getMessage()));
            } catch (IOException e) {
                // The client went away; nothing to report.
            }
        }

        // serveOne answers one request; false when the connection is done.
        private boolean serveOne(InputStream in, OutputStream out) throws IOException {
            String requestLine = readLine(in);
            while (requestLine != null && requestLine.isEmpty()) {
                requestLine = readLine(in); // RFC 9112: ignore CRLFs before a request
            }
            if (requestLine == null) {
                return false;
            }
            String[] parts = requestLine.split(" ");
            if (parts.length != 3) {
                throw new IOException("bad request line: " + requestLine);
            }
            Map<String, List<String>> headers = readHeaders(in);
            if ("100-continue".equalsIgnoreCase(first(headers, "Expect"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            byte[] body = readBody(in, headers);
            String target = parts[1];
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            String query = q < 0 ? "" : target.substring(q + 1);
            Response r = responder.answer(parts[0], path, query, headers, body, socket.getSession());
            boolean keepAlive = parts[2].equals("HTTP/1.1") && !"close".equalsIgnoreCase(first(headers, "Connection"));
            writeResponse(out, r, keepAlive);
            return keepAlive;
        }

        private static Map<String, List<String>> readHeaders(InputStream in) throws IOException {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("bad header line: " + line);
                }
                headers.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
            return headers;
        }

        private static byte[] readBody(InputStream in, Map<String, List<String>> headers) throws IOException {
            String te = first(headers, "Transfer-Encoding");
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                return readChunked(in);
            }
            String length = first(headers, "Content-Length");
            if (length == null) {
                return new byte[0];
            }
            byte[] body = in.readNBytes(Integer.parseInt(length.trim()));
            if (body.length != Integer.parseInt(length.trim())) {
                throw new EOFException("body shorter than Content-Length");
            }
            return body;
        }

        private static byte[] readChunked(InputStream in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    throw new EOFException("chunked body cut short");
                }
                int semi = line.indexOf(';');
                int size = Integer.parseInt((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    readHeaders(in); // trailers
                    return body.toByteArray();
                }
                byte[] chunk = in.readNBytes(size);
                if (chunk.length != size) {
                    throw new EOFException("chunk cut short");
                }
                body.write(chunk);
                readLine(in); // the CRLF after the chunk
            }
        }

        private static void writeResponse(OutputStream out, Response r, boolean keepAlive) throws IOException {
            StringBuilder head = new StringBuilder();
            head.append("HTTP/1.1 ").append(r.status).append(' ').append(reason(r.status)).append("\r\n");
            head.append("Content-Type: text/plain; charset=utf-8\r\n");
            head.append("Content-Length: ").append(r.body.length).append("\r\n");
            if (r.retryAfter != null) {
                head.append("Retry-After: ").append(r.retryAfter).append("\r\n");
            }
            if (!keepAlive) {
                head.append("Connection: close\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(r.body);
            out.flush();
        }

        private static String reason(int status) {
            switch (status) {
                case 200:
                    return "OK";
                case 429:
                    return "Too Many Requests";
                case 500:
                    return "Internal Server Error";
                case 502:
                    return "Bad Gateway";
                case 503:
                    return "Service Unavailable";
                default:
                    return "Status";
            }
        }

        // readLine reads up to LF, drops the CR, and decodes ISO-8859-1 as
        // the JDK's HttpServer does; null at end of stream.
        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    if (line.size() == 0) {
                        return null;
                    }
                    throw new EOFException("line cut short");
                }
                if (line.size() >= MAX_LINE) {
                    throw new IOException("line longer than " + MAX_LINE + " bytes");
                }
                line.write(b);
            }
            String s = line.toString(StandardCharsets.ISO_8859_1);
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }

        private static String first(Map<String, List<String>> headers, String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }
}
