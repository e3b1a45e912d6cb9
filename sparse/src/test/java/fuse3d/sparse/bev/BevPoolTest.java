package fuse3d.sparse.bev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.testing.Closeness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BEVPoolv2: ranks preparation and pooling by hand, edge cases, float64 gradcheck, and the PyTorch golden cases. */
class BevPoolTest {
    /**
     * BEVDet's own example (test_bev_pool_v2): depth [1, 1, 2, 2, 2] = 0.3 .. 0.9, features all ones with C = 2, four
     * points in two cells; the sum of the output is 4.4 and the gradients of sum() are known.
     */
    @Test
    void bevDetExampleByHand() {
        BevPoolRanks r = BevPoolRanks.of(1, 2, 2, 2, 1, 1, 2, 2, new int[] {0, 4, 1, 6}, new int[] {0, 0, 1, 2}, new int[] {0, 0, 1, 1},
                new int[] {0, 2}, new int[] {2, 2});
        Var depth = Var.leaf(Tensor.ofFloats(new float[] {0.3f, 0.4f, 0.2f, 0.1f, 0.7f, 0.6f, 0.8f, 0.9f}, 1, 2, 2, 2));
        Var feat = Var.leaf(Tensor.ones(1, 2, 2, 2)); // [B*N, C, H, W]
        Var out = BevPool.pool(depth, feat, r);
        assertArrayEquals(new int[] {1, 2, 1, 2, 2}, out.shape());
        // cell 0: 0.3 + 0.7; cell 1: 0.4 + 0.8; cells 2, 3 empty; per channel
        assertArrayEquals(new float[] {1.0f, 1.2f, 0, 0, 1.0f, 1.2f, 0, 0}, out.data().toFloatArray(), 1e-6f);
        Var loss = out.sum();
        assertEquals(4.4, loss.item(), 1e-6);
        loss.backward();
        assertArrayEquals(new float[] {2, 2, 0, 0, 2, 0, 2, 0}, depth.grad().toFloatArray(), 1e-6f);
        // BEVDet lists the feature gradient channels-last: [1, 1, 0.4, 0.4, 0.8, 0.8, 0, 0]; here [C, H, W]
        assertArrayEquals(new float[] {1, 0.4f, 0.8f, 0, 1, 0.4f, 0.8f, 0}, feat.grad().toFloatArray(), 1e-6f);
    }

    /** A 1 x 1 camera grid, lidar = camera frame: the frustum points of one pixel fall in cells by depth. */
    @Test
    void prepareVoxelisesByTruncationAndDropsOutsidePoints() {
        // points (x, y, z): cell index (x - (-2)) / 1 truncated; x = -2.5 is (-0.5) -> cell 0 as BEVDet's .long()
        float[] c = {
            -2.5f, 0.5f, 0.5f,   // t = -0.5 -> truncates to 0 (kept, cell x 0)
            -3.5f, 0.5f, 0.5f,   // t = -1.5 -> -1 (dropped)
            1.99f, 0.5f, 0.5f,   // t = 3.99 -> x 3 (kept)
            2.0f, 0.5f, 0.5f,    // t = 4 -> x 4 = nx (dropped)
            Float.NaN, 0.5f, 0.5f, // NaN (dropped)
            0.5f, Float.POSITIVE_INFINITY, 0.5f, // inf (dropped)
            -1.5f, -0.5f, 0.5f,  // x 0 (t 0.5), y t = 0.5 -> y 0 ... kept
            1.5f, 0.5f, 0.5f};   // x 3 kept: same cell as point 2
        Tensor coords = Tensor.ofFloats(c, 1, 1, 8, 1, 1, 3); // B = 1, N = 1, D = 8, H = W = 1
        BevGrid grid = new BevGrid(-2, 2, 1, -1, 1, 1, 0, 1, 1); // nx 4, ny 2, nz 1
        BevPoolRanks r = BevPoolRanks.prepare(coords, grid);
        // cells: point 0 -> y t = 1.5 -> y 1, x 0: cell 4; point 2 -> y 1, x 3: cell 7; point 6 -> y 0, x 0: cell 0; point 7 -> cell 7
        assertArrayEquals(new int[] {0, 4, 7, 7}, r.ranksBev().toIntArray());
        assertArrayEquals(new int[] {6, 0, 2, 7}, r.ranksDepth().toIntArray());
        assertArrayEquals(new int[] {0, 0, 0, 0}, r.ranksFeat().toIntArray());
        assertArrayEquals(new int[] {0, 1, 2}, r.intervalStarts().toIntArray());
        assertArrayEquals(new int[] {1, 1, 2}, r.intervalLengths().toIntArray());
    }

