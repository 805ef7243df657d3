package dev.glimpse.common.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.glimpse.common.Backend;
import dev.glimpse.common.encoder.EncoderInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class InMemoryFeaturesTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    /** Images 1..4 with feature {id, -id} in half precision (like a cache); counts the ids it was asked for. */
    static final class HalfSource implements FeatureSource {
        final List<Long> asked = new ArrayList<>();

        @Override
        public EncoderInfo info() {
            return new EncoderInfo("fake", 2, 1, 1, 2, null, true, "random-init seed=1", null, "g", "p", "none");
        }

        @Override
        public boolean contains(long id) {
            return id >= 1 && id <= 4;
        }

        @Override
        public INDArray pooled(long[] ids) {
            float[] out = new float[ids.length * 2];
            for (int i = 0; i < ids.length; i++) {
                asked.add(ids[i]);
                out[2 * i] = ids[i];
                out[2 * i + 1] = -ids[i];
            }
            return Nd4j.createFromArray(out).reshape(ids.length, 2).castTo(DataType.HALF);
        }

        @Override
        public INDArray grid(long[] ids) {
            throw new IllegalStateException("not asked for");
        }
    }

    @Test
    void extractEncodesEachImageOnceAndServesFloatRows() {
        HalfSource src = new HalfSource();
        InMemoryFeatures f = InMemoryFeatures.extract(src, new long[] {2, 4, 2, 2, 4}, 1, false, false);
        assertEquals(List.of(2L, 4L), src.asked);
        INDArray rows = f.pooled(new long[] {4, 2, 4});
        assertEquals(DataType.FLOAT, rows.dataType());
        assertArrayEquals(new float[] {4, -4, 2, -2, 4, -4}, rows.reshape(6).toFloatVector());
        assertEquals(List.of(2L, 4L), src.asked);
        assertThrows(IllegalArgumentException.class, () -> f.pooled(new long[] {3}));
    }
}
