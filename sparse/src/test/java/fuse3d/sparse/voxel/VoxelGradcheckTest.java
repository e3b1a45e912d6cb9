package fuse3d.sparse.voxel;

import fuse3d.autograd.Gradcheck;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** float64 gradient checks of the differentiable parts: the VFEs (inputs and parameters), the scatters. */
class VoxelGradcheckTest {
    static final Gradcheck.Options OPTS = Gradcheck.Options.DEFAULT;
    // pillars 1 x 1 m over [0, 3) x [0, 2), one z cell
    static final VoxelGrid PILLARS = new VoxelGrid(new double[] {0, 0, -2, 3, 2, 2}, new double[] {1, 1, 4});

    /** Three pillars of up to four points (3, 1 and 4 valid), padding zero, as the voxelizer leaves them. */
    static Tensor[] pillarInputs(long seed) {
        Generator g = new Generator(seed);
        int[] num = {3, 1, 4};
        int[][] cell = {{0, 0}, {2, 1}, {1, 1}}; // (x, y)
        double[] v = new double[3 * 4 * 4];
        for (int m = 0; m < 3; m++)
            for (int k = 0; k < num[m]; k++) {
                int b = (m * 4 + k) * 4;
                v[b] = cell[m][0] + 0.05 + 0.9 * g.nextDouble();
                v[b + 1] = cell[m][1] + 0.05 + 0.9 * g.nextDouble();
                v[b + 2] = -1.5 + 3 * g.nextDouble();
                v[b + 3] = g.nextDouble();
            }
        int[] coords = new int[3 * 4];
        for (int m = 0; m < 3; m++) {
            coords[m * 4 + 2] = cell[m][1];
            coords[m * 4 + 3] = cell[m][0];
        }
        return new Tensor[] {Tensor.of(v, 3, 4, 4), Tensor.ofInts(num, 3), Tensor.ofInts(coords, 3, 4)};
    }

    static List<Var> leaves(fuse3d.nn.Module m, Var... extra) {
        List<Var> out = new ArrayList<>(List.of(extra));
        out.addAll(m.parameters());
        return out;
    }

    @Test
    void pillarVfeTwoLayersWithDistanceTraining() {
        Tensor[] in = pillarInputs(1);
        PillarVFE vfe = new PillarVFE(new PillarVFE.Config(new int[] {6, 8}, true, true, true), 4, PILLARS, new Generator(2));
        vfe.to(DType.FLOAT64);
        Var voxels = Var.leaf(in[0]);
        Gradcheck.assertLeafGradients("PillarVFE(train)", () -> vfe.forward(voxels, in[1], in[2]), leaves(vfe, voxels), OPTS);
    }

    @Test
    void pillarVfeRelativeXyzEval() {
        Tensor[] in = pillarInputs(3);
        PillarVFE vfe = new PillarVFE(new PillarVFE.Config(new int[] {5}, true, false, false), 4, PILLARS, new Generator(4));
        vfe.to(DType.FLOAT64);
        // evaluation mode with running statistics that are not the identity
        vfe.namedBuffers().forEach((k, t) -> { if (k.endsWith("running_mean")) t.fill_(0.1); if (k.endsWith("running_var")) t.fill_(0.7); });
        vfe.eval();
        Var voxels = Var.leaf(in[0]);
        Gradcheck.assertLeafGradients("PillarVFE(eval)", () -> vfe.forward(voxels, in[1], in[2]), leaves(vfe, voxels), OPTS);
    }

    @Test
    void pillarVfeWithoutNorm() {
        Tensor[] in = pillarInputs(5);
        PillarVFE vfe = new PillarVFE(new PillarVFE.Config(new int[] {4}, false, false, true), 4, PILLARS, new Generator(6));
        vfe.to(DType.FLOAT64);
        Var voxels = Var.leaf(in[0]);
        Gradcheck.assertLeafGradients("PillarVFE(no norm)", () -> vfe.forward(voxels, in[1], in[2]), leaves(vfe, voxels), OPTS);
    }

    @Test
    void dynamicPillarVfe() {
        Generator g = new Generator(7);
        int n = 12;
        double[] xyzi = new double[n * 4];
        for (int i = 0; i < n; i++) {
            // points kept off the pillar borders, so that a small step never moves one across
            xyzi[i * 4] = (i % 3) + 0.05 + 0.9 * g.nextDouble();
            xyzi[i * 4 + 1] = (i % 2) + 0.05 + 0.9 * g.nextDouble();
            xyzi[i * 4 + 2] = -1.5 + 3 * g.nextDouble();
            xyzi[i * 4 + 3] = g.nextDouble();
        }
        double[] batch = new double[n];
        for (int i = 0; i < n; i++) batch[i] = i < 7 ? 0 : 1;
        Var pts = Var.leaf(Tensor.of(xyzi, n, 4));
        Tensor b = Tensor.of(batch, n, 1);
        DynamicPillarVFE vfe = new DynamicPillarVFE(new PillarVFE.Config(new int[] {6, 8}, true, true, true), 4, PILLARS, new Generator(8));
        vfe.to(DType.FLOAT64);
        // the batch column is a constant: perturbing it would move points between clouds
        Gradcheck.assertLeafGradients("DynamicPillarVFE", () -> vfe.forward(Var.cat(1, Var.of(b), pts)).features(), leaves(vfe, pts), OPTS);
    }

    @Test
    void meanVfe() {
        Tensor[] in = pillarInputs(9);
        Gradcheck.assertGradients("MeanVFE", v -> List.of(new MeanVFE(4).forward(v.get(0), in[1])), List.of(in[0]), OPTS);
    }

    @Test
    void dynamicScatterMeanAndMax() {
        Generator g = new Generator(10);
        Tensor feats = g.uniform(DType.FLOAT64, -1, 1, 9, 3);
        Tensor coords = Tensor.ofInts(new int[] {0, 1, 1, 0, 0, 2, 0, 1, 1, -1, 0, 0, 0, 0, 2, 0, 1, 1, 1, 0, 0, 0, 0, 2, 1, 0, 0}, 9, 3);
        for (DynamicScatter.Reduce r : DynamicScatter.Reduce.values())
            Gradcheck.assertGradients("dynamic_scatter " + r, v -> List.of(DynamicScatter.scatter(v.get(0), coords, r).features()), List.of(feats), OPTS);
    }

    @Test
    void pointPillarScatter() {
        Generator g = new Generator(11);
        Tensor feats = g.uniform(DType.FLOAT64, -1, 1, 4, 3);
        Tensor coords = Tensor.ofInts(new int[] {0, 0, 1, 2, 1, 0, 0, 0, 1, 0, 2, 3, 0, 0, 2, 3}, 4, 4);
        PointPillarScatter s = new PointPillarScatter(3, 4, 3);
        Gradcheck.assertGradients("PointPillarScatter", v -> List.of(s.forward(v.get(0), coords, 2)), List.of(feats), OPTS);
    }
}
