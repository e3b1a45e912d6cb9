package fuse3d.data.nuscenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import fuse3d.sparse.bev.Pose;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.SampleData;
import org.junit.jupiter.api.Test;
import java.nio.file.Files;
import java.nio.file.Path;
/**
 * The real nuScenes key frame in ../shared/data/nuscenes (v1.0-mini scene-0061, first sample; its README): the
 * LiDAR file loads, its 69 boxes hold their recorded point counts for most boxes, and the camera images load.
 * Skipped, with the reason, when the folder is absent.
 */
class RealKeyframeTest {
    static final String INFO = "n015-2018-07-24-11-22-45+0800.info.json";

    static Path root() {
        Path r = SampleData.find("nuscenes").orElse(null);
        assumeTrue(r != null && Files.isRegularFile(r.resolve(INFO)), SampleData.missing("nuscenes/" + INFO));
        return r;
    }

    @Test
    void lidarPointsFallInTheirBoxes() throws Exception {
        Path r = root();
        JsonNode info = NuScenesTables.MAPPER.readTree(r.resolve(INFO).toFile()).get("data_list").get(0);
        Path bin = r.resolve("samples/LIDAR_TOP").resolve(info.get("lidar_points").get("lidar_path").textValue());
        Tensor pts = LidarPointCloud.read(bin);
        assertArrayEquals(new int[] {34688, 5}, pts.shape());
        JsonNode inst = info.get("instances");
        assertEquals(69, inst.size());
        float[] boxes = new float[inst.size() * 7];
        for (int i = 0; i < inst.size(); i++)
            for (int k = 0; k < 7; k++) boxes[i * 7 + k] = (float) inst.get(i).get("bbox_3d").get(k).doubleValue();
        int[][] in = PointsInBoxes.pointsOfBoxes(pts, Tensor.of(boxes, inst.size(), 7), PointsInBoxes.MARGIN_GPU);
        int exact = 0, total = 0, recorded = 0;
        for (int i = 0; i < inst.size(); i++) {
            int want = inst.get(i).get("num_lidar_pts").intValue();
            if (in[i].length == want) exact++;
            total += in[i].length;
            recorded += want;
        }
        // the README's count: 61 of 69 boxes exact, 994 points against 1009 recorded (annotation-time clouds differ slightly)
        assertTrue(exact >= 58, "exact matches " + exact);
        assertEquals(recorded, total, 0.05 * recorded);
        // the info's lidar2ego is a rigid transform: a sanity check of the pose conventions shared with the tables
        double[][] l2e = new double[4][4];
        for (int a = 0; a < 4; a++) for (int b = 0; b < 4; b++) l2e[a][b] = info.get("lidar_points").get("lidar2ego").get(a).get(b).doubleValue();
        assertTrue(Pose.ofRows(l2e).isRigid(1e-5));
    }

    @Test
    void cameraImagesLoad() throws Exception {
        Path r = root();
        JsonNode info = NuScenesTables.MAPPER.readTree(r.resolve(INFO).toFile()).get("data_list").get(0);
        var imgs = info.get("images");
        int n = 0;
        for (var e : imgs.properties()) {
            Path f = r.resolve("samples").resolve(e.getKey()).resolve(e.getValue().get("img_path").textValue());
            var img = CameraImages.read(f);
            assertEquals(1600, img.getWidth());
            assertEquals(900, img.getHeight());
            n++;
            if (n == 2) break; // decoding all six 1600x900 JPEGs adds nothing but time
        }
        assertEquals(2, n);
    }
}
