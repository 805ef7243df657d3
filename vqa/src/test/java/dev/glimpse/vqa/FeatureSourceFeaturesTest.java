package dev.glimpse.vqa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.FeatureSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FeatureSourceFeaturesTest {
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
            throw new UnsupportedOperationException("VQA reads pooled features only");
        }
    }

    @Test
    void directReadsFloatRowsAndNamesMissingImages() {
        HalfSource src = new HalfSource();
        FeatureSourceFeatures f = FeatureSourceFeatures.direct(src, new long[] {1, 2, 3}, "feats");
        INDArray rows = f.pooled(new long[] {3, 1});
        assertEquals(DataType.FLOAT, rows.dataType());
        assertArrayEquals(new float[] {3, -3, 1, -1}, rows.reshape(4).toFloatVector());
        GlimpseException e = assertThrows(GlimpseException.class,
                () -> FeatureSourceFeatures.direct(src, new long[] {1, 7, 9}, "feats"));
        assertEquals("feats: 2 of 3 images have no features (first: image id 7); extract them first with glimpse features",
                e.getMessage());
    }

    @Test
    void precomputeEncodesEachImageOnce() {
        HalfSource src = new HalfSource();
        FeatureSourceFeatures f = FeatureSourceFeatures.precompute(src, new long[] {2, 4, 2, 2, 4}, 1, false);
        assertEquals(List.of(2L, 4L), src.asked);
        assertArrayEquals(new float[] {4, -4, 2, -2, 4, -4}, f.pooled(new long[] {4, 2, 4}).reshape(6).toFloatVector());
        assertEquals(List.of(2L, 4L), src.asked);
        assertThrows(GlimpseException.class, () -> f.pooled(new long[] {3}));
    }
}
