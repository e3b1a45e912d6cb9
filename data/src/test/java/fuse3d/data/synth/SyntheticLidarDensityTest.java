package fuse3d.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Pins the synthetic LiDAR's density model (no real data needed): the return probability's known values and
 * monotonicity, the per-beam spread, and the point counts of a fixed car at fixed ranges, so that a change to the
 * model shows here and is re-tuned against {@link SyntheticLidarRealComparisonTest} on purpose, not by accident.
 */
class SyntheticLidarDensityTest {

    @Test
    void returnProbabilityKnownValues() {
        Lidar l = Lidar.hdl64e();
        double paint = Material.VEHICLE_PAINT.reflectivity, glass = Material.GLASS.reflectivity;
        for (int b = 0; b < l.beams(); b++) {
            // a car side facing the sensor at 10 m: nearly every ray returns (only the beam's dropout is lost)
            assertTrue(l.returnProbability(b, paint, 1, 10) > 0.96, "beam " + b);
            // nothing returns from a surface seen exactly edge-on or from a black one
            assertEquals(0, l.returnProbability(b, paint, 0, 10));
            assertEquals(0, l.returnProbability(b, 0, 1, 10));
            // dark glass fades with range long before paint does
            assertTrue(l.returnProbability(b, glass, 0.7, 40) < l.returnProbability(b, paint, 0.7, 40) - 0.3, "beam " + b);
        }
        // a mid-grey car side at 55 m keeps most, not all, of its returns; at 100 m it has lost a good part more
        double p55 = l.returnProbability(0, paint, 0.7, 55), p100 = l.returnProbability(0, paint, 0.7, 100);
        assertTrue(p55 > 0.8 && p55 < 0.98, "at 55 m " + p55);
        assertTrue(p100 < 0.75 && p100 < p55 - 0.2, "at 100 m " + p100);
        // the HDL-32E (70 m rated) needs a stronger echo than the HDL-64E (120 m)
        double mean64 = 0, mean32 = 0;
        for (int b = 0; b < 64; b++) mean64 += l.returnProbability(b, paint, 0.7, 55) / 64;
        for (int b = 0; b < 32; b++) mean32 += Lidar.hdl32e().returnProbability(b, paint, 0.7, 55) / 32;
        assertTrue(mean32 < mean64 - 0.05, "at 55 m: HDL-32E " + mean32 + ", HDL-64E " + mean64);
    }

    @Test
    void beamsDifferInGainAndDropout() {
        Lidar l = Lidar.hdl64e();
        double lo = 1, hi = 0;
        for (int b = 0; b < l.beams(); b++) {
            double p = l.returnProbability(b, Material.ASPHALT.reflectivity, 0.1, 25);
            lo = Math.min(lo, p);
            hi = Math.max(hi, p);
        }
        // the same weak echo is a coin toss for some lasers and a likely return for others
        assertTrue(hi - lo > 0.15, "return probabilities of a weak echo across beams: " + lo + " .. " + hi);
    }

    @Property(tries = 200)
    void returnProbabilityFallsWithRangeAndRisesWithEcho(@ForAll @IntRange(min = 0, max = 63) int beam,
                                                         @ForAll @DoubleRange(min = 0.01, max = 1) double reflectivity,
                                                         @ForAll @DoubleRange(min = 0.01, max = 1) double cos,
                                                         @ForAll @DoubleRange(min = 2, max = 119) double range) {
        Lidar l = Lidar.hdl64e();
        double p = l.returnProbability(beam, reflectivity, cos, range);
        assertTrue(p > 0 && p < 1);
        assertTrue(l.returnProbability(beam, reflectivity, cos, range + 1) <= p);
        assertTrue(l.returnProbability(beam, Math.min(1, reflectivity * 1.5), cos, range) >= p);
        assertTrue(l.returnProbability(beam, reflectivity, Math.min(1, cos * 1.5), range) >= p);
    }

    /** A 4.2 x 1.75 x 1.5 m car broadside at {@code range} metres (LiDAR 1.73 m above the road), its point count. */
    static int carBroadside(double range) {
        return SyntheticLidarRealComparisonTest.twin(Lidar.hdl64e(), ObjectClass.CAR, new double[] {range, 0, -1.73 + 0.75, 4.2, 1.75, 1.5, Math.PI / 2}, 7);
    }

    @Test
    void aBroadsideCarHasItsPinnedPointCounts() {
        double[] ranges = {10, 20, 40, 60};
        int[] pinned = PINNED;
        List<Integer> got = new ArrayList<>();
        for (double r : ranges) got.add(carBroadside(r));
        System.out.println("broadside car points at " + java.util.Arrays.toString(ranges) + " m: " + got);
        for (int i = 0; i < ranges.length; i++)
            assertEquals(pinned[i], got.get(i), Math.max(2, 0.05 * pinned[i]), "car at " + ranges[i] + " m (re-tune against the real frames before re-pinning)");
        for (int i = 1; i < ranges.length; i++) assertTrue(got.get(i) < got.get(i - 1), "fewer points farther away: " + got);
    }

    /** Recorded when the model was tuned (real/twin medians within 30 % on KITTI and nuScenes). */
    static final int[] PINNED = {2034, 480, 69, 24};

    @Test
    void everyReturnStillLiesOnASurfaceAndNearVisibleCarsKeepHundredsOfPoints() {
        int checked = 0;
        for (long s = 100; s < 103; s++) {
            SyntheticKitti.Frame f = SyntheticKitti.frame(s);
            double[] t = f.lidarToScene().translationVector();
            float[] p = f.scan().points();
            double bound = Lidar.hdl64e().noiseBound() + 2e-4;
            for (int i = 0; i < f.scan().size(); i += 11) {
                double d = f.scene().surfaceDistance(p[i * 4] + t[0], p[i * 4 + 1] + t[1], p[i * 4 + 2] + t[2]);
                assertTrue(d < bound, "point " + i + " lies " + d + " m from every surface");
            }
            int[] hits = new int[f.scene().objects().size()];
            for (int id : f.scan().objectIds()) if (id >= 0) hits[id]++;
            for (int j = 0; j < f.labels().size(); j++) {
                var o = f.labels().get(j);
                double range = Math.hypot(o.x(), o.z());
                if (!o.type().equals("Car") || o.occluded() != 0 || o.truncated() >= 0.1 || range < 10 || range > 20) continue;
                int n = hits[f.labelObjectIds()[j]];
                assertTrue(n >= 100 && n <= 5000, "a visible car at " + range + " m has " + n + " points");
                checked++;
            }
        }
        assertTrue(checked > 0, "no fully visible car at 10-20 m in these frames");
    }
}
