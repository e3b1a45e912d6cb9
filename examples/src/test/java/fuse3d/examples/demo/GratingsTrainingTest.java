package fuse3d.examples.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The training smoke test: a small CNN must learn the synthetic 10-class grating task. */
class GratingsTrainingTest {
    @Test
    void smallCnnLearnsTheGratingTaskToNinetyFivePercentHeldOut() {
        GratingsTraining.Result r = GratingsTraining.run(7, 2000, 1000, 50, 6, null);
        assertTrue(r.lastEpochLoss() < r.firstEpochLoss(), "training loss did not fall: " + r);
        assertTrue(r.accuracy() >= 0.95, "held-out accuracy " + r.accuracy() + " < 0.95: " + r);
    }

    @Test
    void sameSeedSameNumbers() {
        GratingsTraining.Result a = GratingsTraining.run(3, 200, 100, 50, 1, null);
        GratingsTraining.Result b = GratingsTraining.run(3, 200, 100, 50, 1, null);
        assertTrue(a.equals(b), a + " vs " + b);
    }
}
