package fuse3d.sparse.points;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.SafeTensors;
import fuse3d.tensor.io.TensorIO;
import fuse3d.tensor.ops.Args;
import fuse3d.tensor.testing.Closeness;
import fuse3d.tensor.testing.GoldenCases;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays golden/point_ops.safetensors, written by tests/golden/sparse/gen_point_ops.py: plain-torch (1.13)
 * re-statements of OpenPCDet's CUDA point ops, their outputs and, for the differentiable ones, the gradient of a
 * stored random cotangent. Indices must match exactly; float32 values within 1e-5 relative, 1e-6 absolute.
 */
class PointOpsGoldenTest {
    private static final double RTOL = 1e-5, ATOL = 1e-6;

    record Case(String name, String op, Args args, List<Tensor> in, List<Tensor> out) {}

    static List<Case> load() throws Exception {
        List<Case> cases = new ArrayList<>();
        for (GoldenCases.Case c : GoldenCases.read(Path.of(PointOpsGoldenTest.class.getResource("/golden/point_ops.safetensors").toURI())))
            cases.add(new Case(c.name(), c.op(), c.args(), c.inputs(), c.outputs()));
        return cases;
    }

    @TestFactory
    List<DynamicTest> golden() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        List<Case> cases = load();
        assertTrue(cases.size() >= 12, "fixture holds " + cases.size() + " cases");
        for (Case c : cases) tests.add(DynamicTest.dynamicTest(c.name(), () -> replay(c)));
        return tests;
    }

    private static void replay(Case c) {
        List<Tensor> in = c.in(), out = c.out();
        Args a = c.args();
        switch (c.op()) {
            case "furthest_point_sample" -> exact(out.get(0), FarthestPointSampling.sample(in.get(0), a.getInt("npoint", 0)));
            case "ball_query" -> exact(out.get(0), BallQuery.query(a.getDouble("radius", 0), a.getInt("nsample", 0), in.get(0), in.get(1)).idx());
            case "grouping_operation" -> withGrad(in.get(0), in.get(2), out, f -> BallQuery.group(f, in.get(1)));
            case "three_nn" -> {
                ThreeInterpolation.Result r = ThreeInterpolation.threeNN(in.get(0), in.get(1));
                Closeness.assertClose(r.dist(), out.get(0), RTOL, ATOL);
                exact(out.get(1), r.idx());
            }
            case "three_interpolate" -> withGrad(in.get(0), in.get(3), out, f -> ThreeInterpolation.interpolate(f, in.get(1), in.get(2)));
            case "points_in_boxes_gpu" -> exact(out.get(0), PointsInBoxes.boxIndexOfPoints(in.get(0), in.get(1)));
            case "points_in_boxes_cpu" -> exact(out.get(0), PointsInBoxes.mask(in.get(0), in.get(1), PointsInBoxes.MARGIN_CPU));
            case "roiaware_pool3d" -> {
                int[] s = a.getInts("out_size", 3, null);
                RoiAwarePool3d.Method m = RoiAwarePool3d.Method.parse(a.getString("pool_method", "max"));
                int maxPts = a.getInt("max_pts_each_voxel", 128);
                withGrad(in.get(2), in.get(3), out, f -> RoiAwarePool3d.pool(in.get(0), in.get(1), f, s[0], s[1], s[2], maxPts, m));
            }
            case "roi_grid_pool" -> roiGridPool(c);
            default -> throw new AssertionError("unknown golden op " + c.op());
        }
    }

    private static void withGrad(Tensor x, Tensor gradOut, List<Tensor> out, java.util.function.Function<Var, Var> f) {
        Var leaf = Var.leaf(x.copy());
        Var y = f.apply(leaf);
        Closeness.assertClose(y.data(), out.get(0), RTOL, ATOL);
        y.backward(gradOut);
        Closeness.assertClose(leaf.grad(), out.get(1), RTOL, ATOL);
    }

    private static void exact(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertArrayEquals(expected.toIntArray(), actual.toIntArray());
    }

    @SuppressWarnings("unchecked")
    private static void roiGridPool(Case c) {
        Args a = c.args();
        List<Tensor> in = c.in(), out = c.out();
        Tensor rois = in.get(0), coords = in.get(1), feats = in.get(2), gradOut = in.get(3);
        List<String> names = (List<String>) a.values().get("state_names");
        Map<String, Tensor> state = new HashMap<>();
        for (int i = 0; i < names.size(); i++) state.put(names.get(i), in.get(4 + i));
        int grid = a.getInt("grid_size", 0), stride = a.getInt("stride", 1);
        double[] vs = doubles(a.values().get("voxel_size")), range = doubles(a.values().get("point_cloud_range"));
        int[] shape = a.getInts("spatial_shape", 3, null);
        List<List<Number>> qr = (List<List<Number>>) a.values().get("query_ranges");
        List<List<Number>> mlps = (List<List<Number>>) a.values().get("mlps");
        int[][] ranges = new int[qr.size()][], specs = new int[mlps.size()][];
        for (int k = 0; k < ranges.length; k++) {
            ranges[k] = qr.get(k).stream().mapToInt(Number::intValue).toArray();
            specs[k] = mlps.get(k).stream().mapToInt(Number::intValue).toArray();
        }
        NeighborVoxelSAModuleMSG sa = new NeighborVoxelSAModuleMSG(ranges, doubles(a.values().get("radii")), a.getInts("nsamples", 2, null), specs,
                "max_pool", new Generator(1));
        var report = sa.loadStateDict(state, true);
        assertTrue(report.clean(), report.toString());
        sa.eval();

        int b = rois.size(0), r = rois.size(1);
        Tensor gridXyz = RoiGridPoints.global(rois.reshape(b * r, 7), grid).reshape(-1, 3);
        Closeness.assertClose(gridXyz, out.get(0), RTOL, ATOL);
        int[] batch = new int[gridXyz.size(0)];
        for (int i = 0; i < batch.length; i++) batch[i] = i / (gridXyz.size(0) / b);
        exact(out.get(1), VoxelQuery.gridCoords(gridXyz, batch, vs, range, stride));
        Tensor centers = VoxelQuery.voxelCenters(coords, vs, range, stride);
        Closeness.assertClose(centers, out.get(2), RTOL, ATOL);
        VoxelQuery.VoxelIndex index = new VoxelQuery.VoxelIndex(coords, shape, b);
        BallQuery.Result q = VoxelQuery.query(ranges[0], doubles(a.values().get("radii"))[0], a.getInts("nsamples", 2, null)[0], centers, out.get(0),
                out.get(1), index);
        // the fixture holds the query after VoxelQuery's empty-ball zeroing
        assertArrayEquals(out.get(3).toIntArray(), q.idx().toIntArray());

        Var leaf = Var.leaf(feats.copy());
        Var pooled = RoiGridPool.pool(rois, grid, vs, range, List.of(new RoiGridPool.VoxelSet(coords, leaf, shape, b, stride)), List.of(sa));
        Closeness.assertClose(pooled.data(), out.get(4), 1e-4, 1e-5);
        pooled.backward(gradOut);
        Closeness.assertClose(leaf.grad(), out.get(5), 1e-4, 1e-5);
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            assertEquals(out.get(4).size(2), sa.outChannels());
        }
    }

    private static double[] doubles(Object o) {
        return ((List<?>) o).stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    }
}
