package fuse3d.models.dense;

import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;

/** Small hand-sized configs and heads shared by the dense tests. */
final class DenseFixtures {
    private DenseFixtures() {}

    static final double[] PC_RANGE = {0, -4, -3, 6, 4, 1};
    static final int[] GRID = {3, 2, 1};
    static final List<String> CLASSES = List.of("Car", "Pedestrian");

    /** Two classes, two rotations, align_center, stride 1 on a 3 x 2 map (the golden generator's layout). */
    static AnchorHeadConfig twoClassConfig(boolean classAgnostic, double[] codeWeights) {
        return new AnchorHeadConfig(classAgnostic, true, 0.78539, 0.0, 2, List.of(
                new AnchorClassConfig("Car", new double[][] {{3.9, 1.6, 1.56}}, new double[] {0, 1.57}, new double[] {-1.78}, true, 1, 0.6, 0.45),
                new AnchorClassConfig("Pedestrian", new double[][] {{0.8, 0.6, 1.73}}, new double[] {0, 1.57}, new double[] {-0.6}, true, 1, 0.5, 0.35)),
                TargetAssignerConfig.voxelRcnnCar(), new LossConfig(new LossWeights(1.0, 2.0, 0.2, codeWeights)));
    }

    static AnchorHeadSingle twoClassHead(boolean classAgnostic, double[] codeWeights, int channels) {
        return new AnchorHeadSingle(twoClassConfig(classAgnostic, codeWeights), channels, CLASSES, GRID, PC_RANGE, new Generator(3));
    }

    /** A [1, 1, n, 1, 1, 7] anchor tensor (one class, one size, one rotation per location) from rows of 7. */
    static Tensor anchorRow(double[]... boxes) {
        float[] f = new float[boxes.length * 7];
        for (int i = 0; i < boxes.length; i++)
            for (int d = 0; d < 7; d++) f[i * 7 + d] = (float) boxes[i][d];
        return Tensor.ofFloats(f, 1, 1, boxes.length, 1, 1, 7);
    }

    /** gt_boxes [1, M, 8] from rows of 8. */
    static Tensor gt(double[]... rows) {
        float[] f = new float[rows.length * 8];
        for (int i = 0; i < rows.length; i++)
            for (int d = 0; d < 8; d++) f[i * 8 + d] = (float) rows[i][d];
        return Tensor.ofFloats(f, 1, rows.length, 8);
    }

    static double[] box(double x, double y, double dx, double dy, double heading) { return new double[] {x, y, 0, dx, dy, 1, heading}; }

    static double[] gtRow(double x, double y, double dx, double dy, double heading, int cls) { return new double[] {x, y, 0, dx, dy, 1, heading, cls}; }
}
