package dev.glimpse.vqa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FeatureStandardizerTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    /** Image i has features {2i - 1, 2, i}: i = 1..3 (image 2 asked twice must count once). */
    static final ImageFeatures THREE = new ImageFeatures() {
        @Override
        public int dim() {
            return 3;
        }

        @Override
        public INDArray pooled(long[] ids) {
            float[] out = new float[ids.length * 3];
            for (int i = 0; i < ids.length; i++) {
                out[3 * i] = 2 * ids[i] - 1;
                out[3 * i + 1] = 2;
                out[3 * i + 2] = ids[i];
            }
            return Nd4j.createFromArray(out).reshape(ids.length, 3);
        }
    };

    @Test
    void centresAndScalesPerDimensionOverDistinctImages() {
        FeatureStandardizer s = FeatureStandardizer.fit(THREE, new long[] {1, 2, 2, 3}, 2);
        // dimension 0: 1, 3, 5 -> mean 3, population std sqrt(8/3); dimension 1 constant -> scale 1
        assertArrayEquals(new float[] {3f, 2f, 2f}, s.mean(), 1e-6f);
        assertArrayEquals(new float[] {(float) Math.sqrt(3.0 / 8), 1f, (float) Math.sqrt(3.0 / 2)}, s.scale(), 1e-6f);
        INDArray z = s.apply(THREE.pooled(new long[] {3}));
        assertArrayEquals(new float[] {(float) (2 * Math.sqrt(3.0 / 8)), 0f, (float) Math.sqrt(3.0 / 2)},
                z.toFloatVector(), 1e-5f);
    }
}
