package fuse3d.data.occ3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The voxel metrics and RayIoU: hand-computed cases, then invariances. */
class Occ3dEvaluatorTest {
    private static final double EPS = 1e-12;
    private static final Occ3dGrid TOY = new Occ3dGrid(0f, 0f, 0f, 1f, 2, 2, 2);

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    private static boolean[] bools(int... v) {
        boolean[] b = new boolean[v.length];
        for (int i = 0; i < v.length; i++) b[i] = v[i] != 0;
        return b;
    }

    // ------------------------------------------------------------------------------------------------------
    // A 2 x 2 x 2 grid by hand.

    /**
     * GT   4  4 11 17 17 17  1 255
     * pred 4 10 11 11 17  4 17  17
     * camera mask drops voxel 5; the LiDAR mask is empty.
     */
    @Test
    void toyGridByHand() {
        Occ3dLabels gt = new Occ3dLabels(2, 2, 2, bytes(4, 4, 11, 17, 17, 17, 1, 255), bools(0, 0, 0, 0, 0, 0, 0, 0),
                bools(1, 1, 1, 1, 1, 0, 1, 1));
        Occ3dLabels pred = Occ3dLabels.ofSemantics(new int[] {2, 2, 2}, bytes(4, 10, 11, 11, 17, 4, 17, 17));
        Occ3dEvaluator ev = new Occ3dEvaluator(TOY, false);
        ev.add(gt, pred, List.of());
        Occ3dResult r = ev.result();
        assertEquals(1, r.samples());

        // No mask: voxel 7 (GT 255) is ignored. car: TP 1, GT 2, pred 2 -> 1/3; truck 0; driveable 1/2; barrier 0.
        Occ3dResult.MaskMetrics none = r.noMask();
        assertEquals(1 / 3.0, none.iou()[4], EPS);
        assertEquals(0.0, none.iou()[10], EPS);
        assertEquals(0.5, none.iou()[11], EPS);
        assertEquals(0.0, none.iou()[1], EPS);
        for (int c : new int[] {0, 2, 3, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16}) assertTrue(Double.isNaN(none.iou()[c]), "absent class " + c);
        assertEquals((1 / 3.0 + 0.5) / 4, none.miou(), EPS);
        assertEquals((1 / 3.0 + 0) / 2, none.miouD(), EPS); // car and truck are the dynamic classes present
        // Occupied: TP voxels 0,1,2; FN 6 and 7 (255 counts as occupied here); FP 3 and 5.
        assertEquals(3 / 7.0, none.occupiedIou(), EPS);
        assertEquals(1, none.confusion()[4][10]);

        Occ3dResult.MaskMetrics cam = r.maskCamera();
        assertEquals(0.5, cam.iou()[4], EPS);
        assertEquals(0.5, cam.iou()[11], EPS);
        assertEquals(0.25, cam.miou(), EPS);
        assertEquals(0.25, cam.miouD(), EPS);
        assertEquals(0.5, cam.occupiedIou(), EPS);

        Occ3dResult.MaskMetrics lidar = r.maskLidar();
        assertTrue(Double.isNaN(lidar.miou()) && Double.isNaN(lidar.occupiedIou()) && Double.isNaN(lidar.miouD()));
    }

    /** IoU comes from the confusion summed over samples, not from per-sample IoUs averaged. */
    @Test
    void confusionIsSummedOverSamplesNotAveraged() {
        boolean[] all = bools(1, 1, 1, 1, 1, 1, 1, 1);
        Occ3dLabels gt1 = new Occ3dLabels(2, 2, 2, bytes(4, 4, 4, 4, 4, 4, 4, 4), all, all);
        Occ3dLabels pr1 = Occ3dLabels.ofSemantics(new int[] {2, 2, 2}, bytes(4, 4, 4, 4, 4, 4, 4, 4)); // IoU 1
        Occ3dLabels gt2 = new Occ3dLabels(2, 2, 2, bytes(4, 17, 17, 17, 17, 17, 17, 17), all, all);
        Occ3dLabels pr2 = Occ3dLabels.ofSemantics(new int[] {2, 2, 2}, bytes(17, 4, 17, 17, 17, 17, 17, 17)); // IoU 0
        Occ3dEvaluator ev = new Occ3dEvaluator(TOY, false);
        ev.add(gt1, pr1, List.of());
        ev.add(gt2, pr2, List.of());
        // car: TP 8, GT 9, pred 9 -> 8/10, not (1 + 0) / 2.
        assertEquals(0.8, ev.result().maskCamera().iou()[4], EPS);
    }

