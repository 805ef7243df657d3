package dev.glimpse.vqa.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the ground truth of a VQA v2 layout pair (questions + annotations JSON) for the
 * evaluator: only the fields scoring uses, each checked, errors naming file, record and field.
 */
public final class VqaGroundTruthFiles {
    private VqaGroundTruthFiles() {}

    /** The annotated questions in annotation-file order (the official evaluation order). */
    public static List<VqaGroundTruth> read(Path questionsFile, Path annotationsFile) {
        Set<Long> questionIds = questionIds(questionsFile);
        String name = annotationsFile.getFileName().toString();
        JsonNode anns = VqaResultsFile.readJson(annotationsFile).get("annotations");
        if (anns == null || !anns.isArray()) {
            throw new GlimpseException(name + ": missing array \"annotations\"");
        }
        List<VqaGroundTruth> out = new ArrayList<>(anns.size());
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < anns.size(); i++) {
            JsonNode a = anns.get(i);
            String where = name + ": annotations[" + i + "]";
            if (!a.isObject()) {
                throw new GlimpseException(where + ": expected an object");
            }
            long id = requireId(a, "question_id", where);
            if (!seen.add(id)) {
                throw new GlimpseException(where + ": duplicate question_id " + id);
            }
            if (!questionIds.contains(id)) {
                throw new GlimpseException(where + ": question_id " + id + " is not in "
                        + questionsFile.getFileName());
            }
            JsonNode answers = a.get("answers");
            if (answers == null || !answers.isArray() || answers.isEmpty()) {
                throw new GlimpseException(where + ": missing or empty array \"answers\"");
            }
            List<String> texts = new ArrayList<>(answers.size());
            for (int j = 0; j < answers.size(); j++) {
                JsonNode text = answers.get(j).get("answer");
                if (text == null || !text.isTextual()) {
                    throw new GlimpseException(where + ": answers[" + j + "]: missing string field \"answer\"");
                }
                texts.add(text.asText());
            }
            out.add(new VqaGroundTruth(id, requireText(a, "question_type", where),
                    requireText(a, "answer_type", where), texts));
        }
        return out;
    }

    private static Set<Long> questionIds(Path questionsFile) {
        String name = questionsFile.getFileName().toString();
        JsonNode qs = VqaResultsFile.readJson(questionsFile).get("questions");
        if (qs == null || !qs.isArray()) {
            throw new GlimpseException(name + ": missing array \"questions\"");
        }
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < qs.size(); i++) {
            ids.add(requireId(qs.get(i), "question_id", name + ": questions[" + i + "]"));
        }
        return ids;
    }

    static long requireId(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new GlimpseException(where + ": missing field \"" + field + "\"");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new GlimpseException(where + ": \"" + field + "\" must be an integer, got " + v);
        }
        return v.asLong();
    }

    private static String requireText(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new GlimpseException(where + ": missing string field \"" + field + "\"");
        }
        return v.asText();
    }
}
