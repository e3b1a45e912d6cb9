package fuse3d.data.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import fuse3d.data.kitti.KittiCalibFiles;
import fuse3d.data.kitti.KittiLabels;
import fuse3d.data.kitti.KittiLidar;
import fuse3d.data.kitti.KittiObject;
import fuse3d.data.nuscenes.DetectionClasses;
import fuse3d.data.nuscenes.LidarPointCloud;
import fuse3d.data.occ3d.Occ3d;
import fuse3d.data.occ3d.Occ3dLabels;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.SampleData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pictures of the real sample frames (shared data folder, never copied into the project; skipped with the
 * reason when absent): a KITTI frame's BEV with its labels, the nuScenes keyframe's BEV with its GT, the Occ3D sample.
 */
class RealDataPicturesTest {

    @TempDir
    Path dir;

    private static Path need(String rel) {
        Path p = SampleData.find(rel).orElse(null);
        Assumptions.assumeTrue(p != null && Files.exists(p), SampleData.missing(rel));
        return p;
    }

    @Test
    void kittiFrameBevShowsEveryLabelInsideItsPoints() throws IOException {
        Path root = need("kitti/training");
        KittiCalibration calib = KittiCalibFiles.read(root.resolve("calib/000001.txt"));
        List<KittiObject> labels = KittiLabels.read(root.resolve("label_2/000001.txt"));
        Tensor points = KittiLidar.read(root.resolve("velodyne/000001.bin"));
        List<BevBox> gt = new ArrayList<>(), det = new ArrayList<>();
        for (KittiObject o : labels) {
            if (o.isDontCare()) continue;
            BevBox b = BevBox.ofKitti(o, calib);
            gt.add(b);
            // a stand-in detection: the label shifted half a metre and turned a little, with a score
            det.add(new BevBox(b.x() + 0.5, b.y() - 0.3, b.length(), b.width(), b.yaw() + 0.15, b.label(), 0.9 - 0.1 * det.size()));
        }
        assertEquals(3, gt.size(), "000001 has a Truck, a Car and a Cyclist");
        BevPicture pic = new BevPicture(BevPicture.View.kitti());
        BufferedImage im = pic.render("KITTI training 000001", points, gt, det);
        assertEquals(pic.width(), im.getWidth());
        for (BevBox b : gt) {
            // the rear edge's midpoint of every GT box is drawn in the GT colour (detections are shifted forward)
            double[][] c = b.corners();
            int[] p = pic.pixelOf((c[2][0] + c[3][0]) / 2, (c[2][1] + c[3][1]) / 2);
            assertTrue(PicturesTest.colourNear(im, p[0], p[1], BevPicture.GT_COLOUR, 1), "GT " + b.label() + " at " + p[0] + "," + p[1]);
        }
        Canvas.write(PicturesTest.out(dir, "bev_kitti_000001.png"), im);
        Canvas.write(PicturesTest.out(dir, "bev_kitti_000001_height.png"),
                new BevPicture(BevPicture.View.kitti().withColour(BevPicture.PointColour.HEIGHT)).render("KITTI 000001, height", points, gt, List.of()));
    }

    @Test
    void nuscenesKeyframeBevWithItsGroundTruth() throws IOException {
        Path info = need("nuscenes/n015-2018-07-24-11-22-45+0800.info.json");
        JsonNode frame = com.fasterxml.jackson.databind.json.JsonMapper.builder().enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(info.toFile()).get("data_list").get(0);
        Path lidar = need("nuscenes/samples/LIDAR_TOP/" + frame.get("lidar_points").get("lidar_path").asText());
        Tensor points = LidarPointCloud.read(lidar);
        List<BevBox> gt = new ArrayList<>();
        for (JsonNode inst : frame.get("instances")) {
            JsonNode b = inst.get("bbox_3d");
            int label = inst.get("bbox_label_3d").asInt();
            // -1: a category outside the ten detection classes; drawn all the same
            String name = label < 0 ? "other" : DetectionClasses.MMDET3D_ORDER.get(label);
            gt.add(BevBox.gt(b.get(0).asDouble(), b.get(1).asDouble(), b.get(3).asDouble(), b.get(4).asDouble(), b.get(6).asDouble(), name));
        }
        BevPicture pic = new BevPicture(BevPicture.View.nuscenes());
        BufferedImage im = pic.render("nuScenes " + frame.get("token").asText(), points, gt, List.of());
        assertEquals(pic.height(), im.getHeight());
        Canvas.write(PicturesTest.out(dir, "bev_nuscenes_keyframe.png"), im);
    }

    @Test
    void occ3dSamplePicture() throws IOException {
        Path file = need("occ3d/29796060110c4163b07f06eff4af0753/labels.npz");
        Occ3dLabels labels = Occ3dLabels.read(file);
        BufferedImage im = OccupancyPicture.render("Occ3D-nuScenes 29796060 (GT)", labels, Occ3d.GRID);
        int[] size = OccupancyPicture.size(Occ3d.GRID);
        assertEquals(size[0], im.getWidth());
        // every BEV column shows its top-most class colour
        int[] top = OccupancyPicture.topClasses(labels);
        for (int ix = 0; ix < 200; ix += 37)
            for (int iy = 0; iy < 200; iy += 41) {
                int c = top[ix * 200 + iy];
                int[] p = OccupancyPicture.bevPixelOf(Occ3d.GRID, ix, iy);
                int want = (c < 0 ? OccupancyPicture.EMPTY : OccupancyPicture.CLASS_COLOURS.get(c)).getRGB();
                assertEquals(want, im.getRGB(p[0], p[1]), "column " + ix + "," + iy);
            }
        Canvas.write(PicturesTest.out(dir, "occ3d_sample.png"), im);
    }
}