    /** Rays by hand on a 1 m grid: one car voxel in a row of free ones. */
    @Test
    void rayIouByHand() {
        Occ3dGrid row = new Occ3dGrid(0f, 0f, 0f, 1f, 10, 1, 1);
        byte[] g = new byte[10], p = new byte[10];
        java.util.Arrays.fill(g, (byte) 17);
        java.util.Arrays.fill(p, (byte) 17);
        g[6] = 4; // car, leaving at 6.5 m from the origin at x = 0.5
        p[8] = 4; // predicted 2 m too far
        boolean[] t = new boolean[10];
        java.util.Arrays.fill(t, true);
        Occ3dLabels gt = new Occ3dLabels(10, 1, 1, g, t, t);
        Occ3dLabels pred = Occ3dLabels.ofSemantics(new int[] {10, 1, 1}, p);
        int n = RayCaster.rayCount();
        int[] gl = new int[n], pl = new int[n];
        float[] gd = new float[n], pd = new float[n];
        double[] origin = {0.5, 0.5, 0.5};
        RayCaster.cast(row, gt, origin, gl, gd, 0);
        RayCaster.cast(row, pred, origin, pl, pd, 0);
        // Every ray leaves a 1-voxel-high row quickly; only rays close to +x reach the car. Count them by hand
        // from the cast and check the metric's arithmetic against the counts.
        int gtCar = 0, predCar = 0, both = 0, within4 = 0, within2 = 0;
        for (int i = 0; i < n; i++) {
            if (gl[i] == 4) gtCar++;
            if (pl[i] == 4 && gl[i] != 17) predCar++;
            if (gl[i] == 4 && pl[i] == 4) {
                both++;
                float err = Math.abs(pd[i] - gd[i]);
                if (err < 2) within2++;
                if (err < 4) within4++;
            }
        }
        assertTrue(gtCar > 0, "some rays reach the car");
        Occ3dEvaluator ev = new Occ3dEvaluator(row, true);
        ev.add(gt, pred, List.of(origin));
        Occ3dResult.RayIouMetrics r = ev.result().rayIou();
        assertEquals(gtCar, r.gtRays()[4]);
        assertEquals(predCar, r.predRays()[4]);
        assertEquals(within4 / (double) (gtCar + predCar - within4), r.perClass()[4][2], EPS);
        assertEquals(within2 / (double) (gtCar + predCar - within2), r.perClass()[4][1], EPS);
        assertEquals(0.0, r.perClass()[4][0], EPS, "2 m apart is never within 1 m");
        // The near-horizontal rays along +x see the car in both, 2 m apart: within 4 m, not within 1 m.
        assertTrue(both > 0 && within4 == both, both + " " + within4);
    }

    // ------------------------------------------------------------------------------------------------------
    // Properties.

    static Occ3dLabels scene(Random r, int nx, int ny, int nz) {
        int n = nx * ny * nz;
        byte[] sem = new byte[n];
        boolean[] lidar = new boolean[n], cam = new boolean[n];
        for (int x = 0; x < nx; x++)
            for (int y = 0; y < ny; y++)
                for (int z = 0; z < nz; z++) {
                    int i = (x * ny + y) * nz + z;
                    int v = z == 0 ? 11 + r.nextInt(4) : r.nextInt(100) < 20 ? r.nextInt(17) : 17;
                    sem[i] = (byte) v;
                    lidar[i] = r.nextInt(10) < 6;
                    cam[i] = r.nextInt(10) < 7;
                }
        return new Occ3dLabels(nx, ny, nz, sem, lidar, cam);
    }

    static Occ3dLabels noisy(Random r, Occ3dLabels gt, int percent) {
        byte[] p = gt.semantics().clone();
        for (int i = 0; i < p.length; i++) if (r.nextInt(100) < percent) p[i] = (byte) r.nextInt(18);
        return Occ3dLabels.ofSemantics(gt.shape(), p);
    }

    private static final Occ3dGrid SMALL = new Occ3dGrid(-3.2f, -3.2f, -1f, 0.4f, 16, 16, 6);
    private static final List<double[]> ORIGINS = List.of(new double[] {0.3, -0.2, 1.1}, new double[] {-1.1, 0.9, 0.6});

