package fuse3d.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.data.nuscenes.DetectionClasses;
import fuse3d.data.nuscenes.NuScenesTables;
import fuse3d.data.occ3d.Occ3dLabels;
import fuse3d.sparse.bev.Pose;
import fuse3d.sparse.points.PointsInBoxes;
import fuse3d.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four classes only nuScenes and Occ3D scenes hold (bus, trailer, construction vehicle, motorcycle): KITTI
 * frames are byte for byte what they were before them, nuScenes scenes hold all ten detection classes with
 * class-typical box sizes, Occ3D labels hold their semantics, and the scenes keep the generator's geometry
 * guarantees (no overlap, returns on surfaces, boxes hold their own object's points and no other's).
 */
class SyntheticNuScenesClassesTest {
    static final Set<ObjectClass> NEW = EnumSet.of(ObjectClass.BUS, ObjectClass.TRAILER, ObjectClass.CONSTRUCTION_VEHICLE, ObjectClass.MOTORCYCLE);

    @Test
    void kittiStreetsAreTheStreetsWithoutTheNewClasses() {
        for (long seed = 0; seed < 6; seed++) {
            Scene a = SceneGenerator.generate(seed), b = SceneGenerator.generate(seed, false), c = SceneGenerator.generate(seed, true);
            assertEquals(a, new Scene(b.seed(), b.slopeX(), b.slopeY(), b.roadY(), b.roadHalf(), b.kerb(), a.objects()), "street of seed " + seed);
            assertEquals(a.objects().size(), b.objects().size(), "seed " + seed);
            assertTrue(c.objects().size() >= a.objects().size(), "seed " + seed);
            for (int i = 0; i < c.objects().size(); i++) {
                SceneObject oc = c.objects().get(i);
                if (i >= a.objects().size()) {
                    assertTrue(NEW.contains(oc.cls()), "seed " + seed + ": object " + i + " is a " + oc.cls());
                    continue;
                }
                // generate(seed) and generate(seed, false) are one street; generate(seed, true) only adds to it
                for (SceneObject ob : List.of(b.objects().get(i), oc)) {
                    SceneObject oa = a.objects().get(i);
                    assertEquals(oa.cls(), ob.cls());
                    assertEquals(oa.parts().size(), ob.parts().size());
                    assertArrayEquals(oa.box(), ob.box(), 0.0, "seed " + seed + " object " + i);
                    for (int p = 0; p < oa.parts().size(); p++) {
                        assertArrayEquals(oa.parts().get(p).lo(), ob.parts().get(p).lo(), 0.0);
                        assertArrayEquals(oa.parts().get(p).hi(), ob.parts().get(p).hi(), 0.0);
                        assertEquals(oa.parts().get(p).material(), ob.parts().get(p).material());
                    }
                }
                assertTrue(!NEW.contains(a.objects().get(i).cls()), "a KITTI street holds a " + a.objects().get(i).cls());
            }
        }
    }

