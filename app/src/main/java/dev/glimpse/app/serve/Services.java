package dev.glimpse.app.serve;

import dev.glimpse.app.service.CaptionService;
import dev.glimpse.app.service.VqaService;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The services the server answers with; either may be null (its endpoint then answers 404). The
 * server calls them from its one worker thread, so they need not be thread-safe. Closing closes both.
 */
public record Services(CaptionService captioner, VqaService vqa) implements AutoCloseable {
    /** GET /api/models. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (captioner != null) {
            m.put("captioner", captioner.describe());
        }
        if (vqa != null) {
            m.put("vqa", vqa.describe());
        }
        return m;
    }

    @Override
    public void close() {
        try {
            if (captioner != null) {
                captioner.close();
            }
        } finally {
            if (vqa != null) {
                vqa.close();
            }
        }
    }
}
