package dev.glimpse.datasets.scenes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code objects_<split>.json} (small: one short record per image) for attention checks. */
public final class SceneObjectsReader {
    private SceneObjectsReader() {}

    public static List<SceneImage> read(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var loc = e.getLocation();
            throw new GlimpseException(file + ": invalid JSON" + (loc == null ? "" : " at line " + loc.getLineNr()
                    + ", column " + loc.getColumnNr()), e);
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode images = root == null ? null : root.get("images");
        if (images == null || !images.isArray()) {
            throw new GlimpseException(file + ": missing array \"images\"");
        }
        List<SceneImage> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            String where = file + ": images[" + i + "]";
            JsonNode img = images.get(i);
            JsonNode objs = img.get("objects");
            if (objs == null || !objs.isArray()) {
                throw new GlimpseException(where + ": missing array \"objects\"");
            }
            List<SceneImage.Placed> placed = new ArrayList<>(objs.size());
            for (int k = 0; k < objs.size(); k++) {
                String ow = where + ".objects[" + k + "]";
                JsonNode o = objs.get(k);
                JsonNode box = o.get("bbox");
                if (box == null || !box.isArray() || box.size() != 4 || !allInts(box)) {
                    throw new GlimpseException(ow + ": field \"bbox\" must be [x, y, w, h] integers");
                }
                placed.add(new SceneImage.Placed(text(o, "shape", ow), text(o, "color", ow), box.get(0).intValue(),
                        box.get(1).intValue(), box.get(2).intValue(), box.get(3).intValue()));
            }
            out.add(new SceneImage(integer(img, "id", where), text(img, "file_name", where),
                    (int) integer(img, "width", where), (int) integer(img, "height", where),
                    text(img, "background", where), placed));
        }
        return out;
    }

    private static boolean allInts(JsonNode arr) {
        for (JsonNode v : arr) {
            if (!v.isIntegralNumber()) {
                return false;
            }
        }
        return true;
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new GlimpseException(where + ": field \"" + field + "\" must be a string");
        }
        return v.textValue();
    }

    private static long integer(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber()) {
            throw new GlimpseException(where + ": field \"" + field + "\" must be an integer");
        }
        return v.longValue();
    }
}
