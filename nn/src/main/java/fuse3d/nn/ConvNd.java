package fuse3d.nn;

import fuse3d.autograd.Var;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import java.util.Arrays;

/**
 * What the convolution layers share (torch's _ConvNd): channel counts, per-dim kernel, stride, padding,
 * dilation and output padding, groups, the weight and the optional bias. The weight is [out, in/groups, k...]
 * for a convolution and [in, out/groups, k...] for a transposed one, as in PyTorch, so checkpoints load by name.
 * Both are initialised as PyTorch's reset_parameters does: kaiming_uniform(a = sqrt(5)) for the weight and
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias, fan_in taken from the weight's layout.
 */
public abstract sealed class ConvNd extends Layer permits Conv1d, Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d {
    public final int inChannels, outChannels, groups;
    private final int nd;
    private final boolean transposed;
    private final int[] kernelSize, stride, padding, dilation, outputPadding;

    ConvNd(int nd, boolean transposed, int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding,
           int[] outputPadding, int[] dilation, int groups, boolean bias, Generator g) {
        String name = getClass().getSimpleName();
        this.nd = nd;
        this.transposed = transposed;
        if (inChannels <= 0 || outChannels <= 0)
            throw new IllegalArgumentException(name + ": channels must be positive, got in " + inChannels + ", out " + outChannels);
        if (groups <= 0) throw new IllegalArgumentException(name + ": groups must be positive, got " + groups);
        if (inChannels % groups != 0) throw new IllegalArgumentException(name + ": in_channels " + inChannels + " must be divisible by groups " + groups);
        if (outChannels % groups != 0) throw new IllegalArgumentException(name + ": out_channels " + outChannels + " must be divisible by groups " + groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        this.kernelSize = tuple(name, "kernel_size", kernelSize, 1);
        this.stride = tuple(name, "stride", stride, 1);
        this.padding = tuple(name, "padding", padding, 0);
        this.dilation = tuple(name, "dilation", dilation, 1);
        this.outputPadding = tuple(name, "output_padding", outputPadding, 0);
        for (int i = 0; i < nd; i++)
            if (this.outputPadding[i] >= Math.max(this.stride[i], this.dilation[i]))
                throw new IllegalArgumentException(name + ": output_padding " + Arrays.toString(this.outputPadding)
                        + " must be smaller than stride or dilation in every dim (stride " + Arrays.toString(this.stride)
                        + ", dilation " + Arrays.toString(this.dilation) + ")");
        int[] shape = new int[nd + 2];
        shape[0] = transposed ? inChannels : outChannels;
        shape[1] = transposed ? outChannels / groups : inChannels / groups;
        System.arraycopy(this.kernelSize, 0, shape, 2, nd);
        registerParameter("weight", Init.defaultWeight(g, shape));
        if (bias) registerParameter("bias", Init.defaultBias(g, Init.fanIn(shape), outChannels));
    }

    /** Expands a one-entry tuple to every spatial dim, as PyTorch's _single/_pair/_triple, and checks the values. */
    private int[] tuple(String name, String what, int[] v, int min) {
        if (v == null) {
            if (what.equals("kernel_size")) throw new IllegalArgumentException(name + ": kernel_size is required");
            int[] r = new int[nd];
            Arrays.fill(r, min);
            return r;
        }
        int[] r;
        if (v.length == 1) {
            r = new int[nd];
            Arrays.fill(r, v[0]);
        } else if (v.length == nd) r = v.clone();
        else throw new IllegalArgumentException(name + ": " + what + " needs 1 or " + nd + " entries, got " + Arrays.toString(v));
        for (int x : r)
            if (x < min) throw new IllegalArgumentException(name + ": " + what + " must be >= " + min + " in every dim, got " + Arrays.toString(r));
        return r;
    }

    public final Var weight() { return parameter("weight"); }

    /** The bias, or null when the layer was built without one. */
    public final Var bias() { return parameter("bias"); }

    public final int[] kernelSize() { return kernelSize.clone(); }

    public final int[] stride() { return stride.clone(); }

    public final int[] padding() { return padding.clone(); }

    public final int[] dilation() { return dilation.clone(); }

    public final int[] outputPadding() { return outputPadding.clone(); }

    public final boolean transposed() { return transposed; }

    /** The convolution itself, on an input already checked for rank and channels. */
    abstract Var convolve(Var x, Var weight, Var bias, int[] stride, int[] padding, int[] dilation, int[] outputPadding, int groups);

    @Override
    protected final Var forward(Var x) {
        int[] s = x.shape();
        // batched [N, C, spatial...] or unbatched [C, spatial...], as PyTorch accepts
        if (s.length != nd + 2 && s.length != nd + 1)
            throw new IllegalArgumentException(this + ": expected a " + (nd + 2) + "-d (batched) or " + (nd + 1) + "-d (unbatched) input, got "
                    + Shape.str(s));
        int c = s[s.length - nd - 1];
        if (c != inChannels)
            throw new IllegalArgumentException(this + ": input " + Shape.str(s) + " has " + c + " channels, expected " + inChannels);
        return convolve(x, weight(), bias(), stride.clone(), padding.clone(), dilation.clone(), outputPadding.clone(), groups);
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(tupleStr(kernelSize)).append(", stride=").append(tupleStr(stride));
        if (Arrays.stream(padding).anyMatch(p -> p != 0)) sb.append(", padding=").append(tupleStr(padding));
        if (Arrays.stream(dilation).anyMatch(d -> d != 1)) sb.append(", dilation=").append(tupleStr(dilation));
        if (Arrays.stream(outputPadding).anyMatch(p -> p != 0)) sb.append(", output_padding=").append(tupleStr(outputPadding));
        if (groups != 1) sb.append(", groups=").append(groups);
        if (bias() == null) sb.append(", bias=False");
        return sb.toString();
    }

    /** Python's tuple notation, as PyTorch prints its layers: (3,) and (3, 3). */
    private static String tupleStr(int[] v) {
        if (v.length == 1) return "(" + v[0] + ",)";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) sb.append(i == 0 ? "" : ", ").append(v[i]);
        return sb.append(')').toString();
    }

    static int[] one(int v) { return new int[] {v}; }
}
