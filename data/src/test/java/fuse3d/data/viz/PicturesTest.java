package fuse3d.data.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.data.kitti.KittiEvalResult;
import fuse3d.data.kitti.KittiEvalResult.Difficulty;
import fuse3d.data.kitti.KittiEvalResult.Metric;
import fuse3d.data.kitti.KittiEvalResult.Overlap;
import fuse3d.data.kitti.KittiEvaluator;
import fuse3d.data.kitti.KittiObject;
import fuse3d.data.nuscenes.DetectionBox;
import fuse3d.data.nuscenes.DetectionConfig;
import fuse3d.data.nuscenes.DetectionMetrics;
import fuse3d.data.nuscenes.NuScenesEvaluator;
import fuse3d.data.occ3d.Occ3d;
import fuse3d.data.occ3d.Occ3dGrid;
import fuse3d.data.occ3d.Occ3dLabels;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every picture kind: it renders to a PNG of the expected size, known things land at known pixels, and it is byte-stable. */
class PicturesTest {

    @TempDir
    Path dir;

    /** The picture file when {@code FUSE3D_VIZ_OUT=DIR} asks to keep the pictures for a look, else one in the temp folder. */
    static Path out(Path tmp, String name) {
        String keep = System.getenv("FUSE3D_VIZ_OUT");
        return keep == null ? tmp.resolve(name) : Path.of(keep).resolve(name);
    }

