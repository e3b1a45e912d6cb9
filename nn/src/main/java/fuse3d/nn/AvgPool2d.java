package fuse3d.nn;

import fuse3d.autograd.Pooling;
import fuse3d.autograd.Var;
import java.util.Arrays;

/** torch.nn.AvgPool2d: the mean over each window (stride defaults to the kernel size). */
public final class AvgPool2d extends Layer {
    private final int[] kernelSize, stride, padding;
    private final boolean ceilMode, countIncludePad;
    private final int divisorOverride;

    /**
     * One-entry arrays apply to every spatial dim; a null stride means the kernel size; divisorOverride 0 means
     * none (divide by the window size, with or without the padding as countIncludePad says).
     */
    public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
        this.kernelSize = Pools.tuple("AvgPool2d", "kernel_size", kernelSize, 2);
        this.stride = stride == null ? this.kernelSize.clone() : Pools.tuple("AvgPool2d", "stride", stride, 2);
        this.padding = Pools.tuple("AvgPool2d", "padding", padding, 2);
        if (divisorOverride < 0) throw new IllegalArgumentException("AvgPool2d: divisor_override must be positive (0 = none), got " + divisorOverride);
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, false, true, 0);
    }

    /** Stride equal to the kernel, no padding. */
    public AvgPool2d(int kernelSize) { this(kernelSize, kernelSize, 0); }

    @Override
    protected Var forward(Var x) { return Pooling.avgPool2d(x, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride); }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding)
                + ", ceil_mode=" + BatchNorm.py(ceilMode) + ", count_include_pad=" + BatchNorm.py(countIncludePad)
                + (divisorOverride == 0 ? "" : ", divisor_override=" + divisorOverride);
    }
}
