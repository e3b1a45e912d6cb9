package fuse3d.sparse.voxel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays golden/voxel.safetensors, written by tests/golden/sparse/gen_voxel.py with PyTorch 1.13: hard
 * voxelization (exact), PillarVFE / DynamicPillarVFE forward and input / first-weight gradients in training and
 * evaluation mode, DynamicMeanVFE, MeanVFE and PointPillarScatter.
 */
class VoxelGoldenTest {
    private static final double RTOL = 1e-4, ATOL = 1e-5, GRAD_ATOL = 1e-4;

    record Case(String name, String op, Args args, Map<String, Tensor> in, List<Tensor> out) {}

    static List<Case> load() throws Exception {
        List<Case> cases = new ArrayList<>();
        for (GoldenCases.Case c : GoldenCases.read(Path.of(VoxelGoldenTest.class.getResource("/golden/voxel.safetensors").toURI())))
            cases.add(new Case(c.name(), c.op(), c.args(), c.named(), c.outputs()));
        return cases;
    }

    @TestFactory
    List<DynamicTest> golden() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : load()) tests.add(DynamicTest.dynamicTest(c.name(), () -> run(c)));
        assertEquals(15, tests.size(), "fixture cases");
        return tests;
    }

    private static VoxelGrid grid(Args a) { return new VoxelGrid(a.getDoubles("point_cloud_range"), a.getDoubles("voxel_size")); }

    private static PillarVFE.Config config(Args a) {
        return new PillarVFE.Config(a.getInts("num_filters"), a.getBool("use_norm", true), a.getBool("with_distance", false),
                a.getBool("use_absolute_xyz", true));
    }

    /** The case's tensors whose names are state-dict keys (they contain a dot). */
    private static Map<String, Tensor> state(Case c) {
        Map<String, Tensor> s = new LinkedHashMap<>();
        c.in().forEach((k, v) -> { if (k.contains(".")) s.put(k, v); });
        return s;
    }

    private static void run(Case c) {
        Args a = c.args();
        switch (c.op()) {
            case "hard_voxelize" -> {
                Voxels v = new Voxelizer(grid(a), a.getInt("max_points_per_voxel", 0), a.getInt("max_voxels", 0)).voxelize(c.in().get("points"));
                assertEquals(c.out().get(0).dtype(), v.voxels().dtype());
                assertArrayEquals(c.out().get(0).shape(), v.voxels().shape());
                // copies of the input values: bit-exact
                assertArrayEquals(c.out().get(0).toDoubleArray(), v.voxels().toDoubleArray(), 0.0);
                assertArrayEquals(c.out().get(1).toIntArray(), v.coords().toIntArray());
                assertArrayEquals(c.out().get(2).toIntArray(), v.numPoints().toIntArray());
            }
            case "pillar_vfe" -> {
                PillarVFE vfe = new PillarVFE(config(a), 4, grid(a), new Generator(0));
                vfe.loadStateDict(state(c), true);
                vfe.train(a.getBool("training", true));
                Var voxels = Var.leaf(c.in().get("voxels"));
                Var out = vfe.forward(voxels, c.in().get("num_points"), c.in().get("coords"));
                Closeness.assertClose(out.data(), c.out().get(0), RTOL, ATOL);
                out.backward(c.in().get("grad_output"));
                Closeness.assertClose(voxels.grad(), c.out().get(1), RTOL, GRAD_ATOL);
                Closeness.assertClose(vfe.namedParameters().get("pfn_layers.0.linear.weight").grad(), c.out().get(2), RTOL, GRAD_ATOL);
            }
            case "dynamic_pillar_vfe" -> {
                DynamicPillarVFE vfe = new DynamicPillarVFE(config(a), 4, grid(a), new Generator(0));
                vfe.loadStateDict(state(c), true);
                vfe.train(a.getBool("training", true));
                Var points = Var.leaf(c.in().get("points"));
                VoxelFeatures r = vfe.forward(points);
                assertArrayEquals(c.out().get(1).toIntArray(), r.coords().toIntArray());
                Closeness.assertClose(r.features().data(), c.out().get(0), RTOL, ATOL);
                r.features().backward(c.in().get("grad_output"));
                Closeness.assertClose(points.grad(), c.out().get(2), RTOL, GRAD_ATOL);
                Closeness.assertClose(vfe.namedParameters().get("pfn_layers.0.linear.weight").grad(), c.out().get(3), RTOL, GRAD_ATOL);
            }
            case "dynamic_mean_vfe" -> {
                VoxelFeatures r = new DynamicMeanVFE(4, grid(a)).forward(c.in().get("points"));
                assertArrayEquals(c.out().get(1).toIntArray(), r.coords().toIntArray());
                Closeness.assertClose(r.features().data(), c.out().get(0), RTOL, ATOL);
            }
            case "mean_vfe" -> {
                Var out = new MeanVFE(4).forward(Var.of(c.in().get("voxels")), c.in().get("num_points"));
                Closeness.assertClose(out.data(), c.out().get(0), RTOL, ATOL);
            }
            case "point_pillar_scatter" -> {
                PointPillarScatter s = new PointPillarScatter(6, a.getInt("nx", 0), a.getInt("ny", 0));
                Var out = s.forward(Var.of(c.in().get("features")), c.in().get("coords"), a.getInt("batch_size", 0));
                assertArrayEquals(c.out().get(0).shape(), out.shape());
                assertArrayEquals(c.out().get(0).toDoubleArray(), out.data().toDoubleArray(), 0.0);
            }
            default -> throw new AssertionError("unknown golden op " + c.op());
        }
    }
}
