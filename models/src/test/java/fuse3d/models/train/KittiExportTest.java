package fuse3d.models.train;

import fuse3d.data.kitti.KittiLabels;
import fuse3d.data.kitti.KittiObject;
import fuse3d.models.detect.Detections;
import fuse3d.models.detect.FrameInfo;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class KittiExportTest {
    /** LiDAR (x fwd, y left, z up) to camera (x right, y down, z fwd); a pinhole with f = 700, centre (600, 180). */
    static final KittiCalibration CALIB = KittiCalibration.of(
            new double[] {700, 0, 600, 0, 0, 700, 180, 0, 0, 0, 1, 0},
            new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1},
            new double[] {0, -1, 0, 0, 0, 0, -1, 0, 1, 0, 0, 0});
    static final FrameInfo FRAME = new FrameInfo("000042", CALIB, 375, 1242);
    static final List<String> CLASSES = List.of("Car", "Pedestrian", "Cyclist");

    static Detections one(double[] box, float score, int label) {
        float[] b = new float[7];
        for (int i = 0; i < 7; i++) b[i] = (float) box[i];
        return new Detections(Tensor.ofFloats(b, 1, 7), Tensor.ofFloats(new float[] {score}, 1), Tensor.ofInts(new int[] {label}, 1), null);
    }

    /** The 2D box of a LiDAR box by hand: its 8 corners through the pinhole, clipped to the 1242 x 375 image. */
    static double[] byHand(double[] b) {
        double x1 = 1e9, y1 = 1e9, x2 = -1e9, y2 = -1e9;
        for (int sx = -1; sx <= 1; sx += 2)
            for (int sy = -1; sy <= 1; sy += 2)
                for (int sz = -1; sz <= 1; sz += 2) {
                    double lx = sx * b[3] / 2, ly = sy * b[4] / 2;
                    double x = b[0] + lx * Math.cos(b[6]) - ly * Math.sin(b[6]);
                    double y = b[1] + lx * Math.sin(b[6]) + ly * Math.cos(b[6]);
                    double z = b[2] + sz * b[5] / 2;
                    double u = 700 * -y / x + 600, v = 700 * -z / x + 180;
                    x1 = Math.min(x1, u);
                    y1 = Math.min(y1, v);
                    x2 = Math.max(x2, u);
                    y2 = Math.max(y2, v);
                }
        return new double[] {clip(x1, 1241), clip(y1, 374), clip(x2, 1241), clip(y2, 374)};
    }

    static double clip(double v, double hi) { return Math.max(0, Math.min(hi, v)); }

    @Test
    void knownBoxGivesTheKnownLine(@TempDir Path dir) throws Exception {
        List<KittiObject> objs = KittiExport.toKitti(one(new double[] {10, 2, -1, 4, 2, 1.5, 0.3}, 0.875f, 1), FRAME, CLASSES);
        assertEquals(1, objs.size());
        assertEquals("Car -1 -1 -1.6734 386.2737 194.3370 562.1298 337.1761 1.5000 2.0000 4.0000 -2.0000 1.7500 10.0000 -1.8708 0.8750",
                KittiExport.line(objs.get(0)));
        KittiObject o = objs.get(0);
        assertEquals(-Math.atan2(-2, 10) + (-0.3 - Math.PI / 2), o.alpha(), 1e-6);
        Path f = KittiExport.write(dir, FRAME.frameId(), objs);
        assertEquals(dir.resolve("000042.txt"), f);
        List<KittiObject> back = KittiLabels.read(f);
        assertEquals(0.875, back.get(0).score(), 1e-9);
        assertEquals(4.0, back.get(0).length(), 1e-9);
        assertEquals("Pedestrian", KittiExport.toKitti(one(new double[] {10, 2, -1, 1, 1, 1, 0}, 0.5f, 2), FRAME, CLASSES).get(0).type());
    }

    @Test
    void bboxIsClippedToTheImage() {
        double[] box = {4, 4, -1, 4, 2, 1.5, -0.2}; // reaches past the left edge
        KittiObject o = KittiExport.toKitti(one(box, 1f, 1), FRAME, CLASSES).get(0);
        double[] want = byHand(box);
        assertEquals(0.0, want[0]);
        assertArrayEquals(want, o.bbox(), 1e-3);
    }

    @Test
    void badLabelAndEmptyDetections(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KittiExport.toKitti(one(new double[] {10, 2, -1, 1, 1, 1, 0}, 0.5f, 4), FRAME, CLASSES));
        assertTrue(e.getMessage().contains("class id 4"), e.getMessage());
        Detections none = new Detections(Tensor.zeros(0, 7), Tensor.zeros(0), Tensor.ofInts(new int[0], 0), null);
        assertTrue(KittiExport.toKitti(none, FRAME, CLASSES).isEmpty());
        assertEquals(0, Files.size(KittiExport.write(dir, "000001", List.of())));
    }
}
