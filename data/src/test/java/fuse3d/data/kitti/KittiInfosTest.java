package fuse3d.data.kitti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Infos and the GT database on a hand-built frame whose counts are known (no real data needed). */
class KittiInfosTest {
    @TempDir
    Path root;

    @Test
    void infosAndDatabaseOfAKnownFrame() throws Exception {
        Path tr = root.resolve("training");
        Files.createDirectories(tr.resolve("calib"));
        Files.writeString(tr.resolve("calib/000007.txt"), KittiFormatsTest.CALIB);
        KittiCalibration calib = KittiCalibFiles.read(tr.resolve("calib/000007.txt"));
        KittiObject car = KittiObject.label("Car", 0, 0, -1.6, new double[] {580, 170, 660, 230}, new double[] {1.5, 1.6, 4.0},
                new double[] {0.5, 1.7, 20}, 0.1);
        KittiObject dc = KittiObject.label("DontCare", -1, -1, -10, new double[] {10, 10, 50, 50}, new double[] {-1, -1, -1},
                new double[] {-1000, -1000, -1000}, -10);
        KittiLabels.write(tr.resolve("label_2/000007.txt"), List.of(car, dc));
        KittiImages.writeRgb(tr.resolve("image_2/000007.png"), new KittiImages.RgbImage(1242, 375, new byte[1242 * 375 * 3]));
        KittiSplits.write(root.resolve("ImageSets/train.txt"), List.of("000007"));
        // 50 points inside the car's LiDAR box (shrunk by 5 cm so that none sits on a face) and 30 well outside it
        double[] box = calib.boxesCameraToLidar(Tensor.of(car.cameraBox(), 1, 7)).toDoubleArray();
        Random r = new Random(7);
        float[] pts = new float[80 * 4];
        for (int i = 0; i < 80; i++) {
            double lx = (r.nextDouble() - 0.5) * (box[3] - 0.1), ly = (r.nextDouble() - 0.5) * (box[4] - 0.1), lz = (r.nextDouble() - 0.5) * (box[5] - 0.1);
            if (i >= 50) lx += box[3] + 1;
            double c = Math.cos(box[6]), s = Math.sin(box[6]);
            pts[i * 4] = (float) (box[0] + c * lx - s * ly);
            pts[i * 4 + 1] = (float) (box[1] + s * lx + c * ly);
            pts[i * 4 + 2] = (float) (box[2] + lz);
            pts[i * 4 + 3] = i / 80f;
        }
        KittiLidar.write(tr.resolve("velodyne/000007.bin"), Tensor.ofFloats(pts, 80, 4));

        KittiDataset ds = KittiDataset.open(root, "train");
        List<KittiInfo> infos = KittiInfos.create(ds);
        KittiInfo info = infos.get(0);
        assertEquals("000007", info.frameId());
        assertEquals(375, info.imageHeight());
        assertEquals(1242, info.imageWidth());
        KittiInfo.Annotations a = info.annos();
        assertArrayEquals(new int[] {50, -1}, a.numPointsInGt());
        assertArrayEquals(new int[] {0, -1}, a.index());
        assertArrayEquals(new double[] {4.0, 1.5, 1.6}, a.dimensions()[0]);
        assertArrayEquals(new double[] {-1, -1}, a.score());
        assertArrayEquals(new int[] {0, 0}, a.difficulty()); // 61 px tall, untruncated, visible: easy (DontCare's -1s pass the test too)
        assertArrayEquals(box, a.gtBoxesLidar()[0], 0);
        // heading = -(ry + pi/2) and the centre raised by h / 2 (OpenPCDet's boxes3d_kitti_camera_to_lidar)
        assertEquals(-(0.1 + Math.PI / 2), box[6], 1e-12);

        Path file = root.resolve("kitti_infos_train.json");
        KittiInfos.write(file, infos);
        assertTrue(KittiInfos.read(file).get(0).sameAs(info));

        Map<String, List<KittiGtDatabase.DbInfo>> db = KittiGtDatabase.create(ds, infos, Set.of("Car", "Pedestrian"));
        KittiGtDatabase.DbInfo d = db.get("Car").get(0);
        assertTrue(new KittiGtDatabase.DbInfo("Car", "gt_database/000007_Car_0.bin", "000007", 0, box, 50, 0, car.bbox(), -1).sameAs(d), d.toString());
        Tensor objPts = KittiGtDatabase.points(root, d);
        float[] o = objPts.toFloatArray();
        for (int i = 0; i < 50; i++) {
            // the first 50 points, moved by minus the centre, with their reflectance
            assertEquals((float) (pts[i * 4] - box[0]), o[i * 4], 0);
            assertEquals(pts[i * 4 + 3], o[i * 4 + 3], 0);
        }
        assertTrue(KittiGtDatabase.read(KittiGtDatabase.dbInfosPath(root, "train")).get("Car").get(0).sameAs(d));
    }
}
