package fuse3d.sparse.box;

import fuse3d.autograd.GradMode;
import fuse3d.autograd.Var;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenPCDet's {@code ResidualCoder}: box regression targets relative to anchors. Centre offsets in x, y are divided
 * by the anchor's BEV diagonal and in z by its height, sizes are log ratios, the heading is a difference (or, with
 * {@code encodeAngleBySincos}, the differences of cos and sin, one extra code column), and any extra columns
 * (velocities) are differences.
 *
 * <p>Boxes and anchors are [..., 7 + E]; codes are [..., 7 + E] or [..., 8 + E] with sin/cos. Both directions work
 * on Vars (gradients flow to codes and boxes) and on tensors. As OpenPCDet, {@link #encode} first clamps the sizes
 * of boxes and anchors to at least 1e-5 so the logs stay finite (on copies: inputs are never changed).
 */
public final class ResidualCoder {
    private final int codeSize;
    private final boolean encodeAngleBySincos;

    /** A coder for boxes of {@code boxSize} columns (7 plus extras); the code has one more with sin/cos. */
    public ResidualCoder(int boxSize, boolean encodeAngleBySincos) {
        if (boxSize < 7) throw new IllegalArgumentException("ResidualCoder: code_size must be >= 7, got " + boxSize);
        this.codeSize = boxSize + (encodeAngleBySincos ? 1 : 0);
        this.encodeAngleBySincos = encodeAngleBySincos;
    }

    /** The default coder: 7 columns, heading as a plain difference. */
    public ResidualCoder() { this(7, false); }

    /** Columns of a code (7 + extras, plus one with sin/cos), OpenPCDet's {@code code_size}. */
    public int codeSize() { return codeSize; }

    public boolean encodeAngleBySincos() { return encodeAngleBySincos; }

    private int boxSize() { return codeSize - (encodeAngleBySincos ? 1 : 0); }

    /** Regression targets of boxes against anchors, [..., boxSize] each, to [..., codeSize]. */
    public Var encode(Var boxes, Var anchors) {
        checkLast("encode", "boxes", boxes.data(), boxSize());
        checkLast("encode", "anchors", anchors.data(), boxSize());
        int last = boxes.dim() - 1;
        Var g = clampSizes(boxes), a = clampSizes(anchors);
        Var diagonal = col(a, 3).square().add(col(a, 4).square()).sqrt();
        List<Var> parts = new ArrayList<>();
        parts.add(col(g, 0).sub(col(a, 0)).div(diagonal));
        parts.add(col(g, 1).sub(col(a, 1)).div(diagonal));
        parts.add(col(g, 2).sub(col(a, 2)).div(col(a, 5)));
        for (int d = 3; d < 6; d++) parts.add(col(g, d).div(col(a, d)).log());
        if (encodeAngleBySincos) {
            parts.add(col(g, 6).cos().sub(col(a, 6).cos()));
            parts.add(col(g, 6).sin().sub(col(a, 6).sin()));
        } else {
            parts.add(col(g, 6).sub(col(a, 6)));
        }
        for (int d = 7; d < boxSize(); d++) parts.add(col(g, d).sub(col(a, d)));
        return Var.cat(last, parts);
    }

    /** Boxes [..., boxSize] from codes [..., codeSize] and anchors [..., boxSize]. */
    public Var decode(Var codes, Var anchors) {
        checkLast("decode", "codes", codes.data(), codeSize);
        checkLast("decode", "anchors", anchors.data(), boxSize());
        int last = codes.dim() - 1;
        Var a = anchors;
        Var diagonal = col(a, 3).square().add(col(a, 4).square()).sqrt();
        List<Var> parts = new ArrayList<>();
        parts.add(col(codes, 0).mul(diagonal).add(col(a, 0)));
        parts.add(col(codes, 1).mul(diagonal).add(col(a, 1)));
        parts.add(col(codes, 2).mul(col(a, 5)).add(col(a, 2)));
        for (int d = 3; d < 6; d++) parts.add(col(codes, d).exp().mul(col(a, d)));
        int extra;
        if (encodeAngleBySincos) {
            Var cos = col(codes, 6).add(col(a, 6).cos());
            Var sin = col(codes, 7).add(col(a, 6).sin());
            parts.add(sin.atan2(cos));
            extra = 8;
        } else {
            parts.add(col(codes, 6).add(col(a, 6)));
            extra = 7;
        }
        for (int d = 7; d < boxSize(); d++) parts.add(col(codes, extra + d - 7).add(col(a, d)));
        return Var.cat(last, parts);
    }

    /** {@link #encode(Var, Var)} on tensors, without recording a graph. */
    public Tensor encode(Tensor boxes, Tensor anchors) {
        try (GradMode.Scope _ = GradMode.noGrad()) {
            return encode(Var.of(boxes), Var.of(anchors)).data();
        }
    }

    /** {@link #decode(Var, Var)} on tensors, without recording a graph. */
    public Tensor decode(Tensor codes, Tensor anchors) {
        try (GradMode.Scope _ = GradMode.noGrad()) {
            return decode(Var.of(codes), Var.of(anchors)).data();
        }
    }

    /** Column d of the last dim, kept as a size-1 dim. */
    static Var col(Var x, int d) { return x.narrow(x.dim() - 1, d, 1); }

    /** Sizes (columns 3..5) clamped to >= 1e-5 as OpenPCDet's {@code clamp_min}, on a new Var. */
    static Var clampSizes(Var x) {
        int last = x.dim() - 1, c = x.size(last);
        List<Var> parts = new ArrayList<>();
        parts.add(x.narrow(last, 0, 3));
        parts.add(x.narrow(last, 3, 3).clampMin(1e-5));
        parts.add(x.narrow(last, 6, c - 6));
        return Var.cat(last, parts);
    }

    static void checkLast(String op, String name, Tensor t, int size) {
        if (t.dim() < 1 || t.size(t.dim() - 1) != size || !t.dtype().isFloating())
            throw new IllegalArgumentException("ResidualCoder." + op + ": " + name + " must be floating [..., " + size + "], got " + t.dtype() + " "
                    + Shape.str(t.shape()));
    }
}
