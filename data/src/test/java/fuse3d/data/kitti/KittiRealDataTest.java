package fuse3d.data.kitti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.SampleData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
/**
 * The six real KITTI frames of /work/shared/data/kitti (read in place, never copied into the project): they load,
 * every labelled 3D box projects onto its 2D box, LiDAR points fall inside the labelled boxes, and infos and a GT
 * database are built from them (in a temporary folder that links to the real files).
 */
class KittiRealDataTest {
    static Path root;

    @BeforeAll
    static void link(@TempDir Path tmp) throws Exception {
        root = SampleData.linkedKittiRoot(tmp).orElse(null);
        assumeTrue(root != null, SampleData.missing("kitti/training/velodyne"));
    }

    @Test
    void framesLoad() throws Exception {
        KittiDataset ds = KittiDataset.open(root, "train");
        assertEquals(List.of("000000", "000001", "000002", "000003", "000004", "000005"), ds.ids());
        Tensor p = ds.points("000000");
        assertArrayEquals(new int[] {115384, 4}, p.shape());
        assertArrayEquals(new int[] {370, 1224}, ds.imageShape("000000"));
        assertArrayEquals(new int[] {375, 1242}, ds.imageShape("000001"));
        assertEquals(1242 * 375 * 3, ds.image("000001").rgb().length);
        assertEquals(7, ds.labels("000001").size());
        assertEquals(4, ds.labels("000001").stream().filter(KittiObject::isDontCare).count());
        assertEquals(null, ds.plane("000000"));
        for (String id : ds.ids()) {
            // labels and calibration survive a write-read round trip (calibration byte for byte)
            Path out = Files.createTempDirectory(root, "rt");
            KittiLabels.write(out.resolve("l.txt"), ds.labels(id));
            assertEquals(ds.labels(id), KittiLabels.read(out.resolve("l.txt")));
            KittiCalibFiles.write(out.resolve("c.txt"), ds.calib(id));
            assertEquals(Files.readString(ds.calibPath(id)).strip(), Files.readString(out.resolve("c.txt")).strip());
        }
    }

    @Test
    void labelsProjectOntoTheir2dBoxes() throws Exception {
        KittiDataset ds = KittiDataset.open(root, "train");
        int checked = 0;
        for (String id : ds.ids()) {
            KittiCalibration calib = ds.calib(id);
            int[] shape = ds.imageShape(id);
            for (KittiObject o : ds.labels(id)) {
                if (o.isDontCare()) continue;
                double[] box = calib.boxesCameraToImageBoxes(Tensor.of(o.cameraBox(), 1, 7), shape).toDoubleArray();
                double[] label = o.bbox();
                for (int k = 0; k < 4; k++)
                    assertEquals(label[k], box[k], 12, id + " " + o.type() + " coordinate " + k + ": projected " + box[k] + " vs label " + label[k]);
                checked++;
            }
        }
        assertEquals(10, checked);
    }

    @Test
    void infosCountThePointsInTheBoxesAndTheDatabaseHoldsThem() throws Exception {
        KittiDataset ds = KittiDataset.open(root, "train");
        List<KittiInfo> infos = KittiInfos.create(ds);
        assertEquals(6, infos.size());
        KittiInfo i1 = infos.get(1);
        assertEquals(List.of("Truck", "Car", "Cyclist", "DontCare", "DontCare", "DontCare", "DontCare"), i1.annos().name());
        assertArrayEquals(new int[] {0, 1, 2, -1, -1, -1, -1}, i1.annos().index());
        assertEquals(3, i1.annos().numObjects());
        assertEquals(-1, i1.annos().numPointsInGt()[3]);
        assertEquals(-1.0, i1.annos().score()[0]);
        for (KittiInfo info : infos)
            for (int k = 0; k < info.annos().numObjects(); k++)
                assertTrue(info.annos().numPointsInGt()[k] > 0, info.frameId() + " " + info.annos().name().get(k) + " has no points");
        // the README's counts (numpy, all points in the box in the camera frame): 000000 Pedestrian 376, 000003 Car 680
        assertEquals(376, infos.get(0).annos().numPointsInGt()[0], 4);
        assertEquals(680, infos.get(3).annos().numPointsInGt()[0], 7);
        // the boxes are the calibration's camera-to-LiDAR conversion of the labels
        KittiCalibration c = ds.calib("000003");
        KittiObject car = ds.labels("000003").get(0);
        assertArrayEquals(c.boxesCameraToLidar(Tensor.of(car.cameraBox(), 1, 7)).toDoubleArray(), infos.get(3).annos().gtBoxesLidar()[0], 0);
        assertArrayEquals(new double[] {0, 0, 0, 1}, java.util.Arrays.copyOfRange(infos.get(3).p2(), 12, 16));

        Path file = root.resolve("kitti_infos_train.json");
        KittiInfos.write(file, infos);
        List<KittiInfo> back = KittiInfos.read(file);
        for (int i = 0; i < infos.size(); i++) assertTrue(infos.get(i).sameAs(back.get(i)), "info " + i + " round trip");
        assertEquals(ds.labels("000001"), back.get(1).annos().toObjects());

        Map<String, List<KittiGtDatabase.DbInfo>> db = KittiGtDatabase.create(ds, infos, null);
        assertEquals(List.of("Pedestrian", "Truck", "Car", "Cyclist", "Misc"), List.copyOf(db.keySet()));
        assertEquals(5, db.get("Car").size()); // 000001, 000002, 000003 and two in 000004
        var read = KittiGtDatabase.read(KittiGtDatabase.dbInfosPath(root, "train"));
        for (String k : db.keySet())
            for (int i = 0; i < db.get(k).size(); i++) assertTrue(db.get(k).get(i).sameAs(read.get(k).get(i)));
        KittiGtDatabase.DbInfo ped = db.get("Pedestrian").get(0);
        assertEquals("gt_database/000000_Pedestrian_0.bin", ped.path());
        Tensor pts = KittiGtDatabase.points(root, ped);
        assertEquals(ped.numPointsInGt(), pts.size(0));
        // relative to the centre: every point inside the box moved to the origin (with points_in_boxes_cpu's margin)
        double[] b = ped.box3dLidar().clone();
        b[0] = b[1] = b[2] = 0;
        Tensor inside = PointsInBoxes.mask(pts, Tensor.of(b, 1, 7), PointsInBoxes.MARGIN_CPU + 1e-4f);
        assertEquals(pts.size(0), (int) inside.sum().item());
        // the whole cloud counts at least the camera-view points of the info
        assertTrue(ped.numPointsInGt() >= infos.get(0).annos().numPointsInGt()[0]);
    }
}
