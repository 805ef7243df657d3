package dev.glimpse.app.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.FineTune;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The FT benchmark case at a tiny size: it trains, encoder included, on our own kernels. */
class FineTuneStepTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @Test
    void lossFallsAndTheEncoderLearnsOnOwnKernels() {
        int[][] captions = BenchCases.captions(4, 40, new SplittableRandom(3));
        try (FineTuneStep step = FineTuneStep.create(EncoderRequest.randomInit("resnet50", 2).withInputSize(64),
                FineTune.parse("last3"), new FineTuneStep.Decoder(40, 16, 16, 16), captions, 1e-5, 5.0, 5)) {
            assertTrue(step.ownKernels(), "ResNet-50 layer4 runs on ConvSuffix");
            assertTrue(step.splitShape()[2] == 1024 && step.info().gridDim() == 2048, "layer4: 1024 -> 2048 channels");
            INDArray before = step.encoderParams().flat().dup();
            double first = step.run();
            double last = first;
            for (int i = 0; i < 10; i++) {
                last = step.run();
            }
            // Adam moves all of layer4's 15M weights at once: at B=4 a rate of 1e-4 already makes the loss jump before it falls
            assertTrue(Double.isFinite(first) && last < 0.9 * first, "loss " + first + " -> " + last);
            double moved = step.encoderParams().flat().sub(before).norm2Number().doubleValue();
            assertTrue(moved > 0, "the encoder's parameters changed");
        }
    }
}
