package dev.glimpse.datasets.scenes;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.glimpse.common.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Streams the four JSON files of a split; field order is fixed so output is byte-stable. */
final class SceneJson {
    private static final String DESCRIPTION = "Glimpse synthetic scenes";

    private SceneJson() {}

    private static void info(JsonGenerator g, String split, long seed) throws IOException {
        g.writeObjectFieldStart("info");
        g.writeStringField("description", DESCRIPTION);
        g.writeStringField("split", split);
        g.writeNumberField("seed", seed);
        g.writeStringField("version", "1");
        g.writeEndObject();
    }

    static void writeCaptions(Path file, String split, long seed, int size, List<SceneGenerator.Described> scenes)
            throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = SceneGenerator.generator(out)) {
                g.writeStartObject();
                info(g, split, seed);
                g.writeArrayFieldStart("licenses");
                g.writeEndArray();
                g.writeArrayFieldStart("images");
                for (SceneGenerator.Described d : scenes) {
                    g.writeStartObject();
                    g.writeNumberField("id", d.scene().id());
                    g.writeStringField("file_name", d.scene().fileName());
                    g.writeNumberField("width", size);
                    g.writeNumberField("height", size);
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("annotations");
                for (SceneGenerator.Described d : scenes) {
                    for (int k = 0; k < d.captions().size(); k++) {
                        g.writeStartObject();
                        g.writeNumberField("id", d.scene().id() * 10 + k);
                        g.writeNumberField("image_id", d.scene().id());
                        g.writeStringField("caption", d.captions().get(k));
                        g.writeEndObject();
                    }
                }
                g.writeEndArray();
                g.writeStringField("type", "captions");
                g.writeEndObject();
            }
        });
    }

    static long questionId(long imageId, int k) {
        return imageId * 100 + k;
    }

    static void writeQuestions(Path file, String split, long seed, List<SceneGenerator.Described> scenes)
            throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = SceneGenerator.generator(out)) {
                g.writeStartObject();
                info(g, split, seed);
                g.writeStringField("task_type", "Open-Ended");
                g.writeStringField("data_type", "glimpse-scenes");
                g.writeStringField("data_subtype", split);
                g.writeArrayFieldStart("questions");
                for (SceneGenerator.Described d : scenes) {
                    for (int k = 0; k < d.questions().size(); k++) {
                        g.writeStartObject();
                        g.writeNumberField("image_id", d.scene().id());
                        g.writeStringField("question", d.questions().get(k).question());
                        g.writeNumberField("question_id", questionId(d.scene().id(), k));
                        g.writeEndObject();
                    }
                }
                g.writeEndArray();
                g.writeEndObject();
            }
        });
    }

    static void writeAnnotations(Path file, String split, long seed, List<SceneGenerator.Described> scenes)
            throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = SceneGenerator.generator(out)) {
                g.writeStartObject();
                info(g, split, seed);
                g.writeStringField("data_type", "glimpse-scenes");
                g.writeStringField("data_subtype", split);
                g.writeArrayFieldStart("annotations");
                for (SceneGenerator.Described d : scenes) {
                    for (int k = 0; k < d.questions().size(); k++) {
                        SceneQuestion q = d.questions().get(k);
                        g.writeStartObject();
                        g.writeStringField("question_type", q.questionType());
                        g.writeStringField("multiple_choice_answer", q.answer());
                        g.writeArrayFieldStart("answers");
                        for (int a = 0; a < q.answers().size(); a++) {
                            g.writeStartObject();
                            g.writeStringField("answer", q.answers().get(a));
                            g.writeStringField("answer_confidence", q.confidences().get(a));
                            g.writeNumberField("answer_id", a + 1);
                            g.writeEndObject();
                        }
                        g.writeEndArray();
                        g.writeNumberField("image_id", d.scene().id());
                        g.writeStringField("answer_type", q.answerType());
                        g.writeNumberField("question_id", questionId(d.scene().id(), k));
                        g.writeEndObject();
                    }
                }
                g.writeEndArray();
                g.writeEndObject();
            }
        });
    }

    static void writeObjects(Path file, String split, long seed, int size, List<SceneGenerator.Described> scenes)
            throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = SceneGenerator.generator(out)) {
                g.writeStartObject();
                info(g, split, seed);
                g.writeArrayFieldStart("images");
                for (SceneGenerator.Described d : scenes) {
                    Scene s = d.scene();
                    g.writeStartObject();
                    g.writeNumberField("id", s.id());
                    g.writeStringField("file_name", s.fileName());
                    g.writeNumberField("width", size);
                    g.writeNumberField("height", size);
                    g.writeStringField("background", s.background().word());
                    g.writeArrayFieldStart("objects");
                    for (SceneObject o : s.objects()) {
                        g.writeStartObject();
                        g.writeStringField("shape", o.shape().word());
                        g.writeStringField("color", o.color().word());
                        g.writeArrayFieldStart("bbox");
                        g.writeNumber(o.x());
                        g.writeNumber(o.y());
                        g.writeNumber(o.w());
                        g.writeNumber(o.h());
                        g.writeEndArray();
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
        });
    }
}
