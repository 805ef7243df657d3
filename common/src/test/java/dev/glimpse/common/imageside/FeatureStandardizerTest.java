package dev.glimpse.common.imageside;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glimpse.common.Backend;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.image.PreprocessSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FeatureStandardizerTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    /** Image i has pooled features {2i - 1, 2, i}: i = 1..3 (image 2 asked twice must count once); grid {i, -i} in 2 regions. */
    static final FeatureSource THREE = new FeatureSource() {
        @Override
        public EncoderInfo info() {
            return new EncoderInfo("three", 3, 1, 2, 2, PreprocessSpec.plainRgb(8), true, "random-init seed=1", null,
                    "g", "p", "none");
        }

        @Override
        public boolean contains(long id) {
            return true;
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

        @Override
        public INDArray grid(long[] ids) {
            float[] out = new float[ids.length * 4];
            for (int i = 0; i < ids.length; i++) {
                out[4 * i] = ids[i];
                out[4 * i + 1] = -ids[i];
                out[4 * i + 2] = ids[i];
                out[4 * i + 3] = -ids[i];
            }
            return Nd4j.createFromArray(out).reshape(ids.length, 2, 2);
        }
    };

    @Test
    void centresAndScalesPerDimensionOverDistinctImages() {
        FeatureStandardizer s = FeatureStandardizer.fit(THREE, new long[] {1, 2, 2, 3}, true);
        // dimension 0: 1, 3, 5 -> mean 3, population std sqrt(8/3); dimension 1 constant -> std 1
        assertArrayEquals(new float[] {3f, 2f, 2f}, s.pooledMean(), 1e-6f);
        assertArrayEquals(new float[] {(float) Math.sqrt(8.0 / 3), 1f, (float) Math.sqrt(2.0 / 3)}, s.pooledStd(), 1e-6f);
        INDArray z = s.pooled(THREE.pooled(new long[] {3}));
        assertArrayEquals(new float[] {(float) (2 * Math.sqrt(3.0 / 8)), 0f, (float) Math.sqrt(3.0 / 2)},
                z.toFloatVector(), 1e-5f);
        // grid channels over every region of every image: channel 0 is 1, 2, 3 (each twice)
        assertArrayEquals(new float[] {2f, -2f}, s.gridMean(), 1e-6f);
        assertArrayEquals(new float[] {(float) Math.sqrt(2.0 / 3), (float) Math.sqrt(2.0 / 3)}, s.gridStd(), 1e-6f);
        INDArray g = s.grid(THREE.grid(new long[] {1})); // [1, 2, 2]
        assertEquals(-Math.sqrt(1.5), g.getDouble(0, 1, 0), 1e-5);
    }

    @Test
    void identityLeavesFeaturesAsTheyAre() {
        FeatureStandardizer id = FeatureStandardizer.identity(3, 2);
        assertArrayEquals(THREE.pooled(new long[] {2}).toFloatVector(), id.pooled(THREE.pooled(new long[] {2})).toFloatVector(), 0f);
    }
}