    @Test
    void emptyPlanGivesZerosAndZeroGradients() {
        Tensor coords = Tensor.full(100, DType.FLOAT32, 2, 1, 3, 2, 2, 3); // everything far outside
        BevPoolRanks r = BevPoolRanks.prepare(coords, new BevGrid(-1, 1, 0.5, -1, 1, 0.5, -1, 1, 2));
        assertEquals(0, r.points());
        assertEquals(0, r.intervals());
        Var depth = Var.leaf(Tensor.ones(2, 3, 2, 2)), feat = Var.leaf(Tensor.ones(2, 4, 2, 2));
        Var out = BevPool.pool(depth, feat, r);
        assertArrayEquals(new int[] {2, 4, 1, 4, 4}, out.shape());
        assertEquals(0, out.data().abs().sum().item());
        out.sum().backward();
        assertEquals(0, depth.grad().abs().sum().item());
        assertEquals(0, feat.grad().abs().sum().item());
    }

    @Test
    void shapeErrorsNameTheOpAndShapes() {
        BevPoolRanks r = BevPoolRanks.of(1, 2, 2, 2, 1, 1, 2, 2, new int[] {0}, new int[] {0}, new int[] {0}, new int[] {0}, new int[] {1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BevPool.pool(Tensor.ones(1, 3, 2, 2), Tensor.ones(1, 2, 2, 2), r));
        assertTrue(e.getMessage().startsWith("bev_pool_v2") && e.getMessage().contains("[1, 3, 2, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BevPool.pool(Tensor.ones(1, 2, 2, 2), Tensor.ones(DType.FLOAT64, 1, 2, 2, 2), r));
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("float64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BevPoolRanks.prepare(Tensor.zeros(1, 2, 3, 3), new BevGrid(0, 1, 1, 0, 1, 1, 0, 1, 1)));
        assertTrue(e.getMessage().contains("BevPoolRanks.prepare") && e.getMessage().contains("[1, 2, 3, 3]"), e.getMessage());
        // explicit plans are validated: ranks out of range, broken intervals, a repeated depth entry or cell
        int[] one = {0};
        assertThrows(IllegalArgumentException.class, () -> BevPoolRanks.of(1, 2, 2, 2, 1, 1, 2, 2, new int[] {8}, one, one, one, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> BevPoolRanks.of(1, 2, 2, 2, 1, 1, 2, 2, new int[] {0, 1}, new int[] {0, 1}, new int[] {0, 1},
                new int[] {0}, new int[] {2}));
        assertThrows(IllegalArgumentException.class, () -> BevPoolRanks.of(1, 2, 2, 2, 1, 1, 2, 2, new int[] {0, 0}, new int[] {0, 0}, new int[] {0, 0},
                new int[] {0}, new int[] {2}));
        assertThrows(IllegalArgumentException.class, () -> BevPoolRanks.of(1, 2, 2, 2, 1, 1, 2, 2, new int[] {0, 1}, new int[] {0, 1}, new int[] {0, 0},
                new int[] {0, 1}, new int[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new BevGrid(-51.2, 51.2, 0.7, -1, 1, 1, 0, 1, 1)); // not a whole number of cells
        assertEquals(128, new BevGrid(-51.2, 51.2, 0.8, -51.2, 51.2, 0.8, -5, 3, 8).nx());
    }

    @Test
    void gradcheckDepthAndFeaturesInFloat64() {
        Generator g = new Generator(11);
        int b = 2, n = 2, d = 3, h = 2, w = 3, c = 2;
        // random geometry over a 3 x 3 x 2 grid, some points outside
        Tensor coords = g.uniform(DType.FLOAT64, -0.5, 3.4, b, n, d, h, w, 3);
        BevPoolRanks r = BevPoolRanks.prepare(coords, new BevGrid(0, 3, 1, 0, 3, 1, 0, 2, 1));
        assertTrue(r.points() > 10 && r.points() < b * n * d * h * w, r.toString());
        Tensor depth = g.uniform(DType.FLOAT64, 0, 1, b * n, d, h, w);
        Tensor feat = g.normal(DType.FLOAT64, 0, 1, b * n, c, h, w);
        Gradcheck.Report rep = Gradcheck.check("bev_pool_v2", in -> List.of(BevPool.pool(in.get(0), in.get(1), r)), List.of(depth, feat));
        assertTrue(rep.passed(), rep::toString);
        Gradcheck.Report col = Gradcheck.check("bev_pool_v2+collapseZ", in -> List.of(BevPool.collapseZ(BevPool.pool(in.get(0), in.get(1), r))),
                List.of(depth, feat));
        assertTrue(col.passed(), col::toString);
    }

    @Test
    void goldenRanksMatchBevDetPrepare() throws Exception {
        JsonNode a = BevFixtures.args("ranks");
        BevGrid grid = BevGrid.of(BevFixtures.doubles(a.get("x")), BevFixtures.doubles(a.get("y")), BevFixtures.doubles(a.get("z")));
        BevPoolRanks r = BevPoolRanks.prepare(BevFixtures.golden(a.get("coor").asText()), grid);
        assertArrayEquals(BevFixtures.golden("ranks/out0").toIntArray(), r.ranksBev().toIntArray(), "ranks_bev");
        assertArrayEquals(BevFixtures.golden("ranks/out1").toIntArray(), r.ranksDepth().toIntArray(), "ranks_depth");
        assertArrayEquals(BevFixtures.golden("ranks/out2").toIntArray(), r.ranksFeat().toIntArray(), "ranks_feat");
        assertArrayEquals(BevFixtures.golden("ranks/out3").toIntArray(), r.intervalStarts().toIntArray(), "interval_starts");
        assertArrayEquals(BevFixtures.golden("ranks/out4").toIntArray(), r.intervalLengths().toIntArray(), "interval_lengths");
    }

    @Test
    void goldenPoolForwardAndBackward() throws Exception {
        for (String kase : new String[] {"pool", "pool64"}) {
            int[] s = toInts(BevFixtures.args(kase).get("bev_feat_shape")); // (B, Z, Y, X, C)
            Tensor depth = BevFixtures.golden(kase + "/in0"), feat = BevFixtures.golden(kase + "/in1");
            BevPoolRanks r = BevPoolRanks.of(depth.size(0), depth.size(1), depth.size(2), depth.size(3), s[0], s[1], s[2], s[3],
                    BevFixtures.golden(kase + "/in2").toIntArray(), BevFixtures.golden(kase + "/in3").toIntArray(), BevFixtures.golden(kase + "/in4").toIntArray(),
                    BevFixtures.golden(kase + "/in5").toIntArray(), BevFixtures.golden(kase + "/in6").toIntArray());
            Var vd = Var.leaf(depth), vf = Var.leaf(feat);
            Var out = BevPool.pool(vd, vf, r);
            double rtol = depth.dtype() == DType.FLOAT64 ? 1e-12 : 1e-5, atol = depth.dtype() == DType.FLOAT64 ? 1e-12 : 1e-6;
            Closeness.assertClose(out.data(), BevFixtures.golden(kase + "/out0"), rtol, atol);
            out.backward(BevFixtures.golden(kase + "/in7"));
            Closeness.assertClose(vd.grad(), BevFixtures.golden(kase + "/out1"), rtol, atol);
            Closeness.assertClose(vf.grad(), BevFixtures.golden(kase + "/out2"), rtol, atol);
            if (kase.equals("pool")) Closeness.assertClose(BevPool.collapseZ(Var.of(out.data())).data(), BevFixtures.golden("pool/out3"), 0, 0);
        }
    }

    private static int[] toInts(JsonNode n) {
        int[] a = new int[n.size()];
        for (int i = 0; i < a.length; i++) a[i] = n.get(i).asInt();
        return a;
    }
}
