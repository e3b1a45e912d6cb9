package fuse3d.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.sparse.bev.Pose;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** Properties of the scene model and the LiDAR over random seeds. */
class SyntheticKittiProperties {

    @Property(tries = 8)
    void objectsDoNotOverlapAndEveryReturnLiesOnItsSurface(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        Scene scene = SceneGenerator.generate(seed);
        var ann = scene.annotated();
        assertTrue(ann.size() >= 8, "a street has at least the eight cars it asked for, got " + ann.size());
        for (int i = 0; i < ann.size(); i++)
            for (int j = i + 1; j < ann.size(); j++) {
                SceneObject a = ann.get(i), b = ann.get(j);
                assertTrue(Math.hypot(a.cx() - b.cx(), a.cy() - b.cy()) > a.footprintRadius() + b.footprintRadius(),
                        "objects " + a.id() + " and " + b.id() + " overlap");
            }
        Pose lidar = Pose.translation(0, 0, scene.groundHeight(0, 0) + SyntheticKitti.LIDAR_HEIGHT);
        Lidar.LidarScan scan = Lidar.hdl64e().scan(scene, lidar, seed);
        float[] p = scan.points();
        double bound = Lidar.hdl64e().noiseBound() + 2e-4;
        double[] t = lidar.translationVector();
        for (int i = 0; i < scan.size(); i += 7) { // every seventh point keeps the property fast
            double d = scene.surfaceDistance(p[i * 4] + t[0], p[i * 4 + 1] + t[1], p[i * 4 + 2] + t[2]);
            assertTrue(d < bound, "point " + i + " lies " + d + " m from every surface");
        }
    }

    @Property(tries = 5)
    void theSameSeedGivesTheSameSweep(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        Scene a = SceneGenerator.generate(seed), b = SceneGenerator.generate(seed);
        Pose lidar = Pose.translation(0, 0, 1.73);
        Lidar.LidarScan sa = Lidar.hdl64e().scan(a, lidar, seed), sb = Lidar.hdl64e().scan(b, lidar, seed);
        assertEquals(sa.size(), sb.size());
        assertTrue(java.util.Arrays.equals(sa.points(), sb.points()));
        assertTrue(java.util.Arrays.equals(sa.objectIds(), sb.objectIds()));
    }
}
