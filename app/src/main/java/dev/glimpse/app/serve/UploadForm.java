package dev.glimpse.app.serve;

import dev.glimpse.app.service.ImageInput;
import dev.glimpse.common.GlimpseException;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;

/**
 * A multipart upload (an {@code image} file and short text fields) read within the server's limits.
 * Whatever the body gets wrong (not multipart, garbled, too many parts, a field or file too large,
 * cut off, too slow) becomes a {@link Refused} with the status and one line to answer with, not an
 * exception from deep inside Jetty.
 */
final class UploadForm {
    private final ImageInput image;
    private final Map<String, String> fields;
    private final Context ctx;

    private UploadForm(ImageInput image, Map<String, String> fields, Context ctx) {
        this.image = image;
        this.fields = fields;
        this.ctx = ctx;
    }

    /** A body the server will not read further: the status and the message to answer with. */
    static final class Refused extends RuntimeException {
        final HttpStatus status;

        Refused(HttpStatus status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    static UploadForm read(Context ctx, ServerLimits limits) {
        String type = ctx.req().getContentType();
        if (type == null || !type.toLowerCase().startsWith("multipart/form-data")) {
            throw new Refused(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "expected a multipart/form-data body with an \"image\" file field, got " + (type == null ? "none" : type));
        }
        // Every part in memory (no temporary files): the upload budget has reserved room for it.
        long max = limits.maxRequestBytes();
        ctx.req().setAttribute(Request.__MULTIPART_CONFIG_ELEMENT,
                new MultipartConfigElement(null, limits.maxUploadBytes(), max, (int) Math.min(Integer.MAX_VALUE, max + 1)));
        Collection<Part> parts;
        try {
            parts = ctx.req().getParts();
        } catch (IOException | ServletException | RuntimeException e) {
            throw refusal(e, limits);
        }
        if (parts.size() > ServerLimits.MAX_PARTS) {
            throw new Refused(HttpStatus.CONTENT_TOO_LARGE, "more than " + ServerLimits.MAX_PARTS + " multipart parts");
        }
        ImageInput image = null;
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            for (Part p : parts) {
                String name = p.getName();
                if ("image".equals(name)) {
                    if (p.getSize() > limits.maxUploadBytes()) {
                        throw new Refused(HttpStatus.CONTENT_TOO_LARGE, "upload larger than " + limits.maxUploadBytes() + " bytes");
                    }
                    try (InputStream in = p.getInputStream()) {
                        image = ImageInput.bytes(p.getSubmittedFileName(), in.readNBytes((int) p.getSize()));
                    }
                } else {
                    if (p.getSize() > ServerLimits.MAX_FORM_BYTES) {
                        throw new Refused(HttpStatus.CONTENT_TOO_LARGE,
                                "field \"" + abbreviate(name) + "\" larger than " + ServerLimits.MAX_FORM_BYTES + " bytes");
                    }
                    try (InputStream in = p.getInputStream()) {
                        fields.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException e) {
            throw refusal(e, limits);
        }
        if (image == null) {
            throw new GlimpseException("image: missing multipart field \"image\"");
        }
        return new UploadForm(image, fields, ctx);
    }

    ImageInput image() {
        return image;
    }

    String field(String name) {
        return fields.get(name);
    }

    /** A whole-number field from the form or, failing that, the query string. */
    int intField(String name, int dflt) {
        String v = fields.containsKey(name) ? fields.get(name) : ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new GlimpseException(name + ": not a whole number: " + abbreviate(v));
        }
    }

    /** What Jetty's multipart parser and input stream throw, as the answer the client gets. */
    static Refused refusal(Throwable e, ServerLimits limits) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BadMessageException bad) {
                HttpStatus status = HttpStatus.forStatus(bad.getCode());
                return new Refused(status == HttpStatus.UNKNOWN ? HttpStatus.BAD_REQUEST : status,
                        "request body refused: " + oneLine(bad.getReason()));
            }
            if (t instanceof EofException) {
                return new Refused(HttpStatus.BAD_REQUEST, "request body cut off before its end");
            }
        }
        String m = oneLine(e.getMessage());
        String lower = m.toLowerCase();
        if (lower.contains("exceeds max") || lower.contains("maxrequestsize") || lower.contains("max filesize")
                || lower.contains("larger than max")) {
            return new Refused(HttpStatus.CONTENT_TOO_LARGE, "upload larger than " + limits.maxUploadBytes() + " bytes");
        }
        if (lower.contains("too many") || lower.contains("keys")) {
            return new Refused(HttpStatus.CONTENT_TOO_LARGE, "more than " + ServerLimits.MAX_PARTS + " multipart parts");
        }
        if (lower.contains("timeout") || lower.contains("idle")) {
            return new Refused(HttpStatus.REQUEST_TIMEOUT, "request body arrived too slowly: " + m);
        }
        return new Refused(HttpStatus.BAD_REQUEST, "malformed multipart body: " + m);
    }

    private static String oneLine(String s) {
        if (s == null || s.isBlank()) {
            return "no detail";
        }
        return abbreviate(s.lines().findFirst().orElse("").strip());
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
