package dev.glimpse.datasets;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Streams the record arrays of a top-level JSON object ({@code "images": [...]}) one element at a
 * time, so a 90 MB COCO file never exists as one tree: only the current record does. Small scalar
 * top-level fields ({@code "dataset"}, {@code "data_subtype"}) are kept; other values are skipped.
 * Every failure becomes a one-line {@link GlimpseException} naming the file and, for syntax
 * errors, the line and column.
 */
final class JsonRecords {
    /** Receives one element of an array; {@code where} reads like {@code "f.json: images[3]"}. */
    @FunctionalInterface
    interface Handler {
        void accept(int index, JsonNode record, String where);
    }

    private final Path file;
    private final String name;
    private final Map<String, Handler> handlers = new LinkedHashMap<>();
    private final Map<String, JsonNode> scalars = new HashMap<>();

    JsonRecords(Path file) {
        this.file = file;
        this.name = file.toString();
    }

    /** Registers a required top-level array field. */
    JsonRecords onArray(String field, Handler handler) {
        handlers.put(field, handler);
        return this;
    }

    /** A top-level scalar seen while reading, or null. */
    JsonNode scalar(String field) {
        return scalars.get(field);
    }

    void read() {
        try (JsonParser p = Json.MAPPER.createParser(java.nio.file.Files.newInputStream(file))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new GlimpseException(name + ": top level must be a JSON object");
            }
            Map<String, Boolean> seen = new HashMap<>();
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                Handler handler = handlers.get(field);
                if (handler != null) {
                    if (value != JsonToken.START_ARRAY) {
                        throw new GlimpseException(name + ": field \"" + field + "\" must be an array, got "
                                + Fields.kind(value));
                    }
                    seen.put(field, true);
                    readArray(p, field, handler);
                } else if (value != null && value.isScalarValue()) {
                    scalars.put(field, p.readValueAsTree());
                } else {
                    p.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw new GlimpseException(name + ": unexpected end of file");
            }
            if (p.nextToken() != null) {
                throw new GlimpseException(name + ": unexpected content after the top-level object at "
                        + at(p.currentLocation()));
            }
            for (String field : handlers.keySet()) {
                if (!seen.containsKey(field)) {
                    throw new GlimpseException(name + ": missing field \"" + field + "\"");
                }
            }
        } catch (com.fasterxml.jackson.core.io.JsonEOFException e) {
            throw new GlimpseException(name + ": invalid JSON at " + at(e.getLocation())
                    + ": the file ends inside an array or object (truncated?)", e);
        } catch (JsonProcessingException e) {
            throw new GlimpseException(name + ": invalid JSON at " + at(e.getLocation()) + ": "
                    + firstLine(e.getOriginalMessage()), e);
        } catch (NoSuchFileException e) {
            throw new GlimpseException(name + ": file not found", e);
        } catch (IOException e) {
            throw new GlimpseException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    private void readArray(JsonParser p, String field, Handler handler) throws IOException {
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new GlimpseException(name + ": unexpected end of file inside \"" + field + "\"");
            }
            JsonNode record = p.readValueAsTree();
            handler.accept(index, record, name + ": " + field + "[" + index + "]");
            index++;
        }
    }

    private static String at(JsonLocation loc) {
        if (loc == null) {
            return "unknown position";
        }
        return "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed input";
        }
        String line = message.lines().findFirst().orElse("malformed input").strip();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
