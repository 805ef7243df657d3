package dev.glimpse.captioning.train;

import dev.glimpse.captioning.eval.EvaluationReport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.model.Caption;
import dev.glimpse.captioning.model.CaptionModel;
import dev.glimpse.captioning.model.Captioner;
import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.train.Checkpoints;
import dev.glimpse.common.train.EpochMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class CaptionTrainerTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @TempDir
    Path dir;

    static CaptionTrainingConfig.Builder tiny() {
        return CaptionTrainingConfig.defaults().toBuilder().epochs(10).batchSize(8).learningRate(1e-2)
                .schedule("none").dropout(0).patience(0).seed(7).checkpointEvery(0).minWordCount(1)
                .embedDim(16).hiddenDim(32).attentionDim(16).maxCaptionLength(10);
    }

    private Path sourceFile() throws IOException {
        Path f = dir.resolve("synthetic.txt");
        if (!Files.exists(f)) {
            Files.writeString(f, "synthetic scenes for tests\n");
        }
        return f;
    }

    private CaptionTrainer.Result train(SyntheticCaptions data, FeatureSource features, CaptionTrainingConfig cfg,
                                        Path out, boolean resume) throws IOException {
        StringWriter log = new StringWriter();
        return new CaptionTrainer(cfg, false).train(data.dataset(sourceFile()), features,
                Checkpoints.beside(out), resume,
                new PrintWriter(log, true));
    }

    /** One training run checked from every side (training is the expensive part). */
    @Test
    void learnsToNameTheObjectLooksAtItAndBeatsTheBlindBaseline() throws IOException {
        SyntheticCaptions data = new SyntheticCaptions(60, 12, 1);
        SyntheticCaptions.Features features = data.new Features("synthetic");
        Path out = dir.resolve("model.zip");
        CaptionTrainer.Result r = train(data, features, tiny().build(), out, false);

        List<EpochMetrics> h = r.history();
        assertEquals(10, h.size());
        assertTrue(h.get(9).trainLoss() < 0.6 * h.get(0).trainLoss(), "loss falls: " + h);
        assertTrue(r.bestCider() > 1.5, "CIDEr-D " + r.bestCider());
        assertTrue(Files.size(r.lossCurve()) > 1000);

        // The saved best model loads and captions the validation images from their features.
        CaptionModel model = CaptionModel.read(out);
        assertEquals("captioner", CaptionModel.KIND);
        long[] ids = data.val.stream().mapToLong(SyntheticCaptions.Scene::id).toArray();
        List<Caption> caps = Captioner.featuresOnly(model, out).caption(features, ids, DecodeOptions.greedy(12));
        int right = 0;
        double massOnObject = 0;
        int shapeWords = 0;
        for (int i = 0; i < ids.length; i++) {
            SyntheticCaptions.Scene s = data.val.get(i);
            Caption c = caps.get(i);
            if (c.tokens().contains(SyntheticCaptions.COLOURS[s.colour()])
                    && c.tokens().contains(SyntheticCaptions.SHAPES[s.shape()])) {
                right++;
            }
            int w = c.tokens().indexOf(SyntheticCaptions.SHAPES[s.shape()]);
            if (w >= 0) {
                massOnObject += c.attention()[w][s.cell()];
                shapeWords++;
            }
        }
        System.out.printf("synthetic: CIDEr-D %.3f, %d of %d right, attention on object %.2f%n", r.bestCider(),
                right, ids.length, massOnObject / Math.max(1, shapeWords));
        assertTrue(right >= 0.75 * ids.length, right + " of " + ids.length + " captions name colour and shape");
        assertTrue(shapeWords > 0 && massOnObject / shapeWords > 0.5,
                "attention on the object's cell for the shape word: " + massOnObject / Math.max(1, shapeWords));

        // The same training with every caption paired with a random other image's features.
        CaptionTrainer.Result blind = train(data, data.new Features("synthetic"), tiny().blind(true).build(),
                dir.resolve("blind.zip"), false);
        System.out.printf("synthetic: blind CIDEr-D %.3f%n", blind.bestCider());
        assertTrue(blind.bestCider() < 0.5 * r.bestCider(), "blind " + blind.bestCider() + " vs seeing " + r.bestCider());
    }

    /**
     * Self-critical epochs continuing a cross-entropy run (the --resume recipe) raise the validation CIDEr-D the
     * reward is made of, and a self-critical run interrupted mid-epoch resumes to the same numbers (its samples
     * are seeded by epoch and batch).
     */
    @Test
    void selfCriticalEpochsRaiseCiderAndResumeExactly() throws IOException {
        SyntheticCaptions data = new SyntheticCaptions(60, 12, 1);
        Path out = dir.resolve("scst.zip");
        CaptionTrainer.Result xe = train(data, data.new Features("synthetic"), tiny().epochs(2).build(), out, false);
        double before = xe.history().get(1).validation().get(EvaluationReport.CIDER_D);
        CaptionTrainingConfig sc = tiny().epochs(5).selfCriticalAfter(2).build();
        CaptionTrainer.Result r = train(data, data.new Features("synthetic"), sc, out, true);
        // The best self-critical epoch, not the last: sampled captions make the trajectory chaotic, so float
        // rounding moves single epochs (a change of the optimizer's rounding moved the last from 2.72 to 1.71,
        // the best from 2.72 to 1.93).
        double after = r.history().subList(2, 5).stream()
                .mapToDouble(m -> m.validation().get(EvaluationReport.CIDER_D)).max().orElseThrow();
        System.out.printf("synthetic: CIDEr-D %.3f after 2 cross-entropy epochs, then self-critical %s%n", before,
                r.history().subList(2, 5).stream().map(m -> String.format("%.3f", m.validation().get(EvaluationReport.CIDER_D))).toList());
        assertTrue(after > before + 0.1, "self-critical: CIDEr-D " + before + " -> best " + after);
        assertEquals(1e-3, r.history().get(4).validation().get("learningRate"), 1e-12, "a tenth of the schedule's rate");

        // Killed in its self-critical epoch (6 cross-entropy batches and 3 validation reads, then 5 of 8 image
        // batches; the last checkpoint after 4), resumed: the same losses and model as the uninterrupted run.
        SyntheticCaptions small = new SyntheticCaptions(16, 4, 2);
        CaptionTrainingConfig cfg = tiny().epochs(2).checkpointEvery(2).selfCriticalAfter(1).build();
        Path crashed = dir.resolve("scst-crash.zip");
        assertThrows(IllegalStateException.class,
                () -> train(small, new Crashing(small.new Features("synthetic"), 6 + 3 + 5), cfg, crashed, false));
        CaptionTrainer.Result resumed = train(small, small.new Features("synthetic"), cfg, crashed, true);
        CaptionTrainer.Result clean = train(small, small.new Features("synthetic"), cfg, dir.resolve("scst-clean.zip"), false);
        for (int e = 0; e < 2; e++) {
            assertEquals(clean.history().get(e).trainLoss(), resumed.history().get(e).trainLoss(), 1e-9, "epoch " + (e + 1));
            assertEquals(clean.history().get(e).validation().get("loss"), resumed.history().get(e).validation().get("loss"),
                    1e-9, "epoch " + (e + 1));
        }
        assertTrue(clean.history().get(1).trainLoss() != clean.history().get(0).trainLoss());
    }

    /** Features that fail after a number of batches, like a process killed mid-epoch. */
    static final class Crashing implements FeatureSource {
        final FeatureSource inner;
        int left;

        Crashing(FeatureSource inner, int batches) {
            this.inner = inner;
            this.left = batches;
        }

        @Override
        public EncoderInfo info() {
            return inner.info();
        }

        @Override
        public boolean contains(long id) {
            return inner.contains(id);
        }

        @Override
        public INDArray pooled(long[] ids) {
            if (left-- <= 0) {
                throw new IllegalStateException("simulated crash");
            }
            return inner.pooled(ids);
        }

        @Override
        public INDArray grid(long[] ids) {
            return inner.grid(ids);
        }
    }

    @Test
    void resumeAfterACrashMidEpochFinishesTheRun() throws IOException {
        SyntheticCaptions data = new SyntheticCaptions(16, 4, 2);
        CaptionTrainingConfig cfg = tiny().epochs(3).checkpointEvery(2).build();
        // 16 images x 3 captions / 8 = 6 batches per epoch (+ 2 validation loss + 1 decode): crash in epoch 2
        // after its batch 3, with the last checkpoint after its batch 2.
        Path out = dir.resolve("crash.zip");
        assertThrows(IllegalStateException.class,
                () -> train(data, new Crashing(data.new Features("synthetic"), 6 + 3 + 3), cfg, out, false));
        Checkpoints files = Checkpoints.beside(out);
        assertTrue(files.hasLatest());
        CaptionTrainer.Result resumed = train(data, data.new Features("synthetic"), cfg, out, true);
        Path straight = dir.resolve("straight.zip");
        CaptionTrainer.Result clean = train(data, data.new Features("synthetic"), cfg, straight, false);
        assertEquals(3, resumed.history().size());
        for (int e = 0; e < 3; e++) {
            assertEquals(e + 1, resumed.history().get(e).epoch());
            assertEquals(clean.history().get(e).iteration(), resumed.history().get(e).iteration(),
                    "same number of steps as an uninterrupted run");
            // Parameters, optimizer moments and data order are restored exactly (no dropout here),
            // so the interrupted run trains as the uninterrupted one did.
            assertEquals(clean.history().get(e).trainLoss(), resumed.history().get(e).trainLoss(),
                    1e-3 * clean.history().get(e).trainLoss(), "epoch " + (e + 1) + " loss");
        }
        // Resuming a finished run does nothing; a different architecture is refused by name.
        CaptionTrainer.Result again = train(data, data.new Features("synthetic"), cfg, out, true);
        assertEquals(3, again.history().size());
        GlimpseException e = assertThrows(GlimpseException.class,
                () -> train(data, data.new Features("synthetic"), tiny().epochs(3).checkpointEvery(2).hiddenDim(24).build(),
                        out, true));
        assertTrue(e.getMessage().contains("hiddenDim"), e.getMessage());
        GlimpseException f = assertThrows(GlimpseException.class,
                () -> train(data, data.new Features("other-encoder"), cfg, out, true));
        assertTrue(f.getMessage().contains("encoder.name"), f.getMessage());
    }

    @Test
    void resumeWithoutACheckpointSaysSo() {
        SyntheticCaptions data = new SyntheticCaptions(20, 4, 3);
        GlimpseException e = assertThrows(GlimpseException.class,
                () -> train(data, data.new Features("synthetic"), tiny().build(), dir.resolve("none.zip"), true));
        assertTrue(e.getMessage().contains("no checkpoint"), e.getMessage());
    }
}