    @Property(tries = 15)
    void groundTruthAgainstItselfScoresOneForEveryPresentClass(@ForAll long seed) {
        Occ3dLabels gt = scene(new Random(seed), 16, 16, 6);
        Occ3dEvaluator ev = new Occ3dEvaluator(SMALL, true);
        ev.add(gt, gt.withoutMasks(), ORIGINS);
        Occ3dResult r = ev.result();
        for (Occ3dEvaluator.MaskMode m : Occ3dEvaluator.MaskMode.values()) {
            Occ3dResult.MaskMetrics mm = r.mask(m);
            for (double v : mm.iou()) assertTrue(Double.isNaN(v) || v == 1.0, m + ": " + v);
            assertEquals(1.0, mm.miou(), 0, m.key);
            assertEquals(1.0, mm.occupiedIou(), 0, m.key);
        }
        assertEquals(1.0, r.rayIou().rayIou(), 0);
        for (double[] row : r.rayIou().perClass()) for (double v : row) assertTrue(Double.isNaN(v) || v == 1.0);
    }

    /** Renaming classes 0..16 by a permutation, in GT and prediction alike, permutes the per-class IoUs. */
    @Property(tries = 15)
    void relabellingClassesPermutesTheirIous(@ForAll long seed) {
        Random r = new Random(seed);
        Occ3dLabels gt = scene(r, 16, 16, 6);
        Occ3dLabels pred = noisy(r, gt, 25);
        List<Integer> perm = new ArrayList<>();
        for (int c = 0; c < 17; c++) perm.add(c);
        Collections.shuffle(perm, r);
        Occ3dResult a = evaluate(gt, pred, true);
        Occ3dResult b = evaluate(relabel(gt, perm), relabel(pred, perm), true);
        for (Occ3dEvaluator.MaskMode m : Occ3dEvaluator.MaskMode.values()) {
            for (int c = 0; c < 17; c++) assertEquals(a.mask(m).iou()[c], b.mask(m).iou()[perm.get(c)], 0, m + " class " + c);
            assertEquals(a.mask(m).miou(), b.mask(m).miou(), 1e-12);
            assertEquals(a.mask(m).occupiedIou(), b.mask(m).occupiedIou(), 0);
        }
        for (int c = 0; c < 17; c++)
            assertArrayEquals(a.rayIou().perClass()[c], b.rayIou().perClass()[perm.get(c)], 0, "ray class " + c);
        assertEquals(a.rayIou().rayIou(), b.rayIou().rayIou(), 1e-12);
    }

    /** A prediction that is right inside the camera mask and anything outside it scores 100 under the mask. */
    @Property(tries = 20)
    void errorsOutsideTheCameraMaskDoNotCount(@ForAll long seed) {
        Random r = new Random(seed);
        Occ3dLabels gt = scene(r, 16, 16, 6);
        byte[] p = gt.semantics().clone();
        for (int i = 0; i < p.length; i++) if (!gt.maskCamera()[i]) p[i] = (byte) r.nextInt(18);
        Occ3dResult res = evaluate(gt, Occ3dLabels.ofSemantics(gt.shape(), p), false);
        for (double v : res.maskCamera().iou()) assertTrue(Double.isNaN(v) || v == 1.0);
        assertEquals(1.0, res.maskCamera().miou(), 0);
        assertEquals(1.0, res.maskCamera().occupiedIou(), 0);
    }

