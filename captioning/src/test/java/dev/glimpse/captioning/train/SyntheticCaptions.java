package dev.glimpse.captioning.train;

import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.text.Tokenizer;
import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.common.train.DatasetFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A captioning task small enough for unit tests: each image holds one object (a colour and a
 * shape) in one cell of a 2x2 grid. Only that grid cell's features say what the object is; the
 * pooled vector and the other cells are noise, so a model must attend to the right cell.
 */
final class SyntheticCaptions {
    static final String[] COLOURS = {"red", "green", "blue", "yellow"};
    static final String[] SHAPES = {"circle", "square", "triangle"};
    static final int GRID = 2;
    static final int DIM = 8;

    record Scene(long id, int colour, int shape, int cell) {}

    final List<Scene> train = new ArrayList<>();
    final List<Scene> val = new ArrayList<>();
    final Map<Long, Scene> byId = new LinkedHashMap<>();

    SyntheticCaptions(int trainImages, int valImages, long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < trainImages + valImages; i++) {
            Scene s = new Scene(1000 + i, r.nextInt(COLOURS.length), r.nextInt(SHAPES.length), r.nextInt(GRID * GRID));
            (i < trainImages ? train : val).add(s);
            byId.put(s.id(), s);
        }
    }

    static List<String> captions(Scene s) {
        String c = COLOURS[s.colour()], sh = SHAPES[s.shape()];
        return List.of("A " + c + " " + sh + ".", "There is a " + c + " " + sh + " here", "a " + sh + " that is " + c);
    }

    CaptionDataset dataset(Path sourceFile) {
        List<List<String>> words = new ArrayList<>();
        for (Scene s : train) {
            for (String c : captions(s)) {
                words.add(Tokenizer.words(c));
            }
        }
        Vocabulary v = Vocabulary.build(words, 1);
        List<CaptionDataset.Sample> tr = samples(train, v);
        List<CaptionDataset.Sample> va = samples(val, v);
        Map<Long, List<String>> refs = new LinkedHashMap<>();
        for (Scene s : val) {
            refs.put(s.id(), captions(s));
        }
        Map<Long, Path> files = new LinkedHashMap<>();
        for (Scene s : byId.values()) {
            files.put(s.id(), Path.of("scene-" + s.id() + ".png"));
        }
        return new CaptionDataset(v, tr, va, refs, files, List.of(DatasetFile.of("synthetic", sourceFile)));
    }

    private static List<CaptionDataset.Sample> samples(List<Scene> scenes, Vocabulary v) {
        List<CaptionDataset.Sample> out = new ArrayList<>();
        for (Scene s : scenes) {
            for (String c : captions(s)) {
                List<String> w = Tokenizer.words(c);
                int[] t = new int[w.size() + 2];
                t[0] = Vocabulary.START;
                for (int i = 0; i < w.size(); i++) {
                    t[i + 1] = v.id(w.get(i));
                }
                t[t.length - 1] = Vocabulary.END;
                out.add(new CaptionDataset.Sample(s.id(), t));
            }
        }
        return out;
    }

    static EncoderInfo encoderInfo(String name) {
        return new EncoderInfo(name, DIM, GRID, GRID, DIM, PreprocessSpec.plainRgb(32), true,
                "random-init seed=1", null, "grid", "mean(grid)", "none");
    }

    /** Features as a cache would serve them; noise is a fixed function of the image id. */
    final class Features implements FeatureSource {
        final EncoderInfo info;
        int pooledCalls;

        Features(String name) {
            this.info = encoderInfo(name);
        }

        @Override
        public EncoderInfo info() {
            return info;
        }

        @Override
        public boolean contains(long id) {
            return byId.containsKey(id);
        }

        @Override
        public INDArray pooled(long[] ids) {
            pooledCalls++;
            float[][] out = new float[ids.length][DIM];
            for (int i = 0; i < ids.length; i++) {
                Random r = new Random(ids[i] * 31);
                for (int d = 0; d < DIM; d++) {
                    out[i][d] = (float) r.nextGaussian() * 0.5f;
                }
            }
            return Nd4j.createFromArray(out); // [B, F]
        }

        @Override
        public INDArray grid(long[] ids) {
            float[][][] out = new float[ids.length][GRID * GRID][DIM];
            for (int i = 0; i < ids.length; i++) {
                Scene s = byId.get(ids[i]);
                Random r = new Random(ids[i] * 17);
                for (int cell = 0; cell < GRID * GRID; cell++) {
                    for (int d = 0; d < DIM; d++) {
                        out[i][cell][d] = (float) r.nextGaussian() * 0.1f;
                    }
                }
                out[i][s.cell()][s.colour()] += 2f;
                out[i][s.cell()][COLOURS.length + s.shape()] += 2f;
                out[i][s.cell()][DIM - 1] += 2f; // "something is here"
            }
            return Nd4j.createFromArray(out); // [B, R, C]
        }
    }
}
