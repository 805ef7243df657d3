package dev.glimpse.app.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A hand-driven HTTP/1.1 client for what well-behaved clients never send: slow, garbled or oversized requests. */
final class RawHttp implements AutoCloseable {
    final Socket socket;
    private final OutputStream out;

    RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends {@code bytes} one at a time with a pause between; false when the server closed the connection. */
    boolean trickle(byte[] bytes, long pauseMillis, long untilNanos) {
        try {
            for (byte b : bytes) {
                if (System.nanoTime() > untilNanos) {
                    return true;
                }
                out.write(b);
                out.flush();
                Thread.sleep(pauseMillis);
            }
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Everything the server sends until it closes the connection or the timeout; "" if nothing. */
    String readAll(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                b.write(buf, 0, n);
                if (b.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n") && complete(b.toString(StandardCharsets.ISO_8859_1))) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            // what arrived so far
        } catch (IOException e) {
            // reset by the server: what arrived so far
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** True when the server has closed the connection (end of stream or reset), false if it is still open. */
    boolean closedByServer() throws IOException {
        socket.setSoTimeout(200);
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** A response whose Content-Length body has fully arrived. */
    private static boolean complete(String response) {
        int head = response.indexOf("\r\n\r\n");
        for (String line : response.substring(0, head).split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                return response.length() - head - 4 >= Integer.parseInt(line.substring(15).trim());
            }
        }
        return false;
    }

    static int status(String response) {
        if (!response.startsWith("HTTP/1.1 ")) {
            return -1;
        }
        return Integer.parseInt(response.substring(9, 12));
    }

    static String body(String response) {
        int head = response.indexOf("\r\n\r\n");
        return head < 0 ? "" : response.substring(head + 4);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
