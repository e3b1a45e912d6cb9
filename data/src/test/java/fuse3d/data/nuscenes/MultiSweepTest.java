package fuse3d.data.nuscenes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-sweep accumulation on the synthetic tables: static world points land on one spot, time lags, close points dropped. */
class MultiSweepTest {
    @TempDir
    Path dir;

    @Test
    void lidarSweepsAreEgoMotionCompensated() throws Exception {
        NuScenesTables t = SyntheticTables.write(dir);
        // sample2's key frame is reading 6; with 10 sweeps the chain goes back to reading 0 (7 readings in all)
        Tensor p = MultiSweep.lidar(t, dir, "sample2", 10);
        assertEquals(5, p.size(1));
        assertEquals(7 * 2, p.size(0)); // 2 world points per reading; the point 0.5 m from the sensor is dropped
        var ref = t.sensorPose(t.keyFrame("sample2", "LIDAR_TOP")).sensorToGlobal().inverse();
        float[] v = p.toFloatArray();
        for (int i = 0; i < p.size(0); i++) {
            int w = i % 2;
            double[] want = ref.apply(SyntheticTables.WORLD_POINTS[w][0], SyntheticTables.WORLD_POINTS[w][1], SyntheticTables.WORLD_POINTS[w][2]);
            for (int k = 0; k < 3; k++) assertEquals(want[k], v[i * 5 + k], 2e-3, "point " + i + " axis " + k);
            assertEquals(10 * (w + 1), v[i * 5 + 3]); // intensity kept, ring dropped
            int reading = 6 - i / 2;
            double lag = (6 - reading) * 500_000 / 3 * 1e-6; // readings every 166666 us (integer division as in the fixture)
            assertEquals((t.keyFrame("sample2", "LIDAR_TOP").timestamp() - t.sampleData("LIDAR_TOP-" + reading).timestamp()) * 1e-6, v[i * 5 + 4], 1e-6);
            assertEquals(lag, v[i * 5 + 4], 2e-6);
        }
        // fewer sweeps, and the chain stops at the first reading
        assertEquals(2 * 2, MultiSweep.lidar(t, dir, "sample2", 2).size(0));
        assertEquals(2, MultiSweep.lidar(t, dir, "sample0", 10).size(0));
    }

    @Test
    void radarSweepsIntoTheLidarFrame() throws Exception {
        NuScenesTables t = SyntheticTables.write(dir);
        Tensor p = MultiSweep.radar(t, dir, "sample1", "RADAR_FRONT", "LIDAR_TOP", 6, false);
        assertEquals(19, p.size(1));
        assertEquals(4, p.size(0)); // readings 3, 2, 1, 0; the invalid return of each is filtered out
        var ref = t.sensorPose(t.keyFrame("sample1", "LIDAR_TOP")).sensorToGlobal().inverse();
        double[] want = ref.apply(SyntheticTables.RADAR_WORLD_POINT[0], SyntheticTables.RADAR_WORLD_POINT[1], SyntheticTables.RADAR_WORLD_POINT[2]);
        float[] v = p.toFloatArray();
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < 3; k++) assertEquals(want[k], v[i * 19 + k], 2e-3);
            assertEquals(1.0f, v[i * 19 + 6]); // vx untouched without rotateVelocities
            // the radar key frame is 10 ms after the LiDAR key frame: a negative lag for it
            assertEquals((t.keyFrame("sample1", "LIDAR_TOP").timestamp() - t.sampleData("RADAR_FRONT-" + (3 - i)).timestamp()) * 1e-6, v[i * 19 + 18], 1e-6);
        }
        Tensor rot = MultiSweep.radar(t, dir, "sample1", "RADAR_FRONT", "LIDAR_TOP", 1, true);
        float[] rv = rot.toFloatArray();
        // the radar faces nearly along the ego's x axis and the LiDAR is turned 90 degrees: vx of the radar is -y of the LiDAR
        assertEquals(0.0, rv[6], 0.05);
        assertEquals(-1.0, rv[7], 0.05);
        assertEquals(1.0, Math.hypot(rv[6], rv[7]), 1e-5);
    }
}
