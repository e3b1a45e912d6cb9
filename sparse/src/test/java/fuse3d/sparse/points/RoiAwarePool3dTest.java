package fuse3d.sparse.points;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** RoI-aware pooling: cell assignment, max / avg pooling and their gradients. */
class RoiAwarePool3dTest {

    @Test
    void byHand() {
        // box 4 x 2 x 2 at the origin turned 90 degrees: its local x runs along world y; 2 x 1 x 1 cells
        Tensor roi = Tensor.ofFloats(new float[] {0, 0, 0, 4, 2, 2, (float) (Math.PI / 2)}, 1, 7);
        Tensor pts = Tensor.ofFloats(new float[] {0, -1, 0, 0, -1.5f, 0.5f, 0.5f, 1, 0, 0, 5, 0}, 4, 3);
        Tensor f = Tensor.ofFloats(new float[] {1, 10, 3, -10, 7, 0, 100, 100}, 4, 2);
        // world y < 0 is local x < 0: points 0 and 1 in cell 0, point 2 in cell 1, point 3 outside
        Var max = RoiAwarePool3d.pool(roi, pts, Var.of(f), 2, 1, 1, 128, RoiAwarePool3d.Method.MAX);
        assertArrayEquals(new int[] {1, 2, 1, 1, 2}, max.shape());
        assertArrayEquals(new float[] {3, 10, 7, 0}, max.data().toFloatArray());
        Var avg = RoiAwarePool3d.pool(roi, pts, Var.of(f), 2, 1, 1, 128, RoiAwarePool3d.Method.AVG);
        assertArrayEquals(new float[] {2, 0, 7, 0}, avg.data().toFloatArray());
        // a buffer of 2 keeps one point per cell (slot 0 is the counter): point 0 alone in cell 0
        Var small = RoiAwarePool3d.pool(roi, pts, Var.of(f), 2, 1, 1, 2, RoiAwarePool3d.Method.AVG);
        assertArrayEquals(new float[] {1, 10, 7, 0}, small.data().toFloatArray());
    }

