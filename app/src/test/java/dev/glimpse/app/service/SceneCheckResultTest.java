package dev.glimpse.app.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SceneCheckResultTest {
    private static SceneCheckResult result(Double shape, Double colour) {
        return new SceneCheckResult("m.zip", "objects_val.json", "val", 4, 3, 4, 3,
                new SceneCheckResult.WordMass(shape, 3, 0.15), new SceneCheckResult.WordMass(colour, 4, 0.16), List.of());
    }

    @Test
    void summaryShowsTheUniformBaselineAndSaysWhenAttentionIsNotOnTheObject() {
        assertEquals("one-object scenes: colour+shape right 3/4 (75%); attention in the object's box: shape word 0.72"
                + " (uniform 0.15), colour word 0.07 (uniform 0.16, not on the object)", result(0.72, 0.07).summary());
    }

    @Test
    void aWordNeverGeneratedHasNoMass() {
        assertEquals("one-object scenes: colour+shape right 3/4 (75%); attention in the object's box: shape word n/a"
                + " (never generated), colour word 0.60 (uniform 0.16)", result(null, 0.6).summary());
    }

    @Test
    void theShapeIsNotLocalisedWhenItsMassIsNoBetterThanEven() {
        assertTrue(result(0.12, 0.71).shapeNotLocalised());
        assertTrue(result(0.15, 0.71).shapeNotLocalised());
        assertFalse(result(0.72, 0.07).shapeNotLocalised());
        assertFalse(result(null, 0.6).shapeNotLocalised(), "no shape word generated: nothing to judge");
    }
}
