package dev.glimpse.datasets.scenes;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.AtomicFiles;
import dev.glimpse.common.io.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes an offline data set of synthetic scenes (coloured shapes on textured backgrounds) in the
 * layouts our readers and the standard tools expect:
 *
 * <pre>
 * out/images/train/000000000001.png ...        out/images/val/000001000001.png ...
 * out/captions_{train,val}.json                COCO captions: images[], annotations[] (5 per image)
 * out/vqa_questions_{train,val}.json           VQA v2 questions
 * out/vqa_annotations_{train,val}.json         VQA v2 annotations (10 answers each)
 * out/objects_{train,val}.json                 per image: background and objects (shape, color, bbox [x,y,w,h])
 * </pre>
 *
 * <p>Train image ids are 1..train and val ids 1,000,001..; file names are {@code %012d.png}
 * relative to {@code out/images/<split>}. Each image depends only on (seed, split, index), so
 * the same seed gives byte-identical files (and the val set does not change when the train size
 * does) while images are made in parallel. Every file is written to a temporary name and renamed;
 * the JSON files are written last with {@link AtomicFiles}, so an interrupted run never leaves a
 * half-written JSON or a JSON naming images that were not written. PNGs a previous, larger run
 * left behind in {@code out/images/<split>} are removed.
 */
public final class SceneGenerator {
    public static final int DEFAULT_SIZE = 128;
    public static final long VAL_ID_OFFSET = 1_000_000;
    private static final Pattern OUR_PNG = Pattern.compile("\\d{12}\\.png");

    private SceneGenerator() {}

    public static SceneSummary generate(Path out, int train, int val, long seed) {
        return generate(out, train, val, seed, DEFAULT_SIZE);
    }

    public static SceneSummary generate(Path out, int train, int val, long seed, int size) {
        if (train < 0 || val < 0 || train >= VAL_ID_OFFSET || val >= VAL_ID_OFFSET) {
            throw new GlimpseException("scene counts must be between 0 and " + (VAL_ID_OFFSET - 1) + ", got train="
                    + train + " val=" + val);
        }
        if (size < 32 || size > 1024) {
            throw new GlimpseException("scene size must be between 32 and 1024 pixels, got " + size);
        }
        long start = System.nanoTime();
        SceneSplit trainSplit = writeSplit(out, "train", train, seed, size);
        SceneSplit valSplit = writeSplit(out, "val", val, seed, size);
        return new SceneSummary(out, seed, size, trainSplit, valSplit, (System.nanoTime() - start) / 1_000_000);
    }

    /** A scene with its text, everything but the pixels. */
    record Described(Scene scene, List<String> captions, List<SceneQuestion> questions) {}

    /** Plans scene {@code index} of a split with its captions and questions, without drawing it. */
    static Described describe(String split, int index, long seed, int size) {
        long id = imageId(split, index);
        SplittableRandom rng = new SplittableRandom(mix(seed, id));
        // Separate streams, split in a fixed order, so a change to captions does not move the pixels.
        SplittableRandom planRng = rng.split();
        SplittableRandom captionRng = rng.split();
        SplittableRandom questionRng = rng.split();
        Scene scene = ScenePlanner.plan(id, split, String.format("%012d.png", id), size, planRng);
        return new Described(scene, CaptionTemplates.captions(scene, captionRng),
                QuestionTemplates.questions(scene, questionRng));
    }

    static long imageId(String split, int index) {
        return (split.equals("train") ? 0 : VAL_ID_OFFSET) + index + 1;
    }

    private static long mix(long seed, long id) {
        long z = seed * 0x9E3779B97F4A7C15L + id * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static SceneSplit writeSplit(Path out, String split, int count, long seed, int size) {
        Path imageDir = out.resolve("images").resolve(split);
        try {
            Files.createDirectories(imageDir);
            List<Described> scenes = IntStream.range(0, count).parallel()
                    .mapToObj(i -> {
                        Described d = describe(split, i, seed, size);
                        writePng(imageDir.resolve(d.scene().fileName()), SceneRenderer.render(d.scene(),
                                new SplittableRandom(mix(seed, d.scene().id()) ^ 0x5DEECE66DL)));
                        return d;
                    })
                    .toList();
            removeStale(imageDir, scenes);
            Path captions = out.resolve("captions_" + split + ".json");
            Path questions = out.resolve("vqa_questions_" + split + ".json");
            Path annotations = out.resolve("vqa_annotations_" + split + ".json");
            Path objects = out.resolve("objects_" + split + ".json");
            SceneJson.writeCaptions(captions, split, seed, size, scenes);
            SceneJson.writeQuestions(questions, split, seed, scenes);
            SceneJson.writeAnnotations(annotations, split, seed, scenes);
            SceneJson.writeObjects(objects, split, seed, size, scenes);
            int captionCount = scenes.stream().mapToInt(d -> d.captions().size()).sum();
            int questionCount = scenes.stream().mapToInt(d -> d.questions().size()).sum();
            return new SceneSplit(split, imageDir, captions, questions, annotations, objects, count, captionCount,
                    questionCount);
        } catch (IOException | UncheckedIOException e) {
            throw new GlimpseException(out + ": cannot write scenes: " + e.getMessage(), e);
        }
    }

    /** PNG bytes via a temp file and rename: cheap (no fsync per image) and never a half-written image. */
    private static void writePng(Path file, BufferedImage img) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
            ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
            // Fast deflate: the textured backgrounds barely compress, so higher levels cost ~50% more
            // time for a few percent of size.
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.9f);
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(stream);
                writer.write(null, new IIOImage(img, null, null), param);
            } finally {
                writer.dispose();
            }
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(tmp, bytes.toByteArray());
            AtomicFiles.move(tmp, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeStale(Path imageDir, List<Described> scenes) throws IOException {
        Set<String> keep = new HashSet<>();
        scenes.forEach(d -> keep.add(d.scene().fileName()));
        try (Stream<Path> files = Files.list(imageDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (OUR_PNG.matcher(name).matches() && !keep.contains(name)) {
                    Files.delete(f);
                }
            }
        }
    }

    static JsonGenerator generator(java.io.OutputStream out) throws IOException {
        // Compact: 100k scenes of pretty-printed JSON would be several times larger for no reader's benefit.
        JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out);
        g.setPrettyPrinter(null);
        // AtomicFiles flushes and fsyncs the stream after we return: the generator must not close it.
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        return g;
    }
}
