package dev.glimpse.common.features;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The images a COCO captions file or a VQA questions file refers to, read with a streaming
 * parser (COCO train captions are ~90 MB; only ids and file names are kept).
 */
public final class ImageLists {
    private ImageLists() {}

    /** {@code images[].id} and {@code images[].file_name}, resolved against {@code imageRoot}. */
    public static List<ImageRef> fromCocoCaptions(Path json, Path imageRoot) {
        List<ImageRef> refs = new ArrayList<>();
        try (JsonParser p = open(json)) {
            if (!seekTopLevelArray(p, "images")) {
                throw new GlimpseException(json + ": no \"images\" array (expected a COCO captions file)");
            }
            int index = 0;
            while (p.nextToken() == JsonToken.START_OBJECT) {
                Long id = null;
                String fileName = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if (field.equals("id") && p.currentToken().isNumeric()) {
                        id = p.getLongValue();
                    } else if (field.equals("file_name") && p.currentToken() == JsonToken.VALUE_STRING) {
                        fileName = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
                if (id == null || fileName == null) {
                    throw new GlimpseException(json + ": images[" + index + "]: missing field \""
                            + (id == null ? "id" : "file_name") + "\"");
                }
                refs.add(new ImageRef(id, imageRoot.resolve(fileName)));
                index++;
            }
        } catch (IOException e) {
            throw new GlimpseException(json + ": not valid JSON: " + firstLine(e.getMessage()), e);
        }
        return refs;
    }

    /**
     * The distinct {@code questions[].image_id}; VQA files name no image files, so each id maps
     * to the first that exists of {@code COCO_<data_subtype>_%012d} and {@code %012d}, as .jpg
     * or .png (else the first candidate, reported missing when loaded).
     */
    public static List<ImageRef> fromVqaQuestions(Path json, Path imageRoot) {
        return fromVqaQuestions(json, imageRoot, Files::isRegularFile);
    }

    /**
     * As {@link #fromVqaQuestions(Path, Path)}, asking {@code isFile} which candidate exists (for
     * image folders that are not on the local file system, e.g. HDFS in the Spark module).
     */
    public static List<ImageRef> fromVqaQuestions(Path json, Path imageRoot, Predicate<Path> isFile) {
        Set<Long> ids = new LinkedHashSet<>();
        String subtype = null;
        try (JsonParser p = open(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new GlimpseException(json + ": expected a JSON object (a VQA questions file)");
            }
            boolean sawQuestions = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("data_subtype") && t == JsonToken.VALUE_STRING) {
                    subtype = p.getText();
                } else if (field.equals("questions") && t == JsonToken.START_ARRAY) {
                    sawQuestions = true;
                    int index = 0;
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        Long id = null;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            p.nextToken();
                            if (f.equals("image_id") && p.currentToken().isNumeric()) {
                                id = p.getLongValue();
                            } else {
                                p.skipChildren();
                            }
                        }
                        if (id == null) {
                            throw new GlimpseException(json + ": questions[" + index + "]: missing field \"image_id\"");
                        }
                        ids.add(id);
                        index++;
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (!sawQuestions) {
                throw new GlimpseException(json + ": no \"questions\" array (expected a VQA questions file)");
            }
        } catch (IOException e) {
            throw new GlimpseException(json + ": not valid JSON: " + firstLine(e.getMessage()), e);
        }
        List<ImageRef> refs = new ArrayList<>(ids.size());
        for (long id : ids) {
            refs.add(new ImageRef(id, vqaImageFile(imageRoot, subtype, id, isFile)));
        }
        return refs;
    }

    static Path vqaImageFile(Path root, String subtype, long id, Predicate<Path> isFile) {
        List<String> names = new ArrayList<>();
        for (String ext : new String[] {".jpg", ".png"}) {
            if (subtype != null) {
                names.add(String.format("COCO_%s_%012d%s", subtype, id, ext));
            }
            names.add(String.format("%012d%s", id, ext));
        }
        for (String n : names) {
            Path p = root.resolve(n);
            if (isFile.test(p)) {
                return p;
            }
        }
        return root.resolve(names.get(0));
    }

    private static JsonParser open(Path json) throws IOException {
        if (!Files.isRegularFile(json)) {
            throw new GlimpseException(json + ": file not found");
        }
        return Json.MAPPER.getFactory().createParser(json.toFile());
    }

    /** Moves the parser onto the START_ARRAY of a top-level field. */
    private static boolean seekTopLevelArray(JsonParser p, String name) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return false;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (field.equals(name) && t == JsonToken.START_ARRAY) {
                return true;
            }
            p.skipChildren();
        }
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
