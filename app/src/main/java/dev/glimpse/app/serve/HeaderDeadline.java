package dev.glimpse.app.serve;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that has not begun a request within the deadline of opening or of its last
 * request. The idle timeout alone does not stop a client that sends one header byte every few
 * seconds (each byte resets it), and such clients, by the hundred, would hold every connection the
 * server allows; the minimum data rate covers bodies, this covers request lines and headers.
 */
final class HeaderDeadline implements Connection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);
    private final Scheduler scheduler;
    private final long millis;

    HeaderDeadline(Scheduler scheduler, long millis) {
        this.scheduler = scheduler;
        this.millis = millis;
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            arm(http, http.getMessagesIn());
        }
    }

    private void arm(HttpConnection http, long requestsSeen) {
        scheduler.schedule(() -> check(http, requestsSeen), millis, TimeUnit.MILLISECONDS);
    }

    private void check(HttpConnection http, long requestsSeen) {
        if (!http.getEndPoint().isOpen()) {
            return;
        }
        long requests = http.getMessagesIn();
        if (requests == requestsSeen && http.getHttpChannel().getState().isIdle()) {
            LOG.warn("closed a connection from {}: no complete request header within {} ms",
                    http.getEndPoint().getRemoteSocketAddress(), millis);
            http.getEndPoint().close();
            return;
        }
        arm(http, requests);
    }

    @Override
    public void onClosed(Connection connection) {}
}
