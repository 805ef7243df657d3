package dev.glimpse.common.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class ChannelMomentsTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @Test
    void meanAndStdPerChannelAcrossBatchesWithConstantChannelsAtOne() {
        ChannelMoments m = new ChannelMoments(3)
                .add(Nd4j.create(new float[][] {{1, 10, 5}, {3, 10, 5}}))
                .add(Nd4j.create(new float[][] {{5, 10, 5}}));
        assertEquals(3, m.count());
        assertArrayEquals(new float[] {3, 10, 5}, m.mean(), 1e-6f);
        // population std of {1,3,5} = sqrt(8/3); constant channels report 1
        assertArrayEquals(new float[] {(float) Math.sqrt(8.0 / 3), 1f, 1f}, m.std(), 1e-6f);
    }
}
