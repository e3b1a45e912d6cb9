package fuse3d.nn;

import fuse3d.autograd.Pooling;
import fuse3d.autograd.Var;
import java.util.Arrays;

/** torch.nn.MaxPool2d: the maximum over each window (stride defaults to the kernel size). */
public final class MaxPool2d extends Layer {
    private final int[] kernelSize, stride, padding, dilation;
    private final boolean ceilMode;

    /** One-entry arrays apply to every spatial dim; a null stride means the kernel size. */
    public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernelSize = Pools.tuple("MaxPool2d", "kernel_size", kernelSize, 2);
        this.stride = stride == null ? this.kernelSize.clone() : Pools.tuple("MaxPool2d", "stride", stride, 2);
        this.padding = Pools.tuple("MaxPool2d", "padding", padding, 2);
        this.dilation = Pools.tuple("MaxPool2d", "dilation", dilation, 2);
        this.ceilMode = ceilMode;
    }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {1}, false);
    }

    /** Stride equal to the kernel, no padding. */
    public MaxPool2d(int kernelSize) { this(kernelSize, kernelSize, 0); }

    @Override
    protected Var forward(Var x) { return forwardWithIndices(x).values(); }

    /** The pooled values and the flat argmax indices (PyTorch's return_indices=True); no hooks run. */
    public Pooling.Pooled forwardWithIndices(Var x) { return Pooling.maxPool2d(x, kernelSize, stride, padding, dilation, ceilMode); }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding)
                + ", dilation=" + Arrays.toString(dilation) + ", ceil_mode=" + BatchNorm.py(ceilMode);
    }
}
