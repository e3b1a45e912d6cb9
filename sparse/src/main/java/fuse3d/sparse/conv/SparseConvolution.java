package fuse3d.sparse.conv;

import fuse3d.autograd.Var;
import fuse3d.nn.Init;
import fuse3d.nn.Module;
import fuse3d.tensor.Generator;
import java.util.Arrays;

/**
 * What the sparse convolution layers share (spconv's SparseConvolution): geometry, the weight [Cout, k..., Cin]
 * in spconv 2.x's default KRSC layout (so spconv 2.x state dicts load by name and shape; see
 * {@link SpconvWeights} for 1.x and native-layout checkpoints), an optional bias, and the indice key under
 * which the rulebook is cached and shared.
 *
 * <p>Initialisation follows spconv 2.x: kaiming_uniform(a = sqrt(5)) on the weight, i.e. U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in)) with fan_in = Cin * kernel volume, and the same bound for the bias.
 */
public abstract class SparseConvolution extends Module implements SparseModule {
    /** -Dfuse3d.sparse.profile=true: time spent building or finding rulebooks, and in the convolutions' forward. */
    static final boolean PROFILE = Boolean.getBoolean("fuse3d.sparse.profile");
    static final java.util.concurrent.atomic.LongAdder RULEBOOK_NANOS = new java.util.concurrent.atomic.LongAdder(),
            CONV_NANOS = new java.util.concurrent.atomic.LongAdder();

    /** Which output sites the layer produces. */
    public enum Type { SUBMANIFOLD, REGULAR, INVERSE }

    public final int ndim, inChannels, outChannels;
    private final Type type;
    private final int[] kernelSize, stride, padding, dilation;
    private final String indiceKey;
    private final String name;

    protected SparseConvolution(int ndim, Type type, int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding,
                                int[] dilation, boolean bias, String indiceKey, Generator g) {
        this.name = getClass().getSimpleName();
        if (inChannels <= 0 || outChannels <= 0)
            throw new IllegalArgumentException(name + ": channels must be positive, got in " + inChannels + ", out " + outChannels);
        this.ndim = ndim;
        this.type = type;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = tuple(kernelSize, ndim);
        this.stride = tuple(stride, ndim);
        this.padding = tuple(padding, ndim);
        this.dilation = tuple(dilation, ndim);
        Rulebook.checkTuple(name, "kernel_size", this.kernelSize, ndim, 1);
        Rulebook.checkTuple(name, "stride", this.stride, ndim, 1);
        Rulebook.checkTuple(name, "padding", this.padding, ndim, 0);
        Rulebook.checkTuple(name, "dilation", this.dilation, ndim, 1);
        if (type == Type.SUBMANIFOLD)
            for (int k : this.kernelSize)
                if (k % 2 == 0) throw new IllegalArgumentException(name + ": submanifold convolution needs odd kernel sizes, got " + Arrays.toString(this.kernelSize));
        if (type == Type.INVERSE && indiceKey == null)
            throw new IllegalArgumentException(name + ": an inverse convolution needs the indice key of the convolution it inverts");
        this.indiceKey = indiceKey;
        int[] shape = new int[ndim + 2];
        shape[0] = outChannels;
        System.arraycopy(this.kernelSize, 0, shape, 1, ndim);
        shape[ndim + 1] = inChannels;
        double bound = 1.0 / Math.sqrt((double) inChannels * Rulebook.volume(this.kernelSize));
        registerParameter("weight", Init.uniform(g, bound, shape));
        if (bias) registerParameter("bias", Init.uniform(g, bound, outChannels));
    }

    private static int[] tuple(int[] v, int nd) {
        if (v != null && v.length == 1 && nd > 1) {
            int[] r = new int[nd];
            Arrays.fill(r, v[0]);
            return r;
        }
        return v == null ? null : v.clone();
    }

    static int[] fill(int nd, int v) {
        int[] r = new int[nd];
        Arrays.fill(r, v);
        return r;
    }

    public final Var weight() { return parameter("weight"); }

    /** The bias, or null. */
    public final Var bias() { return parameter("bias"); }

    public final Type type() { return type; }

    public final int[] kernelSize() { return kernelSize.clone(); }

