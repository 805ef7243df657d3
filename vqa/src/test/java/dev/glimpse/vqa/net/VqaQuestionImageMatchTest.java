package dev.glimpse.vqa.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.nn.Adam;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * "Is there a red object?": the answer needs the question's colour word and the image together, the case the
 * quick-start scenes showed at chance with a unit-length image vector (57% overall, yes/no at chance; 71% with the
 * vector scaled to sqrt(F)). Image features are wide (512, like a CNN's pooled vector), with the colours present as
 * bumps among standardised noise. This toy is learned at either scale (the scenes' failure needs their mix of
 * question types to show), so it checks what the product fusion must learn, with the default scale.
 */
class VqaQuestionImageMatchTest {
    static final int F = 512;
    static final int COLORS = 8;
    static final int WORDS = COLORS + 3; // "is", "there", "object" after the colour words
    static final int YES = 0;

    @BeforeAll
    static void init() {
        Backend.init();
    }

    record Batch(INDArray images, int[][] questions, INDArray targets, boolean[] yes) {}

    /** Each image holds one or two colours; the question asks about a present or an absent one, half and half. */
    static Batch batch(SplittableRandom rng, int size) {
        float[][] img = new float[size][F];
        int[][] q = new int[size][];
        INDArray t = Nd4j.zeros(DataType.FLOAT, size, 2);
        boolean[] yes = new boolean[size];
        for (int b = 0; b < size; b++) {
            for (int d = 0; d < F; d++) {
                img[b][d] = (float) rng.nextGaussian();
            }
            int a = rng.nextInt(COLORS);
            int c = rng.nextBoolean() ? a : (a + 1 + rng.nextInt(COLORS - 1)) % COLORS;
            img[b][a] += 6;
            img[b][c] += 6;
            yes[b] = rng.nextBoolean();
            int asked = a;
            if (!yes[b]) {
                do {
                    asked = rng.nextInt(COLORS);
                } while (asked == a || asked == c);
            } else if (rng.nextBoolean()) {
                asked = c;
            }
            q[b] = new int[] {COLORS, COLORS + 1, asked, COLORS + 2};
            t.putScalar(b, yes[b] ? YES : 1 - YES, 1f);
        }
        return new Batch(Nd4j.createFromArray(img), q, t, yes);
    }

    static double trainedAccuracy(VqaNetConfig cfg) {
        VqaNet net = new VqaNet(cfg, 11);
        Adam adam = new Adam(net.params(), 3e-3);
        SplittableRandom rng = new SplittableRandom(3);
        for (int step = 0; step < 300; step++) {
            Batch b = batch(rng, 64);
            net.params().zeroGrad();
            net.trainStep(b.images(), b.questions(), b.targets(), false);
            net.params().clipGradNorm(10.0);
            adam.step();
        }
        Batch test = batch(new SplittableRandom(99), 400);
        INDArray p = net.predict(test.images(), test.questions());
        int right = 0;
        for (int b = 0; b < 400; b++) {
            boolean saysYes = p.getDouble(b, YES) > p.getDouble(b, 1 - YES);
            right += saysYes == test.yes()[b] ? 1 : 0;
        }
        return right / 4.0;
    }

    @Test
    void theProductFusionLearnsWhatTheQuestionAsksAboutTheImage() {
        double accuracy = trainedAccuracy(new VqaNetConfig(WORDS, 16, 32, 1, F, 64, 2, 0.0));
        System.out.printf("is-there accuracy: %.1f%% (chance 50)%n", accuracy);
        assertTrue(accuracy > 85, "accuracy " + accuracy);
    }
}
