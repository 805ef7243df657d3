package dev.glimpse.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.Json;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    @Test
    void learningRateSteps() {
        LearningRateSchedule s = new LearningRateSchedule.Step(1.0, 2, 3, 0.5);
        assertEquals(1.0, s.rate(0, 0, 0));
        assertEquals(1.0, s.rate(1, 1, 0));
        assertEquals(0.5, s.rate(2, 1, 0));
        assertEquals(0.5, s.rate(4, 0.5, 0));
        assertEquals(0.25, s.rate(5, 0.5, 0));
        assertEquals(3e-4, new LearningRateSchedule.Constant(3e-4).rate(100, 3e-4, 7));
    }

    @Test
    void plateauDecaysAfterPatienceEpochsWithoutImprovement() {
        LearningRateSchedule p = new LearningRateSchedule.Plateau(0.1, 2, 0.5);
        assertEquals(0.1, p.rate(0, 0, 0));
        assertEquals(0.1, p.rate(1, 0.1, 1));
        assertEquals(0.05, p.rate(2, 0.1, 2), 1e-12);
        assertEquals(0.05, p.rate(3, 0.05, 0), 1e-12);
    }

    @Test
    void namedOnTheCommandLineAndSavedAsTypedJson() throws Exception {
        LearningRateSchedule s = LearningRateSchedule.of("step", 4e-4, 3, 3, 0.8, 2);
        assertEquals(new LearningRateSchedule.Step(4e-4, 3, 3, 0.8), s);
        String json = Json.MAPPER.writeValueAsString(s);
        assertEquals(s, Json.MAPPER.readValue(json, LearningRateSchedule.class));
        assertThrows(GlimpseException.class, () -> LearningRateSchedule.of("cosine", 1e-3, 0, 1, 0.5, 1));
        assertThrows(GlimpseException.class, () -> new LearningRateSchedule.Step(1e-3, 0, 0, 0.5));
    }
}
