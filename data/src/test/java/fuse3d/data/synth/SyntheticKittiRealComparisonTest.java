package fuse3d.data.synth;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.kitti.KittiObject;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.SampleData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Point counts per object against range, synthetic against the six real KITTI frames (when the sample data is
 * present): printed for the report, with one loose property of the synthetic world (a car at 10-20 m, fully
 * visible, gets hundreds to a few thousand points).
 */
class SyntheticKittiRealComparisonTest {

    record Count(String type, double range, int occluded, double truncated, int points) {}

    static List<Count> counts(Tensor points, KittiCalibration calib, List<KittiObject> labels) {
        List<Count> out = new ArrayList<>();
        List<KittiObject> objs = labels.stream().filter(o -> !o.isDontCare()).toList();
        if (objs.isEmpty()) return out;
        double[] cam = new double[objs.size() * 7];
        for (int i = 0; i < objs.size(); i++) System.arraycopy(objs.get(i).cameraBox(), 0, cam, i * 7, 7);
        int[][] in = PointsInBoxes.pointsOfBoxes(points, calib.boxesCameraToLidar(Tensor.of(cam, objs.size(), 7)), 0f);
        for (int i = 0; i < objs.size(); i++) {
            KittiObject o = objs.get(i);
            out.add(new Count(o.type(), Math.hypot(o.x(), o.z()), o.occluded(), o.truncated(), in[i].length));
        }
        return out;
    }

    @Test
    void pointsPerObjectAgainstRange() throws Exception {
        List<Count> synth = new ArrayList<>();
        for (long s = 100; s < 106; s++) {
            SyntheticKitti.Frame f = SyntheticKitti.frame(s);
            synth.addAll(counts(f.points(), f.calib(), f.labels()));
        }
        System.out.println("synthetic KITTI: type range occluded truncated points");
        for (Count c : synth) System.out.printf("  synth %-10s %5.1f m occ %d trunc %.2f %5d%n", c.type(), c.range(), c.occluded(), c.truncated(), c.points());
        Optional<Path> real = SampleData.find("kitti/training/velodyne");
        if (real.isPresent()) {
            Path root = real.get().getParent().getParent();
            for (int i = 0; i <= 5; i++) {
                String id = String.format("%06d", i);
                Path tr = root.resolve("training");
                List<KittiObject> labels = fuse3d.data.kitti.KittiLabels.read(tr.resolve("label_2/" + id + ".txt"));
                Tensor pts = fuse3d.data.kitti.KittiLidar.read(tr.resolve("velodyne/" + id + ".bin"));
                KittiCalibration calib = fuse3d.data.kitti.KittiCalibFiles.read(tr.resolve("calib/" + id + ".txt"));
                System.out.printf("  real  frame %s: %d points%n", id, pts.size(0));
                for (Count c : counts(pts, calib, labels))
                    System.out.printf("  real  %-10s %5.1f m occ %d trunc %.2f %5d%n", c.type(), c.range(), c.occluded(), c.truncated(), c.points());
            }
        } else {
            System.out.println(SampleData.missing("kitti/training/velodyne") + " (the comparison prints the synthetic side only)");
        }
        List<Count> nearCars = synth.stream().filter(c -> c.type().equals("Car") && c.range() >= 10 && c.range() <= 20
                && c.occluded() == 0 && c.truncated() < 0.1).toList();
        assumeTrue(!nearCars.isEmpty(), "no fully visible car at 10-20 m in these six synthetic frames");
        for (Count c : nearCars)
            assertTrue(c.points() >= 100 && c.points() <= 5000, "a visible car at " + c.range() + " m has " + c.points() + " points");
    }
}
