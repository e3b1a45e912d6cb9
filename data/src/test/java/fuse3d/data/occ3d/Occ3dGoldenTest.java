package fuse3d.data.occ3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.tensor.io.Npy;
import fuse3d.tensor.io.RawArray;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The evaluator against a plain-numpy re-derivation of the official Occ3D mIoU and SparseOcc RayIoU code on
 * small random grids ({@code tests/golden/data/gen_occ3d_eval.py} writes {@code golden/occ3d_eval.npz}).
 */
class Occ3dGoldenTest {
    private static Map<String, RawArray> golden;

    @BeforeAll
    static void load() throws IOException {
        Path tmp = Files.createTempFile("occ3d_eval", ".npz");
        try (InputStream in = Occ3dGoldenTest.class.getResourceAsStream("/golden/occ3d_eval.npz")) {
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            golden = Npy.readNpz(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Test
    void raysMatchTheOfficialGenerator() {
        double[] pitch = golden.get("pitch").toDoubleArray();
        assertEquals(39, pitch.length, "39 pitch angles (the code's comment says 44; it makes 39)");
        assertArrayEquals(pitch, RayCaster.pitchAngles(), 1e-15);
        float[] rays = golden.get("rays").toFloatArray();
        float[][] mine = RayCaster.lidarRays();
        assertEquals(14040, mine.length);
        int differ = 0;
        for (int i = 0; i < mine.length; i++)
            for (int k = 0; k < 3; k++)
                if (Float.floatToIntBits(mine[i][k]) != Float.floatToIntBits(rays[3 * i + k])) differ++;
        // numpy's cos/sin (the C library's) and StrictMath's may differ in the last bit of a double, which
        // survives the rounding to float32 only on exact ties; none occur.
        assertEquals(0, differ, "float32 ray components that differ from numpy's");
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "multi", "outside", "coarse"})
    void matchesTheNumpyReference(String name) {
        float[] g = golden.get(name + "/grid").toFloatArray();
        int count = golden.get(name + "/count").toIntArray()[0];
        int[] shape = golden.get(name + "/0/semantics").shape();
        Occ3dGrid grid = new Occ3dGrid(g[0], g[1], g[2], g[3], shape[0], shape[1], shape[2]);
        Occ3dEvaluator ev = new Occ3dEvaluator(grid, true);
        Occ3dLabels first = null;
        List<double[]> firstOrigins = null;
        for (int s = 0; s < count; s++) {
            String p = name + "/" + s + "/";
            Occ3dLabels gt = new Occ3dLabels(shape[0], shape[1], shape[2], bytes(golden.get(p + "semantics")),
                    golden.get(p + "mask_lidar").toBooleanArray(), golden.get(p + "mask_camera").toBooleanArray());
            Occ3dLabels pred = Occ3dLabels.ofSemantics(shape, bytes(golden.get(p + "pred")));
            double[] o = golden.get(p + "origins").toDoubleArray();
            List<double[]> origins = new ArrayList<>();
            for (int i = 0; i < o.length; i += 3) origins.add(new double[] {o[i], o[i + 1], o[i + 2]});
            ev.add(gt, pred, origins);
            if (s == 0) {
                first = gt;
                firstOrigins = origins;
            }
        }
        Occ3dResult r = ev.result();
        for (Occ3dEvaluator.MaskMode m : Occ3dEvaluator.MaskMode.values()) {
            double[] iou = golden.get(name + "/" + m.key + "/iou").toDoubleArray();
            assertArrayEquals(iou, r.mask(m).iou(), 1e-12, name + " " + m.key);
            double[] s = golden.get(name + "/" + m.key + "/scalars").toDoubleArray();
            assertEquals(s[0], r.mask(m).miou(), 1e-12, name + " " + m.key + " miou");
            assertEquals(s[1], r.mask(m).occupiedIou(), 1e-12, name + " " + m.key + " occupied");
            assertEquals(s[2], r.mask(m).miouD(), 1e-12, name + " " + m.key + " miou_d");
        }
        double[] per = golden.get(name + "/rayiou/per_class").toDoubleArray(); // [17, 3]
        for (int c = 0; c < 17; c++)
            for (int j = 0; j < 3; j++)
                assertEquals(per[3 * c + j], r.rayIou().perClass()[c][j], 1e-12, name + " ray class " + c + " @" + j);
        double[] rs = golden.get(name + "/rayiou/scalars").toDoubleArray();
        assertEquals(rs[0], r.rayIou().rayIou(), 1e-12);
        assertArrayEquals(new double[] {rs[1], rs[2], rs[3]}, r.rayIou().atThreshold(), 1e-12);

        // Ray by ray, for the first origin: the same voxel and bit-identical distances.
        int n = RayCaster.rayCount();
        int[] label = new int[n];
        float[] dist = new float[n];
        RayCaster.cast(grid, first, firstOrigins.getFirst(), label, dist, 0);
        assertArrayEquals(golden.get(name + "/cast_label").toIntArray(), label, name);
        assertArrayEquals(golden.get(name + "/cast_dist").toFloatArray(), dist, 0f, name);
    }

    private static byte[] bytes(RawArray a) {
        int[] v = a.toIntArray();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }
}
