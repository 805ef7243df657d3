package dev.glimpse.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads VQA v1/v2 files: questions {@code questions[{image_id, question, question_id}]} and
 * annotations {@code annotations[{question_id, image_id, question_type, answer_type,
 * multiple_choice_answer, answers[{answer, ...}]}]}, joined by {@code question_id}. Every
 * question needs exactly one annotation and vice versa, with the same image id. The annotations
 * file may be null (test splits): then answers are empty.
 *
 * <p>VQA files do not name image files. Either the caller passes the names (for example from the
 * COCO captions file of the same images), or the reader looks for the usual COCO names under the
 * image root: {@code COCO_<data_subtype>_%012d.jpg} (VQA on COCO 2014), {@code %012d.jpg}
 * (COCO 2017) and {@code %012d.png} (our synthetic scenes), taking the first that exists.
 */
public final class VqaReader {
    private VqaReader() {}

    public static VqaCorpus read(Path questions, Path annotations, Path imageRoot) {
        return read(questions, annotations, imageRoot, null, ReadOptions.DEFAULT);
    }

    public static VqaCorpus read(Path questions, Path annotations, Path imageRoot, ReadOptions options) {
        return read(questions, annotations, imageRoot, null, options);
    }

    /**
     * @param imageFiles image id -> file name relative to {@code imageRoot}, or null to use the
     *                   COCO naming conventions; a question about an id not in the map is an error
     */
    public static VqaCorpus read(Path questions, Path annotations, Path imageRoot, Map<Long, String> imageFiles,
                                 ReadOptions options) {
        return read(questions, annotations, imageRoot, imageFiles, options, null);
    }

    /**
     * @param exists which conventional file name (relative to the image root) exists; null = look in
     *               the local image root (the Spark listing asks its cluster file system instead)
     */
    public static VqaCorpus read(Path questions, Path annotations, Path imageRoot, Map<Long, String> imageFiles,
                                 ReadOptions options, Predicate<String> exists) {
        ImageFiles files = new ImageFiles(imageRoot, options);
        List<long[]> ids = new ArrayList<>(); // {questionId, imageId}
        List<String> texts = new ArrayList<>();
        Map<Long, Integer> byQuestionId = new HashMap<>();
        String qname = questions.toString();
        JsonRecords qreader = new JsonRecords(questions).onArray("questions", (i, rec, where) -> {
            Fields.object(rec, where);
            long qid = Fields.id(rec, "question_id", where);
            long imageId = Fields.id(rec, "image_id", where);
            String text = Fields.text(rec, "question", where);
            Integer prev = byQuestionId.putIfAbsent(qid, i);
            if (prev != null) {
                throw new GlimpseException(where + ": duplicate question id " + qid + " (also questions[" + prev + "])");
            }
            ids.add(new long[] {qid, imageId});
            texts.add(text);
        });
        qreader.read();
        int n = ids.size();
        String[] answerType = new String[n];
        String[] questionType = new String[n];
        String[] multipleChoice = new String[n];
        List<List<String>> answers = new ArrayList<>(java.util.Collections.nCopies(n, List.of()));
        if (annotations != null) {
            String aname = annotations.toString();
            int[] annotatedBy = new int[n];
            java.util.Arrays.fill(annotatedBy, -1);
            new JsonRecords(annotations).onArray("annotations", (i, rec, where) -> {
                Fields.object(rec, where);
                long qid = Fields.id(rec, "question_id", where);
                long imageId = Fields.id(rec, "image_id", where);
                Integer q = byQuestionId.get(qid);
                if (q == null) {
                    throw new GlimpseException(where + ": annotation for question id " + qid + " which is not in " + qname);
                }
                if (annotatedBy[q] >= 0) {
                    throw new GlimpseException(where + ": duplicate annotation for question id " + qid
                            + " (also annotations[" + annotatedBy[q] + "])");
                }
                if (ids.get(q)[1] != imageId) {
                    throw new GlimpseException(where + ": image_id " + imageId + " differs from image_id "
                            + ids.get(q)[1] + " of question " + qid + " in " + qname);
                }
                annotatedBy[q] = i;
                answerType[q] = Fields.text(rec, "answer_type", where);
                questionType[q] = Fields.text(rec, "question_type", where);
                multipleChoice[q] = Fields.text(rec, "multiple_choice_answer", where);
                JsonNode arr = Fields.array(rec, "answers", where);
                if (arr.isEmpty()) {
                    throw new GlimpseException(where + ": field \"answers\" is empty");
                }
                List<String> list = new ArrayList<>(arr.size());
                for (int a = 0; a < arr.size(); a++) {
                    String aw = where + ".answers[" + a + "]";
                    list.add(Fields.text(Fields.object(arr.get(a), aw), "answer", aw));
                }
                answers.set(q, list);
            }).read();
            for (int q = 0; q < n; q++) {
                if (annotatedBy[q] < 0) {
                    throw new GlimpseException(qname + ": questions[" + q + "]: question id " + ids.get(q)[0]
                            + " has no annotation in " + aname);
                }
            }
        }
        JsonNode subtype = qreader.scalar("data_subtype");
        Map<Long, VqaImage> images = new LinkedHashMap<>();
        List<VqaQuestion> out = new ArrayList<>(n);
        for (int q = 0; q < n; q++) {
            long qid = ids.get(q)[0];
            long imageId = ids.get(q)[1];
            String where = qname + ": questions[" + q + "] (image_id " + imageId + ")";
            if (!images.containsKey(imageId)) {
                images.put(imageId, new VqaImage(imageId, imageFiles != null
                        ? named(imageFiles, imageId, files, where)
                        : conventional(imageId, subtype, files, where, exists)));
            }
            out.add(new VqaQuestion(qid, imageId, texts.get(q), answerType[q], questionType[q], multipleChoice[q],
                    answers.get(q)));
        }
        return new VqaCorpus(out, new ArrayList<>(images.values()), files.missing());
    }

    private static Path named(Map<Long, String> imageFiles, long imageId, ImageFiles files, String where) {
        String name = imageFiles.get(imageId);
        if (name == null) {
            throw new GlimpseException(where + ": question about unknown image id " + imageId);
        }
        return files.resolve(name, "image file of image_id " + imageId, where);
    }

    private static Path conventional(long imageId, JsonNode subtype, ImageFiles files, String where,
                                     Predicate<String> exists) {
        List<String> candidates = new ArrayList<>(4);
        for (String ext : new String[] {".jpg", ".png"}) {
            if (subtype != null && subtype.isTextual() && !subtype.textValue().isEmpty()) {
                candidates.add(String.format("COCO_%s_%012d%s", subtype.textValue(), imageId, ext));
            }
            candidates.add(String.format("%012d%s", imageId, ext));
        }
        for (String c : candidates) {
            Path inside = files.inside(c, "data_subtype", where);
            if (exists == null ? Files.isRegularFile(inside) : exists.test(c)) {
                return files.resolve(c, "data_subtype", where); // checks the real path, too
            }
        }
        return files.resolve(candidates.get(0), "data_subtype", where);
    }
}