    /** The order samples are added in changes nothing (the counts are sums). */
    @Property(tries = 10)
    void sampleOrderDoesNotMatter(@ForAll long seed) {
        Random r = new Random(seed);
        List<Occ3dLabels[]> samples = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Occ3dLabels gt = scene(r, 16, 16, 6);
            samples.add(new Occ3dLabels[] {gt, noisy(r, gt, 30)});
        }
        Occ3dEvaluator a = new Occ3dEvaluator(SMALL, true), b = new Occ3dEvaluator(SMALL, true);
        for (Occ3dLabels[] s : samples) a.add(s[0], s[1], ORIGINS);
        Collections.shuffle(samples, r);
        samples.parallelStream().forEach(s -> b.add(s[0], s[1], ORIGINS));
        assertEquals(a.result().toJson(), b.result().toJson());
    }

    private static Occ3dResult evaluate(Occ3dLabels gt, Occ3dLabels pred, boolean rays) {
        Occ3dEvaluator ev = new Occ3dEvaluator(SMALL, rays);
        ev.add(gt, pred, ORIGINS);
        return ev.result();
    }

    private static Occ3dLabels relabel(Occ3dLabels l, List<Integer> perm) {
        byte[] s = l.semantics().clone();
        for (int i = 0; i < s.length; i++) if (l.label(i) < 17) s[i] = (byte) (int) perm.get(l.label(i));
        return new Occ3dLabels(l.nx(), l.ny(), l.nz(), s, l.maskLidar(), l.maskCamera());
    }

    // ------------------------------------------------------------------------------------------------------
    // Whole trees, JSON and table.

    @Test
    void evaluatesATreeAndWritesTheIssueJsonLayout(@TempDir Path dir) throws IOException {
        Path gtRoot = dir.resolve("gts"), predRoot = dir.resolve("pred");
        Random r = new Random(5);
        Occ3dEvaluator direct = new Occ3dEvaluator(Occ3d.GRID, false);
        for (int s = 0; s < 2; s++) {
            Occ3dLabels gt = scene(r, 200, 200, 16);
            Occ3dLabels pred = noisy(r, gt, 10);
            gt.write(Occ3dTree.labelsPath(gtRoot, "scene-000" + s, "tok" + s));
            Files.createDirectories(predRoot);
            if (s == 0) {
                Files.createDirectories(Occ3dTree.labelsPath(predRoot, "scene-0000", "tok0").getParent());
                pred.write(Occ3dTree.labelsPath(predRoot, "scene-0000", "tok0"), true, false);
            } else {
                pred.writeGdfusionPrediction(predRoot.resolve("scene-0001_tok1.npz"));
            }
            direct.add(gt, pred, List.of());
        }
        Occ3dResult res = Occ3dEvaluator.evaluate(gtRoot, predRoot, null);
        assertEquals(2, res.samples());
        assertEquals(direct.result().toJson(), res.toJson());

        Path json = dir.resolve("out/metrics.json");
        Files.createDirectories(json.getParent());
        res.writeJson(json);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(List.of("mask_camera", "mask_lidar", "no_mask", "rayiou"), iterable(root.fieldNames()));
        assertEquals(List.of("iou", "miou", "occupied_iou", "miou_d"), iterable(root.get("mask_camera").fieldNames()));
        assertEquals(Occ3d.CLASS_NAMES.subList(0, 17), iterable(root.get("no_mask").get("iou").fieldNames()));
        assertTrue(root.get("rayiou").isNull());
        String table = res.table();
        assertTrue(table.contains("vegetation") && table.contains("mIoU_D") && table.contains("occupied IoU"), table);
    }

    @Test
    void rayIouJsonLayout() {
        Occ3dLabels gt = scene(new Random(3), 16, 16, 6);
        ObjectMapper m = new ObjectMapper();
        JsonNode ray = evaluate(gt, noisy(new Random(4), gt, 20), true).toJson().get("rayiou");
        assertEquals(List.of("RayIoU", "RayIoU@1", "RayIoU@2", "RayIoU@4", "per_class"), iterable(ray.fieldNames()));
        assertEquals(3, ray.get("per_class").get("vegetation").size());
        assertTrue(m.valueToTree(ray).equals(ray));
    }

    @Test
    void rejectsMismatchedInputs() {
        Occ3dLabels gt = scene(new Random(1), 4, 4, 2);
        Occ3dEvaluator ev = new Occ3dEvaluator(new Occ3dGrid(0, 0, 0, 1, 4, 4, 2), true);
        assertThrows(IllegalArgumentException.class, () -> ev.add(gt, Occ3dLabels.ofSemantics(new int[] {4, 4, 1}, new byte[16]), List.of()));
        assertThrows(IllegalArgumentException.class, () -> ev.add(gt, gt.withoutMasks(), List.of()), "RayIoU needs origins");
        assertThrows(IllegalArgumentException.class, () -> ev.add(gt.withoutMasks(), gt, List.of(new double[3])), "GT needs masks");
        byte[] bad = gt.semantics().clone();
        bad[3] = (byte) 255;
        assertThrows(IllegalArgumentException.class, () -> ev.add(gt, Occ3dLabels.ofSemantics(gt.shape(), bad), List.of(new double[3])));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
