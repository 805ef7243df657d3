package dev.glimpse.datasets;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import java.util.ArrayList;
import java.util.List;

/** Typed access to the fields of one JSON record, failing with a message that names the record. */
final class Fields {
    private Fields() {}

    static JsonNode object(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new GlimpseException(where + ": expected an object, got " + kind(node));
        }
        return node;
    }

    static JsonNode required(JsonNode rec, String field, String where) {
        JsonNode v = rec.get(field);
        if (v == null || v.isNull()) {
            throw new GlimpseException(where + ": missing field \"" + field + "\"");
        }
        return v;
    }

    /** An integral number that fits a long; 3.0 and "3" are rejected so typos do not pass silently. */
    static long id(JsonNode rec, String field, String where) {
        JsonNode v = required(rec, field, where);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new GlimpseException(where + ": field \"" + field + "\" must be an integer, got " + kind(v));
        }
        return v.longValue();
    }

    static Long optionalId(JsonNode rec, String field, String where) {
        JsonNode v = rec.get(field);
        return v == null || v.isNull() ? null : id(rec, field, where);
    }

    static int optionalInt(JsonNode rec, String field, int absent, String where) {
        JsonNode v = rec.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new GlimpseException(where + ": field \"" + field + "\" must be an integer, got " + kind(v));
        }
        return v.intValue();
    }

    static String text(JsonNode rec, String field, String where) {
        JsonNode v = required(rec, field, where);
        if (!v.isTextual()) {
            throw new GlimpseException(where + ": field \"" + field + "\" must be a string, got " + kind(v));
        }
        return v.textValue();
    }

    static String optionalText(JsonNode rec, String field, String where) {
        JsonNode v = rec.get(field);
        return v == null || v.isNull() ? null : text(rec, field, where);
    }

    static JsonNode array(JsonNode rec, String field, String where) {
        JsonNode v = required(rec, field, where);
        if (!v.isArray()) {
            throw new GlimpseException(where + ": field \"" + field + "\" must be an array, got " + kind(v));
        }
        return v;
    }

    static List<String> strings(JsonNode rec, String field, String where) {
        JsonNode arr = array(rec, field, where);
        List<String> out = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            JsonNode v = arr.get(i);
            if (!v.isTextual()) {
                throw new GlimpseException(where + ": " + field + "[" + i + "] must be a string, got " + kind(v));
            }
            out.add(v.textValue());
        }
        return out;
    }

    static String kind(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isNumber()) {
            return v.isIntegralNumber() ? "integer " + v.asText() : "number " + v.asText();
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        return v.isArray() ? "array" : "object";
    }

    static String kind(JsonToken t) {
        if (t == null) {
            return "end of file";
        }
        return switch (t) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }
}