    public final int[] stride() { return stride.clone(); }

    public final int[] padding() { return padding.clone(); }

    public final int[] dilation() { return dilation.clone(); }

    /** The rulebook cache key, or null (then the rulebook is built for this call alone). */
    public final String indiceKey() { return indiceKey; }

    @Override
    public final SparseTensor apply(SparseTensor x) {
        if (x.ndim() != ndim)
            throw new IllegalArgumentException(name + ": expects a " + ndim + "-d sparse tensor, got " + x);
        if (x.channels() != inChannels)
            throw new IllegalArgumentException(name + ": expects " + inChannels + " input channels, got " + x);
        long t0 = PROFILE ? System.nanoTime() : 0;
        Rulebook rb = rulebookFor(x);
        long t1 = PROFILE ? System.nanoTime() : 0;
        Var y = SparseConvFunction.apply(name, x.features(), weight(), bias(), rb);
        if (PROFILE) {
            RULEBOOK_NANOS.add(t1 - t0);
            CONV_NANOS.add(System.nanoTime() - t1);
        }
        if (type == Type.SUBMANIFOLD) return x.withFeatures(y);
        return SparseTensor.derived(y, rb.outIndices, rb.numOut, rb.outSpatialShape, x.batchSize(), x.rulebooks());
    }

    /** This layer's rulebook for {@code x}: from the cache when the indice key holds a matching one, else built (and cached). */
    Rulebook rulebookFor(SparseTensor x) {
        RulebookCache cache = x.rulebooks();
        Rulebook cached = indiceKey == null ? null : cache.get(indiceKey);
        String where = name + "(indice_key=" + indiceKey + ")";
        if (type == Type.INVERSE) {
            if (cached == null)
                throw new IllegalArgumentException(where + ": no rulebook under this key; run the SparseConv" + ndim
                        + "d with the same indice key first (keys present: " + cache.keys() + ")");
            if (cached.kind() != Rulebook.Kind.REGULAR || !Arrays.equals(cached.kernelSize, kernelSize))
                throw new IllegalArgumentException(where + ": an inverse convolution needs the regular rulebook of a convolution with the same kernel "
                        + Arrays.toString(kernelSize) + ", found " + cached);
            if (x.numActive() != cached.numOut
                    || !(x.indicesArray() == cached.outIndices || Arrays.equals(x.indicesArray(), cached.outIndices)))
                throw new IllegalArgumentException(where + ": the input's sites (" + x + ") are not the outputs of the convolution it inverts ("
                        + cached + ")");
            return cached.inverse();
        }
        Rulebook.Kind kind = type == Type.SUBMANIFOLD ? Rulebook.Kind.SUBMANIFOLD : Rulebook.Kind.REGULAR;
        if (cached != null && kind == Rulebook.Kind.REGULAR)
            // spconv 2.x asserts "only support reuse subm indices": a second strided conv under one key would
            // overwrite the rulebook its inverse conv needs
            throw new IllegalArgumentException(where + ": the key already holds " + cached
                    + "; only submanifold convolutions may share an indice key");
        if (cached != null) {
            if (!cached.sameGeometry(kind, kernelSize, stride, padding, dilation))
                throw new IllegalArgumentException(where + ": the key already holds a rulebook of another geometry (" + cached
                        + "); use a distinct indice key per geometry");
            if (!cached.accepts(x))
                throw new IllegalArgumentException(where + ": the key's rulebook was built for other input sites (" + cached
                        + ") than " + x + "; use a distinct indice key");
            return cached;
        }
        Rulebook rb = kind == Rulebook.Kind.SUBMANIFOLD ? Rulebook.submanifold(x, kernelSize, dilation)
                : Rulebook.regular(x, kernelSize, stride, padding, dilation);
        if (indiceKey != null) cache.put(indiceKey, rb);
        return rb;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=" + Arrays.toString(kernelSize)
                + (type == Type.REGULAR ? ", stride=" + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding) : "")
                + ", dilation=" + Arrays.toString(dilation) + (bias() == null ? ", bias=False" : "")
                + (indiceKey == null ? "" : ", indice_key=" + indiceKey);
    }
}
