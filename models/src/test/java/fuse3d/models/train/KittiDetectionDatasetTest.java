package fuse3d.models.train;

import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.kitti.KittiGtDatabase;
import fuse3d.data.kitti.KittiObject;
import fuse3d.models.config.DataConfig;
import fuse3d.models.detect.Batch;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class KittiDetectionDatasetTest {

    @Test
    void evalSampleBoxesRoundTripToTheLabelFile() throws Exception {
        KittiDataset ds = KittiDataset.open(SynthData.root(), "val");
        DataConfig cfg = SynthData.config("[]");
        KittiDetectionDataset data = new KittiDetectionDataset(ds, SynthData.CLASSES, cfg, false, 1);
        int checked = 0;
        for (int i = 0; i < data.size(); i++) {
            KittiDetectionDataset.Sample s = data.get(i, 0);
            List<KittiObject> expected = new ArrayList<>();
            for (KittiObject o : ds.labels(s.frameId())) if (!o.isDontCare() && SynthData.CLASSES.contains(o.type())) expected.add(o);
            assertEquals(expected.size(), s.gtBoxes().size(0), "frame " + s.frameId());
            if (expected.isEmpty()) continue;
            // lidar -> camera gives back the label's camera boxes (float32 rounding of the stored boxes)
            Tensor cam = s.frame().calib().boxesLidarToCamera(s.gtBoxes().narrow(1, 0, 7).toDouble().contiguous());
            double[] c = cam.toDoubleArray();
            float[] g = s.gtBoxes().toFloatArray();
            for (int k = 0; k < expected.size(); k++) {
                double[] want = expected.get(k).cameraBox();
                for (int d = 0; d < 7; d++) assertEquals(want[d], c[k * 7 + d], 1e-4, "frame " + s.frameId() + " box " + k + " dim " + d);
                assertEquals(SynthData.CLASSES.indexOf(expected.get(k).type()) + 1, g[k * 8 + 7]);
                checked++;
            }
        }
        assertTrue(checked > 0, "no labelled object in the val frames");
    }

    @Test
    void fovFilterKeepsOnlyPointsInTheImage() throws Exception {
        KittiDataset ds = KittiDataset.open(SynthData.root(), "val");
        KittiDetectionDataset data = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config("[]"), false, 1);
        KittiDetectionDataset.Sample s = data.get(0, 0);
        KittiCalibration calib = s.frame().calib();
        double[] uvd = calib.lidarToImage(s.points().narrow(1, 0, 3).contiguous()).toDoubleArray();
        for (int i = 0; i < s.points().size(0); i++) {
            assertTrue(uvd[i * 3] >= 0 && uvd[i * 3] < s.frame().imageWidth(), "u of point " + i);
            assertTrue(uvd[i * 3 + 1] >= 0 && uvd[i * 3 + 1] < s.frame().imageHeight(), "v of point " + i);
            assertTrue(uvd[i * 3 + 2] >= 0, "depth of point " + i);
        }
        int raw = ds.points(s.frameId()).size(0);
        assertTrue(s.points().size(0) > 0 && s.points().size(0) < raw, s.points().size(0) + " of " + raw);
        assertEquals(4, s.points().size(1));
    }

    @Test
    void trainingSamplesAreAFunctionOfSeedEpochAndIndex(@TempDir Path dir) throws Exception {
        Path root = SynthData.copyTo(dir);
        KittiDataset ds = KittiDataset.open(root, "train");
        DataConfig cfg = SynthData.config(SynthData.FULL_AUG);
        KittiDetectionDataset a = new KittiDetectionDataset(ds, SynthData.CLASSES, cfg, true, 42);
        KittiDetectionDataset b = new KittiDetectionDataset(ds, SynthData.CLASSES, cfg, true, 42);
        // the database was built on demand beside the dataset, as create_kitti_infos would
        assertTrue(Files.exists(KittiGtDatabase.dbInfosPath(root, "train")));
        KittiDetectionDataset.Sample s1 = a.get(1, 3), s2 = b.get(1, 3), other = a.get(1, 4);
        b.get(0, 3); // other calls in between change nothing
        KittiDetectionDataset.Sample s3 = b.get(1, 3);
        assertArrayEquals(s1.points().toFloatArray(), s2.points().toFloatArray());
        assertArrayEquals(s1.gtBoxes().toFloatArray(), s2.gtBoxes().toFloatArray());
        assertArrayEquals(s1.points().toFloatArray(), s3.points().toFloatArray());
        assertArrayEquals(s1.voxels().coords().toIntArray(), s2.voxels().coords().toIntArray());
        assertFalse(java.util.Arrays.equals(s1.points().toFloatArray(), other.points().toFloatArray()), "another epoch draws another augmentation");
    }

    @Test
    void gtSamplingAddsObjects(@TempDir Path dir) throws Exception {
        Path root = SynthData.copyTo(dir);
        KittiDataset ds = KittiDataset.open(root, "train");
        String onlySampling = SynthData.FULL_AUG.substring(0, SynthData.FULL_AUG.indexOf("{NAME: random_world_flip")).strip();
        onlySampling = onlySampling.substring(0, onlySampling.length() - 1) + "]"; // drop the trailing comma
        KittiDetectionDataset aug = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config(onlySampling), true, 5);
        KittiDetectionDataset plain = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config("[]"), true, 5);
        int added = 0;
        for (int i = 0; i < aug.size(); i++) {
            int withSampling = aug.get(i, 0).gtBoxes().size(0), without = plain.get(i, 0).gtBoxes().size(0);
            assertTrue(withSampling >= without, "frame " + i + ": " + withSampling + " < " + without);
            added += withSampling - without;
        }
        assertTrue(added > 0, "GT sampling pasted no object");
    }

    /**
     * USE_ROAD_PLANE: every pasted object's box bottom sits on the frame's road plane (the synthetic writer's
     * {@code planes/} files); a frame without its planes file is an error naming the file and the key.
     */
    @Test
    void roadPlaneStandsPastedObjectsOnTheRoad(@TempDir Path dir) throws Exception {
        Path root = SynthData.copyTo(dir);
        KittiDataset ds = KittiDataset.open(root, "train");
        String onlySampling = SynthData.FULL_AUG.substring(0, SynthData.FULL_AUG.indexOf("{NAME: random_world_flip")).strip();
        onlySampling = onlySampling.substring(0, onlySampling.length() - 1) + "]";
        String onRoad = onlySampling.replace("NAME: gt_sampling,", "NAME: gt_sampling, USE_ROAD_PLANE: True,");
        KittiDetectionDataset aug = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config(onRoad), true, 5);
        KittiDetectionDataset plain = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config("[]"), true, 5);
        int pasted = 0;
        double moved = 0;
        for (int i = 0; i < aug.size(); i++) {
            String id = ds.ids().get(i);
            var plane = ds.plane(id);
            KittiCalibration calib = ds.calib(id);
            float[] g = aug.get(i, 0).gtBoxes().toFloatArray();
            int own = plain.get(i, 0).gtBoxes().size(0);
            for (int k = own; k < g.length / 8; k++) {
                double x = g[k * 8], y = g[k * 8 + 1], z = g[k * 8 + 2], dz = g[k * 8 + 5];
                assertEquals(plane.lidarHeightBelow(calib, x, y, z), z - dz / 2, 1e-4, "frame " + id + ", pasted box " + k);
                pasted++;
            }
        }
        assertTrue(pasted > 0, "GT sampling pasted no object");
        // the same sampling without the road leaves boxes at their own frames' heights, which differ from the road here
        KittiDetectionDataset floating = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config(onlySampling), true, 5);
        for (int i = 0; i < aug.size(); i++) {
            float[] a = aug.get(i, 0).gtBoxes().toFloatArray(), f = floating.get(i, 0).gtBoxes().toFloatArray();
            assertEquals(a.length, f.length, "the road moves boxes, it adds or drops none");
            for (int k = 0; k < a.length / 8; k++) moved = Math.max(moved, Math.abs(a[k * 8 + 2] - f[k * 8 + 2]));
        }
        assertTrue(moved > 0.01, "no pasted box needed moving (largest move " + moved + " m)");

        Files.delete(ds.planePath(ds.ids().get(0)));
        var e = assertThrows(RuntimeException.class, () -> aug.get(0, 0));
        String msg = e.getMessage() + (e.getCause() == null ? "" : " " + e.getCause().getMessage());
        assertTrue(msg.contains(ds.planePath(ds.ids().get(0)).toString()) && msg.contains("USE_ROAD_PLANE"), msg);
    }

    @Test
    void collatePadsBoxesAndNumbersFrames() throws Exception {
        KittiDataset ds = KittiDataset.open(SynthData.root(), "val");
        KittiDetectionDataset data = new KittiDetectionDataset(ds, SynthData.CLASSES, SynthData.config("[]"), false, 1);
        KittiDetectionDataset.Sample s0 = data.get(0, 0), s1 = data.get(1, 0);
        Batch b = KittiDetectionDataset.collate(List.of(s0, s1));
        assertEquals(2, b.batchSize());
        int m = Math.max(s0.gtBoxes().size(0), s1.gtBoxes().size(0));
        assertArrayEquals(new int[] {2, m, 8}, b.gtBoxes().shape());
        assertEquals(s0.points().size(0) + s1.points().size(0), b.points().size(0));
        assertEquals(5, b.points().size(1));
        float[] p = b.points().toFloatArray();
        assertEquals(0f, p[0]);
        assertEquals(1f, p[(b.points().size(0) - 1) * 5]);
        assertEquals(s0.voxels().count() + s1.voxels().count(), b.voxelCoords().size(0));
        assertEquals(List.of(s0.frameId(), s1.frameId()), b.frames().stream().map(f -> f.frameId()).toList());
    }
}
