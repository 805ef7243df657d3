package dev.glimpse.captioning.eval;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the two files coco-caption evaluates: a COCO captions file ({@code images} +
 * {@code annotations} with {@code image_id}, {@code caption}) as references, and a results file
 * ({@code [{"image_id", "caption"}]}) as candidates. Every error is one line naming the file and
 * the record.
 */
public final class CocoCaptionJson {
    private CocoCaptionJson() {}

    /**
     * Reference captions per image, images in the file's {@code images} order (the order
     * pycocotools scores them in), captions in {@code annotations} order. Images without captions
     * are kept with an empty list, so they count in "scored X of Y".
     */
    public static LinkedHashMap<Long, List<String>> readReferences(Path file) {
        JsonNode root = readTree(file);
        if (!root.isObject()) {
            throw new GlimpseException(file + ": expected a COCO captions object with \"images\" and \"annotations\"");
        }
        JsonNode images = array(file, root, "images");
        JsonNode annotations = array(file, root, "annotations");
        LinkedHashMap<Long, List<String>> refs = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
            String where = file + ": images[" + i + "]";
            long id = integer(where, object(where, images.get(i)), "id");
            if (refs.putIfAbsent(id, new ArrayList<>()) != null) {
                throw new GlimpseException(where + ": duplicate image id " + id);
            }
        }
        for (int i = 0; i < annotations.size(); i++) {
            String where = file + ": annotations[" + i + "]";
            JsonNode a = object(where, annotations.get(i));
            long imageId = integer(where, a, "image_id");
            String caption = text(where, a, "caption");
            List<String> captions = refs.get(imageId);
            if (captions == null) {
                throw new GlimpseException(where + ": image_id " + imageId + " is not in \"images\"");
            }
            captions.add(caption);
        }
        return refs;
    }

    /**
     * Candidate captions per image in file order. Each image may appear once: coco-caption's scorers
     * assert one candidate per image, so a duplicate is reported here with both positions.
     *
     * @param references the reference images, or null to skip the check that each result's image
     *     is one of them
     * @param referencesName how to name the references in that error
     */
    public static LinkedHashMap<Long, String> readResults(Path file, Map<Long, List<String>> references,
                                                          String referencesName) {
        JsonNode root = readTree(file);
        if (!root.isArray()) {
            throw new GlimpseException(file + ": expected a JSON array of {\"image_id\", \"caption\"} objects");
        }
        LinkedHashMap<Long, String> results = new LinkedHashMap<>();
        Map<Long, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < root.size(); i++) {
            String where = file + ": [" + i + "]";
            JsonNode r = object(where, root.get(i));
            long imageId = integer(where, r, "image_id");
            String caption = text(where, r, "caption");
            Integer first = firstIndex.putIfAbsent(imageId, i);
            if (first != null) {
                throw new GlimpseException(where + ": duplicate image_id " + imageId + " (first at [" + first
                        + "]); coco-caption scores exactly one caption per image");
            }
            if (references != null) {
                List<String> refs = references.get(imageId);
                if (refs == null) {
                    throw new GlimpseException(where + ": image_id " + imageId + " is not in the references "
                            + referencesName);
                }
                if (refs.isEmpty()) {
                    throw new GlimpseException(where + ": image_id " + imageId + " has no reference captions in "
                            + referencesName);
                }
            }
            results.put(imageId, caption);
        }
        if (results.isEmpty()) {
            throw new GlimpseException(file + ": no results to score (empty array)");
        }
        return results;
    }

    private static JsonNode readTree(Path file) {
        try (var in = Files.newInputStream(file)) {
            JsonNode root = Json.MAPPER.readTree(in);
            if (root == null || root.isMissingNode()) {
                throw new GlimpseException(file + ": empty file, expected JSON");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String at = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            String msg = e.getOriginalMessage();
            int nl = msg.indexOf('\n');
            throw new GlimpseException(file + ": invalid JSON" + at + ": " + (nl < 0 ? msg : msg.substring(0, nl)), e);
        } catch (NoSuchFileException e) {
            throw new GlimpseException(file + ": no such file", e);
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static JsonNode array(Path file, JsonNode root, String field) {
        JsonNode a = root.get(field);
        if (a == null) {
            throw new GlimpseException(file + ": missing field \"" + field + "\"");
        }
        if (!a.isArray()) {
            throw new GlimpseException(file + ": field \"" + field + "\" is not an array");
        }
        return a;
    }

    private static JsonNode object(String where, JsonNode n) {
        if (!n.isObject()) {
            throw new GlimpseException(where + ": expected an object");
        }
        return n;
    }

    private static long integer(String where, JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            throw new GlimpseException(where + ": missing field \"" + field + "\"");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new GlimpseException(where + ": field \"" + field + "\" must be an integer, got " + v);
        }
        return v.longValue();
    }

    private static String text(String where, JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            throw new GlimpseException(where + ": missing field \"" + field + "\"");
        }
        if (!v.isTextual()) {
            throw new GlimpseException(where + ": field \"" + field + "\" must be a string");
        }
        return v.textValue();
    }

    /** Writes results in the layout coco-caption reads, [{"image_id", "caption"}], atomically. */
    public static void writeResults(Path file, Map<Long, String> captions) throws java.io.IOException {
        com.fasterxml.jackson.databind.node.ArrayNode arr = dev.glimpse.common.io.Json.MAPPER.createArrayNode();
        captions.forEach((id, c) -> arr.addObject().put("image_id", id).put("caption", c));
        byte[] bytes = dev.glimpse.common.io.Json.MAPPER.writeValueAsBytes(arr);
        dev.glimpse.common.io.AtomicFiles.write(file, o -> o.write(bytes));
    }
}