    @Test
    void emptyInputsAndErrors() {
        Tensor roi = Tensor.ofFloats(new float[] {0, 0, 0, 1, 1, 1, 0}, 1, 7);
        Var none = RoiAwarePool3d.pool(roi, Tensor.zeros(0, 3), Var.of(Tensor.zeros(0, 5)), 3, RoiAwarePool3d.Method.MAX);
        assertArrayEquals(new int[] {1, 3, 3, 3, 5}, none.shape());
        assertEquals(0.0, none.data().abs().sum().item());
        assertArrayEquals(new int[] {0, 2, 2, 2, 5},
                RoiAwarePool3d.pool(Tensor.zeros(0, 7), Tensor.zeros(4, 3), Var.of(Tensor.ones(4, 5)), 2, RoiAwarePool3d.Method.AVG).shape());
        // a flat (zero-size) RoI clamps its points into the grid instead of dividing by zero
        Tensor flat = Tensor.ofFloats(new float[] {0, 0, 0, 0, 0, 0, 0}, 1, 7);
        Var f = RoiAwarePool3d.pool(flat, Tensor.zeros(1, 3), Var.of(Tensor.ones(1, 1)), 2, RoiAwarePool3d.Method.MAX);
        assertEquals(1.0, f.data().sum().item());
        var e = assertThrows(IllegalArgumentException.class,
                () -> RoiAwarePool3d.pool(roi, Tensor.zeros(4, 3), Var.of(Tensor.ones(3, 5)), 2, RoiAwarePool3d.Method.AVG));
        assertTrue(e.getMessage().contains("roiaware_pool3d") && e.getMessage().contains("[4, 3]") && e.getMessage().contains("[3, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RoiAwarePool3d.Method.parse("sum"));
        assertTrue(e.getMessage().contains("'sum'"), e.getMessage());
    }

    /** Every kept point is inside its RoI and in the cell its local coordinates name; inside points are all kept. */
    @Property(tries = 40)
    void assignmentAndPoolingEqualBruteForce(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int ox, @ForAll @IntRange(min = 1, max = 4) int oz) {
        Random r = new Random(seed);
        int np = 300, nr = 3, c = 3;
        Tensor pts = TestData.uniform(r, -2, 2, np, 3), rois = TestData.boxes(r, nr, -1, 1);
        Tensor f = TestData.uniform(r, -1, 1, np, c);
        RoiAwarePool3d.Assignment a = RoiAwarePool3d.assign(rois, pts, ox, 2, oz, 1000);
        int[] mask = PointsInBoxes.mask(pts, rois, PointsInBoxes.MARGIN_GPU).toIntArray();
        float[] fv = f.toFloatArray();
        float[] max = RoiAwarePool3d.pool(rois, pts, Var.of(f), ox, 2, oz, 1000, RoiAwarePool3d.Method.MAX).data().toFloatArray();
        float[] avg = RoiAwarePool3d.pool(rois, pts, Var.of(f), ox, 2, oz, 1000, RoiAwarePool3d.Method.AVG).data().toFloatArray();
        int[] outDims = {ox, 2, oz};
        for (int k = 0; k < nr; k++) {
            double[] b = TestData.row(rois, k);
            List<Integer> seen = new ArrayList<>();
            for (int x = 0; x < ox; x++)
                for (int y = 0; y < 2; y++)
                    for (int z = 0; z < oz; z++) {
                        int[] cell = a.cell(k, x, y, z);
                        int flat = ((k * ox + x) * 2 + y) * oz + z;
                        for (int i = 1; i < cell.length; i++) assertTrue(cell[i - 1] < cell[i], "point order");
                        for (int j : cell) {
                            seen.add(j);
                            double[] p = TestData.row(pts, j);
                            double cs = Math.cos(-b[6]), sn = Math.sin(-b[6]);
                            double lx = (p[0] - b[0]) * cs - (p[1] - b[1]) * sn, ly = (p[0] - b[0]) * sn + (p[1] - b[1]) * cs;
                            double[] frac = {(lx + b[3] / 2) / b[3] * outDims[0], (ly + b[4] / 2) / b[4] * outDims[1], (p[2] - b[2] + b[5] / 2) / b[5] * outDims[2]};
                            int[] at = {x, y, z};
                            for (int d = 0; d < 3; d++) {
                                double expect = Math.min(Math.max(Math.floor(frac[d]), 0), outDims[d] - 1);
                                if (Math.abs(frac[d] - Math.rint(frac[d])) > 1e-3) assertEquals(expect, at[d], "axis " + d);
                            }
                        }
                        for (int ch = 0; ch < c; ch++) {
                            double mx = Double.NEGATIVE_INFINITY, sum = 0;
                            for (int j : cell) {
                                mx = Math.max(mx, fv[j * c + ch]);
                                sum += fv[j * c + ch];
                            }
                            assertEquals(cell.length == 0 ? 0 : mx, max[flat * c + ch], 0);
                            assertEquals(cell.length == 0 ? 0 : sum / cell.length, avg[flat * c + ch], 1e-6);
                        }
                    }
            List<Integer> inside = new ArrayList<>();
            for (int j = 0; j < np; j++) if (mask[k * np + j] == 1) inside.add(j);
            seen.sort(null);
            assertEquals(inside, seen);
        }
    }

    @Test
    void gradcheckAvgAndMax() {
        Random r = new Random(5);
        Tensor pts = TestData.uniform(r, -1.5, 1.5, 60, 3), rois = TestData.boxes(r, 3, -0.5, 0.5);
        Tensor f = TestData.uniform64(r, -1, 1, 60, 4); // distinct values: no ties at the max
        for (RoiAwarePool3d.Method m : RoiAwarePool3d.Method.values())
            Gradcheck.assertGradients("roiaware_pool3d " + m, in -> List.of(RoiAwarePool3d.pool(rois, pts, in.get(0), 2, 2, 1, 5, m)), List.of(f));
        // the gradient reaches only points kept in some cell
        Var leaf = Var.leaf(f.copy());
        RoiAwarePool3d.pool(rois, pts, leaf, 2, RoiAwarePool3d.Method.AVG).sum().backward();
        int[] first = PointsInBoxes.boxIndexOfPointsSingle(pts, rois).toIntArray();
        double[] g = leaf.grad().toDoubleArray();
        for (int j = 0; j < 60; j++) if (first[j] < 0) assertEquals(0.0, g[j * 4]);
    }
}
