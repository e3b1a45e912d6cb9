package fuse3d.nn;

import fuse3d.autograd.Pooling;
import fuse3d.autograd.Var;
import java.util.Arrays;

/** torch.nn.MaxPool3d: the maximum over each window (stride defaults to the kernel size). */
public final class MaxPool3d extends Layer {
    private final int[] kernelSize, stride, padding, dilation;
    private final boolean ceilMode;

    /** One-entry arrays apply to every spatial dim; a null stride means the kernel size. */
    public MaxPool3d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernelSize = Pools.tuple("MaxPool3d", "kernel_size", kernelSize, 3);
        this.stride = stride == null ? this.kernelSize.clone() : Pools.tuple("MaxPool3d", "stride", stride, 3);
        this.padding = Pools.tuple("MaxPool3d", "padding", padding, 3);
        this.dilation = Pools.tuple("MaxPool3d", "dilation", dilation, 3);
        this.ceilMode = ceilMode;
    }

    public MaxPool3d(int kernelSize, int stride, int padding) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {1}, false);
    }

    /** Stride equal to the kernel, no padding. */
    public MaxPool3d(int kernelSize) { this(kernelSize, kernelSize, 0); }

    @Override
    protected Var forward(Var x) { return forwardWithIndices(x).values(); }

    /** The pooled values and the flat argmax indices (PyTorch's return_indices=True); no hooks run. */
    public Pooling.Pooled forwardWithIndices(Var x) { return Pooling.maxPool3d(x, kernelSize, stride, padding, dilation, ceilMode); }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding)
                + ", dilation=" + Arrays.toString(dilation) + ", ceil_mode=" + BatchNorm.py(ceilMode);
    }
}