    /**
     * SHA-256 of SyntheticKitti.write(dir, 1, 11, null)'s frame 000000, computed with the code of d303b72 (before
     * the nuScenes-only classes): the KITTI frames have not changed by one byte.
     */
    @Test
    void kittiFrameBytesAreThoseOfBeforeTheNewClasses(@TempDir Path dir) throws Exception {
        SyntheticKitti.write(dir, 1, 11, null);
        assertEquals("3a7c669434d3a5f6f5d2bad48a3565f3db1b108ddb23441c0bfbee2914f4ec15", sha256(dir.resolve("training/velodyne/000000.bin")));
        assertEquals("d65dc1b2ea7ed19e64c015629c6fa093996330710c4f8e62ca536a9461eb673d", sha256(dir.resolve("training/label_2/000000.txt")));
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    @Test
    void newClassesHaveTheirBoxSizesOnTheRoad() {
        Set<ObjectClass> seen = EnumSet.noneOf(ObjectClass.class);
        for (long seed = 0; seed < 40; seed++) {
            Scene s = SceneGenerator.generate(Lidar.mix(3, seed), true);
            for (SceneObject o : s.annotated()) {
                if (!NEW.contains(o.cls())) continue;
                seen.add(o.cls());
                double[] b = o.box(), range = Shapes.boxRange(o.cls());
                assertNotNull(range);
                for (int k = 0; k < 3; k++)
                    assertTrue(b[3 + k] >= range[2 * k] && b[3 + k] <= range[2 * k + 1],
                            o.cls() + " box " + "lwh".charAt(k) + " " + b[3 + k] + " outside " + range[2 * k] + ".." + range[2 * k + 1]);
                double[] bb = o.bevBounds();
                assertTrue(bb[1] > s.roadY() - s.roadHalf() && bb[3] < s.roadY() + s.roadHalf(), o.cls() + " leaves the road");
                assertEquals(0.0, b[2] - b[5] / 2 + SceneObject.BOX_MARGIN - s.groundHeight(o.cx(), o.cy()), 1e-9, o.cls() + " stands on the ground");
            }
        }
        assertEquals(NEW, seen);
    }

    /** Two annotated objects are apart when their footprint circles or their footprint bounds are. */
    static boolean apart(SceneObject a, SceneObject b) {
        if (Math.hypot(a.cx() - b.cx(), a.cy() - b.cy()) > a.footprintRadius() + b.footprintRadius()) return true;
        double[] p = a.bevBounds(), q = b.bevBounds();
        if (p[0] >= q[2] || q[0] >= p[2] || p[1] >= q[3] || q[1] >= p[3]) return true;
        // bounds against a circle
        for (SceneObject[] pair : new SceneObject[][] {{a, b}, {b, a}}) {
            double[] r = pair[0].bevBounds();
            SceneObject c = pair[1];
            double dx = Math.max(0, Math.max(r[0] - c.cx(), c.cx() - r[2])), dy = Math.max(0, Math.max(r[1] - c.cy(), c.cy() - r[3]));
            if (Math.hypot(dx, dy) > c.footprintRadius()) return true;
        }
        return false;
    }

    @Test
    void nuScenesStreetsKeepTheGeometryGuarantees() {
        int newChecked = 0;
        for (long seed : new long[] {Lidar.mix(11, 2), Lidar.mix(11, 4), Lidar.mix(11, 5)}) {
            Scene scene = SceneGenerator.generate(seed, true);
            List<SceneObject> ann = scene.annotated();
            for (int i = 0; i < ann.size(); i++)
                for (int j = i + 1; j < ann.size(); j++)
                    assertTrue(apart(ann.get(i), ann.get(j)), "objects " + ann.get(i).id() + " and " + ann.get(j).id() + " overlap");
            Pose lidar = Pose.translation(0, 0, scene.groundHeight(0, 0) + 1.84);
            Lidar.LidarScan scan = Lidar.hdl32e().scan(scene, lidar, seed);
            double[] t = lidar.translationVector();
            float[] p = scan.points();
            int[] ids = scan.objectIds();
            double bound = Lidar.hdl32e().noiseBound() + 2e-4;
            float[] xyz = new float[scan.size() * 3];
            for (int i = 0; i < scan.size(); i++) {
                double x = p[i * 4] + t[0], y = p[i * 4 + 1] + t[1], z = p[i * 4 + 2] + t[2];
                xyz[i * 3] = (float) x;
                xyz[i * 3 + 1] = (float) y;
                xyz[i * 3 + 2] = (float) z;
                double d = ids[i] < 0 ? scene.groundDistance(x, y, z) : scene.objects().get(ids[i]).surfaceDistance(x, y, z);
                assertTrue(d < bound, "point " + i + " lies " + d + " m from its surface");
            }
            float[] boxes = new float[ann.size() * 7];
            for (int j = 0; j < ann.size(); j++) {
                double[] b = ann.get(j).box();
                for (int k = 0; k < 7; k++) boxes[j * 7 + k] = (float) b[k];
            }
            int[][] inside = PointsInBoxes.pointsOfBoxes(Tensor.of(xyz, scan.size(), 3), Tensor.of(boxes, ann.size(), 7), 0f);
            for (int j = 0; j < ann.size(); j++) {
                int own = ann.get(j).id();
                long ownTotal = java.util.Arrays.stream(ids).filter(i -> i == own).count();
                int ownInside = 0;
                for (int i : inside[j]) {
                    assertTrue(ids[i] == own || ids[i] == -1, ann.get(j).cls() + " box holds a point of object " + ids[i]);
                    if (ids[i] == own) ownInside++;
                }
                assertEquals(ownTotal, ownInside, ann.get(j).cls() + " box misses points of its object");
                if (NEW.contains(ann.get(j).cls()) && ownTotal > 0) newChecked++;
            }
        }
        assertTrue(newChecked >= 3, "new-class objects with points: " + newChecked);
    }

    @Test
    void nuScenesScenesHoldAllTenDetectionClasses(@TempDir Path root) throws IOException {
        SyntheticNuScenes.Config cfg = new SyntheticNuScenes.Config(1, 0, 60, 0, false);
        SyntheticNuScenes.write(root, 4, 11, cfg, null);
        NuScenesTables tables = NuScenesTables.load(root, SyntheticNuScenes.VERSION);
        Set<String> names = new TreeSet<>();
        for (NuScenesTables.SampleAnnotation a : tables.sampleAnnotations().values()) {
            String category = tables.categoryName(a);
            String name = DetectionClasses.detectionName(category);
            assertNotNull(name, "category " + category);
            names.add(name);
            for (ObjectClass c : NEW) {
                if (!c.nuScenesCategory.equals(category)) continue;
                double[] range = Shapes.boxRange(c);
                double[] lwh = {a.size()[1], a.size()[0], a.size()[2]}; // nuScenes sizes are (w, l, h)
                for (int k = 0; k < 3; k++)
                    assertTrue(lwh[k] >= range[2 * k] - 1e-9 && lwh[k] <= range[2 * k + 1] + 1e-9, c + " size " + java.util.Arrays.toString(a.size()));
                List<String> attrs = a.attributeTokens().stream().map(t -> tables.attributes().get(t).name()).toList();
                assertEquals(1, attrs.size(), c + " attributes " + attrs);
                assertTrue(DetectionClasses.relevantAttributes(name).contains(attrs.get(0)), c + " attribute " + attrs.get(0));
            }
        }
        assertEquals(new TreeSet<>(DetectionClasses.NAMES), names);
    }

    @Test
    void occ3dLabelsHoldTheNewClassesSemantics() {
        SyntheticNuScenes.Config cfg = new SyntheticNuScenes.Config(1, 0, 60);
        Set<Integer> want = Set.of(3, 5, 6, 9), seen = new TreeSet<>();
        assertEquals(List.of("bus", "construction_vehicle", "motorcycle", "trailer"),
                want.stream().sorted().map(fuse3d.data.occ3d.Occ3d.CLASS_NAMES::get).toList());
        for (long s = 0; s < 5 && !seen.containsAll(want); s++) {
            Occ3dLabels labels = SyntheticOcc3d.labels(SyntheticNuScenes.scenePlan(11, s, cfg), 0);
            for (int i = 0; i < labels.size(); i++) if (want.contains(labels.label(i))) seen.add(labels.label(i));
        }
        assertEquals(want, seen);
    }
}
