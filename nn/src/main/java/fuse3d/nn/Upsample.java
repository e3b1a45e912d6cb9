package fuse3d.nn;

import fuse3d.autograd.Resampling;
import fuse3d.autograd.Var;
import java.util.Arrays;

/**
 * torch.nn.Upsample: resizes [N, C, spatial...] to a fixed size or by a scale factor with mode "nearest",
 * "nearest-exact", "linear", "bilinear" or "trilinear" (align_corners only for the linear modes).
 */
public final class Upsample extends Layer {
    private final int[] size;
    private final double[] scaleFactor;
    private final String mode;
    private final Boolean alignCorners;

    /** Exactly one of size and scaleFactor; alignCorners null means PyTorch's None (false for linear modes). */
    public Upsample(int[] size, double[] scaleFactor, String mode, Boolean alignCorners) {
        if ((size == null) == (scaleFactor == null)) throw new IllegalArgumentException("Upsample: give exactly one of size and scale_factor");
        this.size = size == null ? null : size.clone();
        this.scaleFactor = scaleFactor == null ? null : scaleFactor.clone();
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    /** Scales every spatial dim by {@code scale}. */
    public static Upsample scale(double scale, String mode) { return new Upsample(null, new double[] {scale}, mode, null); }

    /** Resizes to {@code size} (one entry per spatial dim, or one for all). */
    public static Upsample size(int[] size, String mode) { return new Upsample(size, null, mode, null); }

    @Override
    protected Var forward(Var x) { return Resampling.interpolate(x, size, scaleFactor, mode, alignCorners); }

    @Override
    protected String extraRepr() {
        return (size != null ? "size=" + Arrays.toString(size) : "scale_factor=" + Arrays.toString(scaleFactor)) + ", mode='" + mode + "'"
                + (alignCorners == null ? "" : ", align_corners=" + BatchNorm.py(alignCorners));
    }
}
