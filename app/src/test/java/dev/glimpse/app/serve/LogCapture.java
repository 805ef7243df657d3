package dev.glimpse.app.serve;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what the server package logs, so tests can check that a refusal left a log line. */
final class LogCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.glimpse.app.serve");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level level;

    LogCapture() {
        level = logger.getLevel();
        logger.setLevel(Level.INFO);
        appender.start();
        logger.addAppender(appender);
    }

    /** Formatted messages at WARN or above (INFO too when {@code withInfo}). */
    List<String> lines(boolean withInfo) {
        synchronized (appender.list) {
            return appender.list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(withInfo ? Level.INFO : Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    boolean any(String fragment) {
        return lines(true).stream().anyMatch(l -> l.contains(fragment));
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(level);
    }
}
