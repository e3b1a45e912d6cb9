package fuse3d.sparse.box;

import static fuse3d.sparse.box.ResidualCoder.col;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenPCDet's {@code PointResidualCoder} for point-based heads (PointRCNN, IA-SSD): a box relative to the point that
 * predicts it. With {@code useMeanSize} the point carries its class's mean size as an anchor (offsets over the mean
 * BEV diagonal and height, log size ratios); without it offsets are plain differences and sizes plain logs. The
 * heading is always encoded as (cos, sin), so the code has {@code boxSize + 1} columns.
 *
 * <p>Classes are 1-based as in OpenPCDet ({@code mean_size[gt_classes - 1]}); a class outside 1..K is an error
 * naming the op.
 */
public final class PointResidualCoder {
    private final int boxSize;
    private final double[][] meanSize; // [K][3], null without use_mean_size

    /**
     * @param boxSize  columns of a box (7 plus extras)
     * @param meanSize per class (dx, dy, dz) means, all positive; null for {@code use_mean_size = False}
     */
    public PointResidualCoder(int boxSize, double[][] meanSize) {
        if (boxSize < 7) throw new IllegalArgumentException("PointResidualCoder: box size must be >= 7, got " + boxSize);
        if (meanSize != null)
            for (double[] m : meanSize)
                if (m.length != 3 || !(m[0] > 0 && m[1] > 0 && m[2] > 0))
                    throw new IllegalArgumentException("PointResidualCoder: each mean_size must be 3 positive values (dx, dy, dz)");
        this.boxSize = boxSize;
        this.meanSize = meanSize == null ? null : meanSize.clone();
    }

    /** Columns of a code: box size + 1 (cos and sin replace the heading). */
    public int codeSize() { return boxSize + 1; }

    public boolean useMeanSize() { return meanSize != null; }

    /**
     * Codes [N, boxSize + 1] of boxes [N, boxSize] seen from points [N, 3].
     *
     * @param classes [N] 1-based class of each box; only read with use_mean_size (may be null otherwise)
     */
    public Var encode(Var boxes, Tensor points, Tensor classes) {
        check("encode", boxes.data(), boxSize, points, classes);
        Var g = ResidualCoder.clampSizes(boxes);
        Var p = Var.of(points.to(boxes.dtype()));
        List<Var> parts = new ArrayList<>();
        if (meanSize != null) {
            Var anchor = Var.of(anchorSizes("encode", classes, boxes.dtype()));
            Var diagonal = col(anchor, 0).square().add(col(anchor, 1).square()).sqrt();
            parts.add(col(g, 0).sub(col(p, 0)).div(diagonal));
            parts.add(col(g, 1).sub(col(p, 1)).div(diagonal));
            parts.add(col(g, 2).sub(col(p, 2)).div(col(anchor, 2)));
            for (int d = 0; d < 3; d++) parts.add(col(g, 3 + d).div(col(anchor, d)).log());
        } else {
            for (int d = 0; d < 3; d++) parts.add(col(g, d).sub(col(p, d)));
            for (int d = 3; d < 6; d++) parts.add(col(g, d).log());
        }
        parts.add(col(g, 6).cos());
        parts.add(col(g, 6).sin());
        for (int d = 7; d < boxSize; d++) parts.add(col(g, d));
        return Var.cat(1, parts);
    }

    /** Boxes [N, boxSize] from codes [N, boxSize + 1] at points [N, 3]; {@code classes} 1-based predicted classes. */
    public Var decode(Var codes, Tensor points, Tensor classes) {
        check("decode", codes.data(), boxSize + 1, points, classes);
        Var p = Var.of(points.to(codes.dtype()));
        List<Var> parts = new ArrayList<>();
        if (meanSize != null) {
            Var anchor = Var.of(anchorSizes("decode", classes, codes.dtype()));
            Var diagonal = col(anchor, 0).square().add(col(anchor, 1).square()).sqrt();
            parts.add(col(codes, 0).mul(diagonal).add(col(p, 0)));
            parts.add(col(codes, 1).mul(diagonal).add(col(p, 1)));
            parts.add(col(codes, 2).mul(col(anchor, 2)).add(col(p, 2)));
            for (int d = 0; d < 3; d++) parts.add(col(codes, 3 + d).exp().mul(col(anchor, d)));
        } else {
            for (int d = 0; d < 3; d++) parts.add(col(codes, d).add(col(p, d)));
            for (int d = 3; d < 6; d++) parts.add(col(codes, d).exp());
        }
        parts.add(col(codes, 7).atan2(col(codes, 6)));
        for (int d = 8; d < boxSize + 1; d++) parts.add(col(codes, d));
        return Var.cat(1, parts);
    }

    public Tensor encode(Tensor boxes, Tensor points, Tensor classes) {
        try (GradMode.Scope _ = GradMode.noGrad()) {
            return encode(Var.of(boxes), points, classes).data();
        }
    }

    public Tensor decode(Tensor codes, Tensor points, Tensor classes) {
        try (GradMode.Scope _ = GradMode.noGrad()) {
            return decode(Var.of(codes), points, classes).data();
        }
    }

    /** mean_size[classes - 1]: [N, 3]. */
    private Tensor anchorSizes(String op, Tensor classes, DType dt) {
        if (classes == null) throw new IllegalArgumentException("PointResidualCoder." + op + ": classes are required with use_mean_size");
        long[] c = classes.toLongArray();
        double[] out = new double[c.length * 3];
        for (int i = 0; i < c.length; i++) {
            if (c[i] < 1 || c[i] > meanSize.length)
                throw new IllegalArgumentException("PointResidualCoder." + op + ": class " + c[i] + " at row " + i + " is outside 1.." + meanSize.length
                        + " (classes are 1-based)");
            System.arraycopy(meanSize[(int) c[i] - 1], 0, out, 3 * i, 3);
        }
        return BoxGeometry.tensor(out, dt, c.length, 3);
    }

    private void check(String op, Tensor x, int cols, Tensor points, Tensor classes) {
        if (x.dim() != 2 || x.size(1) != cols || !x.dtype().isFloating())
            throw new IllegalArgumentException("PointResidualCoder." + op + ": input must be floating [N, " + cols + "], got " + Shape.str(x.shape()));
        if (points == null || points.dim() != 2 || points.size(1) != 3 || points.size(0) != x.size(0))
            throw new IllegalArgumentException("PointResidualCoder." + op + ": points must be [N, 3] with N = " + x.size(0) + ", got "
                    + (points == null ? "null" : Shape.str(points.shape())));
        if (classes != null && (classes.dim() != 1 || classes.size(0) != x.size(0)))
            throw new IllegalArgumentException("PointResidualCoder." + op + ": classes must be [N] with N = " + x.size(0) + ", got " + Shape.str(classes.shape()));
    }
}