    static BufferedImage readPng(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        assertTrue(b.length > 1000, f + " is too small to be a picture: " + b.length + " bytes");
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(b, 4), "PNG signature of " + f);
        return ImageIO.read(new ByteArrayInputStream(b));
    }

    /** Whether the colour occurs within {@code r} pixels of (x, y): strokes are 2-3 px wide, so the probe allows a pixel either way. */
    static boolean colourNear(BufferedImage im, int x, int y, Color c, int r) {
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++) {
                int px = x + dx, py = y + dy;
                if (px >= 0 && py >= 0 && px < im.getWidth() && py < im.getHeight() && (im.getRGB(px, py) & 0xffffff) == (c.getRGB() & 0xffffff))
                    return true;
            }
        return false;
    }

    // ---- PR curves ----

    /** 60 frames of two easy cars each, detected perfectly: every precision slot is 1. */
    static KittiEvalResult perfectKitti() {
        List<List<KittiObject>> gt = new ArrayList<>(), dt = new ArrayList<>();
        for (int f = 0; f < 60; f++) {
            List<KittiObject> g = new ArrayList<>(), d = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                double x = -6 + 12 * i, z = 15 + f % 7;
                KittiObject o = KittiObject.label("Car", 0, 0, -Math.atan2(x, z), new double[] {400 + 300 * i, 150, 500 + 300 * i, 230},
                        new double[] {1.5, 1.6, 3.9}, new double[] {x, 1.6, z}, 0.1 * i);
                g.add(o);
                d.add(o.withScore(0.5 + 0.004 * f + 0.001 * i));
            }
            gt.add(g);
            dt.add(d);
        }
        return KittiEvaluator.evaluate(gt, dt, List.of("Car"));
    }

    @Test
    void kittiPerfectDetectorIsAHorizontalLineAtPrecisionOne() throws IOException {
        KittiEvalResult r = perfectKitti();
        double[] p = r.precision("Car", Overlap.STRICT, Metric.THREE_D, Difficulty.EASY);
        for (double v : p) assertEquals(1.0, v, 1e-12, "the hand case must be perfect: " + Arrays.toString(p));
        Path f = out(dir, "pr_kitti_perfect.png");
        PrCurvePicture.write(f, PrCurvePicture.kitti(r, "Car", Overlap.STRICT, Metric.THREE_D));
        BufferedImage im = readPng(f);
        assertEquals(PrCurvePicture.WIDTH, im.getWidth());
        assertEquals(PrCurvePicture.HEIGHT, im.getHeight());
        Color easy = PrCurvePicture.DIFFICULTY_COLOURS[0];
        // along the whole recall axis the curve sits at precision 1, and nowhere at precision 0.5
        for (double rec = 0.02; rec <= 0.98; rec += 0.08) {
            int[] at1 = PrCurvePicture.pixelOf(rec, 1.0), atHalf = PrCurvePicture.pixelOf(rec, 0.5);
            assertTrue(colourNear(im, at1[0], at1[1], easy, 1), "curve missing at recall " + rec);
            for (Color c : PrCurvePicture.DIFFICULTY_COLOURS) assertTrue(!colourNear(im, atHalf[0], atHalf[1], c, 2), "curve at precision 0.5?");
        }
    }

    @Test
    void kittiWritesOneFilePerClassMetricAndSet() throws IOException {
        KittiEvalResult r = perfectKitti();
        List<Path> files = PrCurvePicture.writeKitti(dir.resolve("pr"), r);
        assertEquals(2 * (r.aosComputed() ? 4 : 3), files.size());
        for (Path f : files) assertEquals(PrCurvePicture.WIDTH, readPng(f).getWidth());
        assertTrue(files.contains(dir.resolve("pr").resolve("pr_Car_3d_strict.png")));
    }

    @Test
    void kittiRealisticCurveDropsAndIsByteStable() throws IOException {
        List<List<KittiObject>>[] k = EvalBench.kittiData(150, 3);
        KittiEvalResult r = KittiEvaluator.evaluate(k[0], k[1]);
        BufferedImage a = PrCurvePicture.kitti(r, "Car", Overlap.STRICT, Metric.BEV);
        BufferedImage b = PrCurvePicture.kitti(r, "Car", Overlap.STRICT, Metric.BEV);
        assertArrayEquals(Canvas.png(a), Canvas.png(b), "same input, same bytes");
        PrCurvePicture.write(out(dir, "pr_kitti_random_car_bev.png"), a);
        PrCurvePicture.write(out(dir, "pr_kitti_random_ped_aos.png"), PrCurvePicture.kitti(r, "Pedestrian", Overlap.LOOSE, Metric.AOS));
        assertNotEquals(0, Canvas.png(a).length);
    }

    /** 50 samples with 5 cars each, predicted exactly. */
    static DetectionMetrics perfectNuscenes() {
        Map<String, List<DetectionBox>> gt = new LinkedHashMap<>(), pred = new LinkedHashMap<>();
        for (int s = 0; s < 50; s++) {
            String tok = "s" + s;
            List<DetectionBox> g = new ArrayList<>(), p = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                double[] t = {-20 + 9 * i, 3 * (s % 5), 0};
                double[] q = DetectionBox.yawQuaternion(0.3 * i);
                g.add(new DetectionBox(tok, t, new double[] {1.9, 4.5, 1.6}, q, new double[] {1, 0}, t, 20, "car", -1, "vehicle.moving"));
                p.add(new DetectionBox(tok, t, new double[] {1.9, 4.5, 1.6}, q, new double[] {1, 0}, t, -1, "car", 0.3 + 0.001 * (5 * s + i), "vehicle.moving"));
            }
            gt.put(tok, g);
            pred.put(tok, p);
        }
        return NuScenesEvaluator.evaluate(gt, pred, Map.of(), DetectionConfig.cvpr2019());
    }

    @Test
    void nuscenesPerfectDetectorIsAHorizontalLineAtPrecisionOne() throws IOException {
        DetectionMetrics m = perfectNuscenes();
        Path f = out(dir, "pr_nuscenes_perfect_car.png");
        PrCurvePicture.write(f, PrCurvePicture.nuscenes(m, "car"));
        BufferedImage im = readPng(f);
        assertEquals(PrCurvePicture.WIDTH, im.getWidth());
        assertEquals(PrCurvePicture.HEIGHT, im.getHeight());
        for (double rec = 0.02; rec <= 0.98; rec += 0.08) {
            int[] at1 = PrCurvePicture.pixelOf(rec, 1.0);
            assertTrue(colourNear(im, at1[0], at1[1], PrCurvePicture.DISTANCE_COLOURS[0], 1), "curve missing at recall " + rec);
        }
        List<Path> files = PrCurvePicture.writeNuscenes(dir.resolve("nus"), m);
        assertEquals(10, files.size());
    }

    @Test
    void nuscenesRandomCurvesForALook() throws IOException {
        Map<String, List<DetectionBox>>[] n = EvalBench.nuscenesData(40, 5);
        DetectionMetrics m = NuScenesEvaluator.evaluate(n[0], n[1], Map.of(), DetectionConfig.cvpr2019());
        BufferedImage a = PrCurvePicture.nuscenes(m, "pedestrian");
        assertArrayEquals(Canvas.png(a), Canvas.png(PrCurvePicture.nuscenes(m, "pedestrian")));
        PrCurvePicture.write(out(dir, "pr_nuscenes_random_pedestrian.png"), a);
    }

    // ---- BEV ----

    @Test
    void bevDrawsGtDetectionsAndPointsWhereTheyAre() throws IOException {
        BevPicture pic = new BevPicture(BevPicture.View.kitti());
        BevBox gt = BevBox.gt(20, 5, 4, 2, 0, "Car");
        BevBox det = new BevBox(40, -10, 4, 2, Math.PI / 6, "Car", 0.87);
        // one bright point far from the boxes, and one faint one
        float[] pts = {50, 20, -1, 1f, 60, -30, 0, 0f};
        BufferedImage im = pic.render("probe", pts, 4, List.of(gt), List.of(det));
        assertEquals(pic.width(), im.getWidth());
        assertEquals(pic.height(), im.getHeight());
        assertEquals(70 + 704 + 230, im.getWidth());
        // the rear edge of the GT box is x = 18 m for y in 4..6 m; the heading tick runs forward, not there
        int[] rear = pic.pixelOf(18, 5.5);
        assertTrue(colourNear(im, rear[0], rear[1], BevPicture.GT_COLOUR, 1), "GT edge colour at " + Arrays.toString(rear));
        int[] tick = pic.pixelOf(21, 5);
        assertTrue(colourNear(im, tick[0], tick[1], BevPicture.GT_COLOUR, 1), "heading tick at " + Arrays.toString(tick));
        double[][] c = det.corners();
        int[] edge = pic.pixelOf((c[1][0] + c[2][0]) / 2, (c[1][1] + c[2][1]) / 2);
        assertTrue(colourNear(im, edge[0], edge[1], BevPicture.DET_COLOUR, 1), "detection edge");
        int[] inside = pic.pixelOf(19, 5.5);
        assertEquals(BevPicture.PLOT_BACKGROUND.getRGB(), im.getRGB(inside[0], inside[1]), "box interiors stay unfilled");
        int[] bright = pic.pixelOf(50, 20), faint = pic.pixelOf(60, -30);
        assertEquals(BevPicture.ramp(1).getRGB(), im.getRGB(bright[0], bright[1]));
        assertEquals(BevPicture.ramp(0).getRGB(), im.getRGB(faint[0], faint[1]));
        assertArrayEquals(Canvas.png(im), Canvas.png(pic.render("probe", pts, 4, List.of(gt), List.of(det))));
        Path f = out(dir, "bev_probe.png");
        Canvas.write(f, im);
        assertEquals(im.getWidth(), readPng(f).getWidth());
    }

    @Test
    void bevBoxCornersFollowTheHeading() {
        double[][] c = new BevBox(1, 2, 4, 2, Math.PI / 2, "Car", Double.NaN).corners();
        // heading +y: the front-left corner is at (x - w/2, y + l/2)
        assertEquals(0, c[0][0], 1e-12);
        assertEquals(4, c[0][1], 1e-12);
        assertEquals(2, c[1][0], 1e-12);
    }

    @Test
    void bevOfNuScenesTurnsIntoTheEgoFrame() {
        DetectionBox b = new DetectionBox("s", new double[] {10, 20, 0}, new double[] {2, 5, 1.5}, DetectionBox.yawQuaternion(Math.PI / 2),
                new double[] {0, 0}, new double[3], 5, "car", -1, "");
        BevBox e = BevBox.ofNuScenes(b, new double[] {10, 10}, Math.PI / 2);
        // ego at (10, 10) facing +y: the box 10 m along global +y is 10 m straight ahead, heading forward
        assertEquals(10, e.x(), 1e-9);
        assertEquals(0, e.y(), 1e-9);
        assertEquals(0, e.yaw(), 1e-9);
        assertEquals(5, e.length());
        assertEquals(2, e.width());
        assertTrue(!e.hasScore());
    }

    // ---- occupancy ----

    @Test
    void occupancyColoursTheTopMostClassOfAColumnAndTheSlices() throws IOException {
        Occ3dGrid grid = Occ3d.GRID;
        byte[] sem = new byte[grid.size()];
        Arrays.fill(sem, (byte) Occ3d.FREE);
        // column (50, 120): driveable surface at z 0, a car above it at z 3; column (10, 10): only driveable surface
        sem[grid.index(50, 120, 0)] = 11;
        sem[grid.index(50, 120, 3)] = 4;
        sem[grid.index(10, 10, 0)] = 11;
        sem[grid.index(10, 10, 5)] = (byte) 255; // unlabelled is not drawn
        Occ3dLabels labels = Occ3dLabels.ofSemantics(grid.shape(), sem);
        int[] top = OccupancyPicture.topClasses(labels);
        assertEquals(4, top[50 * 200 + 120]);
        assertEquals(11, top[10 * 200 + 10]);
        assertEquals(-1, top[0]);
        BufferedImage im = OccupancyPicture.render("probe", labels, grid, 120, 50);
        int[] size = OccupancyPicture.size(grid);
        assertEquals(size[0], im.getWidth());
        assertEquals(size[1], im.getHeight());
        int[] car = OccupancyPicture.bevPixelOf(grid, 50, 120), road = OccupancyPicture.bevPixelOf(grid, 10, 10),
                empty = OccupancyPicture.bevPixelOf(grid, 150, 30);
        assertEquals(OccupancyPicture.CLASS_COLOURS.get(4).getRGB(), im.getRGB(car[0], car[1]));
        assertEquals(OccupancyPicture.CLASS_COLOURS.get(11).getRGB(), im.getRGB(road[0], road[1]));
        assertEquals(OccupancyPicture.EMPTY.getRGB(), im.getRGB(empty[0], empty[1]));
        int[] xz = OccupancyPicture.xzPixelOf(grid, 50, 3), xz0 = OccupancyPicture.xzPixelOf(grid, 50, 0);
        assertEquals(OccupancyPicture.CLASS_COLOURS.get(4).getRGB(), im.getRGB(xz[0], xz[1]));
        assertEquals(OccupancyPicture.CLASS_COLOURS.get(11).getRGB(), im.getRGB(xz0[0], xz0[1]));
        int[] yz = OccupancyPicture.yzPixelOf(grid, 120, 3);
        assertEquals(OccupancyPicture.CLASS_COLOURS.get(4).getRGB(), im.getRGB(yz[0], yz[1]));
        assertArrayEquals(Canvas.png(im), Canvas.png(OccupancyPicture.render("probe", labels, grid, 120, 50)));
        Path f = out(dir, "occ_probe.png");
        OccupancyPicture.write(f, "probe", labels, grid, 120, 50);
        assertEquals(size[0], readPng(f).getWidth());
    }

    @Test
    void occupancyRejectsSlicesOutsideTheGrid() {
        Occ3dGrid grid = new Occ3dGrid(0, 0, 0, 1, 4, 4, 2);
        Occ3dLabels labels = Occ3dLabels.ofSemantics(grid.shape(), new byte[grid.size()]);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> OccupancyPicture.render("x", labels, grid, 4, 0));
        assertTrue(e.getMessage().contains("outside the grid"), e.getMessage());
    }
}
