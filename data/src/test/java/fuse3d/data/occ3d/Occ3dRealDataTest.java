package fuse3d.data.occ3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fuse3d.tensor.testing.SampleData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
/**
 * The real Occ3D-nuScenes sample of the shared data folder (never copied into the project: nuScenes terms,
 * non-commercial). Skipped, with the reason, when the folder is absent.
 */
class Occ3dRealDataTest {
    private static final String TOKEN = "29796060110c4163b07f06eff4af0753";

    private static Path labels() {
        String rel = "occ3d/" + TOKEN + "/labels.npz";
        Path p = SampleData.find(rel).orElse(null);
        Assumptions.assumeTrue(p != null && Files.isRegularFile(p), SampleData.missing(rel));
        return p;
    }

    @Test
    void loadsWithTheRightShapesAndClasses() throws IOException {
        Occ3dLabels l = Occ3dLabels.read(labels());
        assertArrayEquals(Occ3d.GRID.shape(), l.shape());
        boolean[] seen = new boolean[256];
        for (int i = 0; i < l.size(); i++) seen[l.label(i)] = true;
        int[] present = IntStream.range(0, 256).filter(c -> seen[c]).toArray();
        assertArrayEquals(new int[] {0, 1, 3, 4, 6, 11, 13, 14, 15, 16, 17}, present, "the classes the data README lists");
        int lidar = 0, camera = 0;
        for (int i = 0; i < l.size(); i++) {
            if (l.maskLidar()[i]) lidar++;
            if (l.maskCamera()[i]) camera++;
        }
        assertEquals(56601, lidar);
        assertEquals(43355, camera);
    }

    @Test
    void roundTripsThroughTheWriter(@TempDir Path dir) throws IOException {
        Occ3dLabels l = Occ3dLabels.read(labels());
        Path out = Occ3dTree.labelsPath(dir, "scene-0001", TOKEN);
        l.write(out);
        assertEquals(l, Occ3dLabels.read(out));
        assertEquals(List.of(new Occ3dTree.Sample("scene-0001", TOKEN, out)), Occ3dTree.list(dir));
    }

    @Test
    void groundTruthAgainstItselfScoresOneHundred() throws IOException {
        Occ3dLabels l = Occ3dLabels.read(labels());
        Occ3dEvaluator ev = new Occ3dEvaluator();
        ev.add(l, l.withoutMasks(), List.of(RayOrigins.NUSCENES_LIDAR_IN_EGO));
        Occ3dResult r = ev.result();
        assertEquals(1.0, r.maskCamera().miou(), 0);
        assertEquals(1.0, r.noMask().occupiedIou(), 0);
        assertEquals(1.0, r.rayIou().rayIou(), 0);
    }

    /** Against numbers the numpy reference computed on the same file and the same derived prediction. */
    @Test
    void matchesTheNumpyReferenceOnTheRealSample() throws IOException {
        Occ3dLabels gt = Occ3dLabels.read(labels());
        JsonNode exp;
        try (InputStream in = getClass().getResourceAsStream("/golden/occ3d_real_expected.json")) {
            exp = new ObjectMapper().readTree(in);
        }
        Occ3dLabels pred = derivedPrediction(gt);
        List<double[]> origins = new ArrayList<>();
        for (JsonNode o : exp.get("origins")) origins.add(new double[] {o.get(0).asDouble(), o.get(1).asDouble(), o.get(2).asDouble()});
        Occ3dEvaluator ev = new Occ3dEvaluator();
        ev.add(gt, pred, origins);
        Occ3dResult r = ev.result();
        for (Occ3dEvaluator.MaskMode m : Occ3dEvaluator.MaskMode.values()) {
            JsonNode e = exp.get(m.key);
            for (int c = 0; c < 17; c++) {
                JsonNode v = e.get("iou").get(c);
                if (v.isNull()) assertTrue(Double.isNaN(r.mask(m).iou()[c]), m.key + " class " + c);
                else assertEquals(v.asDouble(), r.mask(m).iou()[c], 1e-12, m.key + " class " + c);
            }
            assertEquals(e.get("miou").asDouble(), r.mask(m).miou(), 1e-12);
            assertEquals(e.get("occupied_iou").asDouble(), r.mask(m).occupiedIou(), 1e-12);
            assertEquals(e.get("miou_d").asDouble(), r.mask(m).miouD(), 1e-12);
        }
        JsonNode ray = exp.get("rayiou");
        assertEquals(ray.get("RayIoU").asDouble(), r.rayIou().rayIou(), 1e-12);
        for (int c = 0; c < 17; c++)
            for (int j = 0; j < 3; j++) {
                JsonNode v = ray.get("per_class").get(c).get(j);
                if (v.isNull()) assertTrue(Double.isNaN(r.rayIou().perClass()[c][j]));
                else assertEquals(v.asDouble(), r.rayIou().perClass()[c][j], 1e-12, "ray class " + c + " @" + j);
            }
    }

    /** The generator's real_prediction: free on a diagonal pattern, some cars as trucks, shifted by one in y. */
    static Occ3dLabels derivedPrediction(Occ3dLabels gt) {
        int nx = gt.nx(), ny = gt.ny(), nz = gt.nz();
        byte[] p = gt.semantics().clone();
        for (int x = 0; x < nx; x++)
            for (int y = 0; y < ny; y++)
                for (int z = 0; z < nz; z++) {
                    int i = (x * ny + y) * nz + z;
                    if ((x + 2 * y + 3 * z) % 11 == 0) p[i] = 17;
                    if (p[i] == 4 && x % 3 == 0) p[i] = 10;
                }
        byte[] rolled = new byte[p.length];
        for (int x = 0; x < nx; x++)
            for (int y = 0; y < ny; y++)
                System.arraycopy(p, (x * ny + y) * nz, rolled, (x * ny + (y + 1) % ny) * nz, nz);
        return Occ3dLabels.ofSemantics(gt.shape(), rolled);
    }
}
