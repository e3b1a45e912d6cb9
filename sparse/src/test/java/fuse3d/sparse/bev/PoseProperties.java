package fuse3d.sparse.bev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Laws of rigid transforms: inverse, associativity, quaternion round trips, frames through the global frame. */
class PoseProperties {
    @Provide
    Arbitrary<Pose> rigid() {
        Arbitrary<Double> q = Arbitraries.doubles().between(-1, 1);
        Arbitrary<Double> t = Arbitraries.doubles().between(-100, 100);
        return Combinators.combine(q, q, q, q, t, t, t).filter((w, x, y, z, a, b, c) -> w * w + x * x + y * y + z * z > 0.01)
                .as((w, x, y, z, a, b, c) -> Pose.fromQuaternion(new double[] {w, x, y, z}, new double[] {a, b, c}));
    }

    @Provide
    Arbitrary<double[]> point() {
        return Arbitraries.doubles().between(-80, 80).array(double[].class).ofSize(3);
    }

    @Property(tries = 200)
    void inverseUndoes(@ForAll("rigid") Pose p, @ForAll("point") double[] x) {
        assertTrue(p.isRigid(1e-9));
        double[] y = p.apply(x[0], x[1], x[2]);
        assertArrayEquals(x, p.inverse().apply(y[0], y[1], y[2]), 1e-9);
        assertEquals(0, p.then(p.inverse()).maxAbsDiff(Pose.identity()), 1e-12);
    }

    @Property(tries = 200)
    void thenIsAssociativeAndMatchesSequentialApplication(@ForAll("rigid") Pose a, @ForAll("rigid") Pose b, @ForAll("rigid") Pose c,
                                                          @ForAll("point") double[] x) {
        assertEquals(0, a.then(b).then(c).maxAbsDiff(a.then(b.then(c))), 1e-9);
        double[] ya = a.apply(x[0], x[1], x[2]);
        assertArrayEquals(b.apply(ya[0], ya[1], ya[2]), a.then(b).apply(x[0], x[1], x[2]), 1e-9);
    }

    @Property(tries = 200)
    void quaternionRoundTrip(@ForAll("rigid") Pose p) {
        Pose back = Pose.fromQuaternion(p.quaternion(), p.translationVector());
        assertEquals(0, back.maxAbsDiff(p), 1e-12);
        double[] q = p.quaternion();
        assertEquals(1, q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3], 1e-12);
        assertTrue(q[0] >= 0);
    }

    @Property(tries = 100)
    void sensorToSensorRoundTripsAndChains(@ForAll("rigid") Pose s1, @ForAll("rigid") Pose e1, @ForAll("rigid") Pose s2, @ForAll("rigid") Pose e2,
                                           @ForAll("rigid") Pose s3, @ForAll("rigid") Pose e3) {
        SensorPose a = new SensorPose(s1, e1), b = new SensorPose(s2, e2), c = new SensorPose(s3, e3);
        assertEquals(0, a.to(b).then(b.to(a)).maxAbsDiff(Pose.identity()), 1e-9);
        assertEquals(0, a.to(b).then(b.to(c)).maxAbsDiff(a.to(c)), 1e-8);
    }
}
