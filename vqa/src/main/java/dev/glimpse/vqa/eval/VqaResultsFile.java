package dev.glimpse.vqa.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.AtomicFiles;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The VQA results file: a JSON array of {@code {"question_id": int, "answer": string}}, the
 * layout the official evaluation and the VQA servers take. Reading checks every record and
 * names the first bad one; a question id given twice is an error (the official loader would
 * silently keep the last).
 */
public final class VqaResultsFile {
    private VqaResultsFile() {}

    /** Question id -> answer, in file order. */
    public static Map<Long, String> read(Path file) {
        String name = file.getFileName().toString();
        JsonNode root = readJson(file);
        if (!root.isArray()) {
            throw new GlimpseException(name + ": expected a JSON array of {\"question_id\", \"answer\"} objects");
        }
        Map<Long, String> answers = new LinkedHashMap<>();
        Map<Long, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode item = root.get(i);
            String where = name + ": [" + i + "]";
            if (!item.isObject()) {
                throw new GlimpseException(where + ": expected an object with \"question_id\" and \"answer\"");
            }
            long id = VqaGroundTruthFiles.requireId(item, "question_id", where);
            JsonNode answer = item.get("answer");
            if (answer == null || answer.isNull()) {
                throw new GlimpseException(where + " (question_id " + id + "): missing field \"answer\"");
            }
            if (!answer.isTextual()) {
                throw new GlimpseException(where + " (question_id " + id + "): \"answer\" must be a string");
            }
            Integer earlier = firstIndex.putIfAbsent(id, i);
            if (earlier != null) {
                throw new GlimpseException(where + ": duplicate question_id " + id + " (first at [" + earlier + "])");
            }
            answers.put(id, answer.asText());
        }
        return answers;
    }

    /** Writes answers (question id -> answer, iteration order kept) atomically. */
    public static void write(Path file, Map<Long, String> answers) throws IOException {
        ArrayNode array = Json.MAPPER.createArrayNode();
        answers.forEach((id, answer) -> {
            ObjectNode o = array.addObject();
            o.put("question_id", id);
            o.put("answer", answer);
        });
        // bytes, not writeValue(out): Jackson would close the stream AtomicFiles still has to fsync
        byte[] bytes = Json.MAPPER.writeValueAsBytes(array);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    static JsonNode readJson(Path file) {
        String name = file.getFileName().toString();
        try (var in = Files.newInputStream(file)) {
            JsonNode root = Json.MAPPER.readTree(in);
            if (root == null || root.isMissingNode()) {
                throw new GlimpseException(name + ": empty file");
            }
            return root;
        } catch (NoSuchFileException e) {
            throw new GlimpseException(file + ": no such file");
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new GlimpseException(name + ": not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
