package fuse3d.sparse.conv;

import fuse3d.autograd.Var;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;

/**
 * A sparse voxel tensor as spconv's SparseConvTensor: features [N, C] (a Var, so gradients flow through the
 * convolutions), integer coordinates [N, 1 + ndim] batch first ((batch, z, y, x) in 3-d), the spatial shape
 * of the grid ((D, H, W)) and the batch size; plus the rulebook cache shared by every tensor derived from the
 * same input (spconv's indice_dict) and a lazily built coordinate-to-row hash.
 *
 * <p>Tensors built with {@link #of} are validated: every coordinate must lie in [0, batch) x grid and appear
 * once. Tensors made by the convolutions are valid by construction and skip the check.
 */
public final class SparseTensor {
    private final Var features;
    /** Flat [n, 1 + ndim], never modified after construction (shared between tensors of the same sites). */
    private final int[] indices;
    private final int n;
    private final int[] spatialShape;
    private final int batchSize;
    private final RulebookCache rulebooks;
    private CoordinateIndex index;

    private SparseTensor(Var features, int[] indices, int n, int[] spatialShape, int batchSize, RulebookCache rulebooks,
                         CoordinateIndex index) {
        this.features = features;
        this.indices = indices;
        this.n = n;
        this.spatialShape = spatialShape;
        this.batchSize = batchSize;
        this.rulebooks = rulebooks;
        this.index = index;
    }

    /**
     * A validated sparse tensor with a fresh rulebook cache.
     *
     * @param features     [N, C], floating
     * @param indices      [N, 1 + ndim] of an integer dtype, (batch, spatial...) per row
     * @param spatialShape the grid, e.g. (D, H, W) = (41, 1600, 1408)
     * @throws IllegalArgumentException naming the shapes when the rows disagree, a coordinate lies outside
     *                                  [0, batchSize) x grid, or a coordinate repeats
     */
    public static SparseTensor of(Var features, Tensor indices, int[] spatialShape, int batchSize) {
        String op = "SparseTensor";
        int[] fs = features.shape(), is = indices.shape();
        if (spatialShape == null || spatialShape.length < 1)
            throw new IllegalArgumentException(op + ": spatial shape must have at least one dim, got " + Arrays.toString(spatialShape));
        int nd = spatialShape.length;
        for (int s : spatialShape)
            if (s <= 0) throw new IllegalArgumentException(op + ": spatial shape must be positive, got " + Arrays.toString(spatialShape));
        long volume = batchSize;
        for (int s : spatialShape) volume = Math.multiplyExact(volume, (long) s);
        if (batchSize < 1) throw new IllegalArgumentException(op + ": batch size must be >= 1, got " + batchSize);
        if (fs.length != 2 || !features.dtype().isFloating())
            throw new IllegalArgumentException(op + ": features must be a floating [N, C], got " + Shape.str(fs) + " " + features.dtype().torchName());
        if (is.length != 2 || is[1] != nd + 1 || indices.dtype().isFloating() || indices.dtype() == DType.BOOL)
            throw new IllegalArgumentException(op + ": indices must be an integer [N, " + (nd + 1) + "] (batch, spatial...), got "
                    + Shape.str(is) + " " + indices.dtype().torchName() + " for spatial shape " + Arrays.toString(spatialShape));
        if (is[0] != fs[0])
            throw new IllegalArgumentException(op + ": features " + Shape.str(fs) + " and indices " + Shape.str(is) + " have different row counts");
        int[] ind = indices.contiguous().to(DType.INT32).toIntArray();
        int w = nd + 1;
        for (int i = 0; i < fs[0]; i++) {
            boolean ok = ind[i * w] >= 0 && ind[i * w] < batchSize;
            for (int d = 0; d < nd && ok; d++) ok = ind[i * w + 1 + d] >= 0 && ind[i * w + 1 + d] < spatialShape[d];
            if (!ok)
                throw new IllegalArgumentException(op + ": coordinate " + coordString(ind, i * w, w) + " at row " + i + " of indices "
                        + Shape.str(is) + " lies outside batch [0, " + batchSize + ") x grid " + Arrays.toString(spatialShape));
        }
        int[] shape = spatialShape.clone();
        CoordinateIndex idx = CoordinateIndex.build(op, ind, fs[0], shape);
        return new SparseTensor(features, ind, fs[0], shape, batchSize, new RulebookCache(), idx);
    }

    /** Constant features (no gradient), for inference and tests. */
    public static SparseTensor of(Tensor features, Tensor indices, int[] spatialShape, int batchSize) {
        return of(Var.of(features), indices, spatialShape, batchSize);
    }

    /** A convolution's output: sites already unique and in range, sharing the input's rulebook cache. */
    static SparseTensor derived(Var features, int[] indices, int n, int[] spatialShape, int batchSize, RulebookCache cache) {
        return new SparseTensor(features, indices, n, spatialShape, batchSize, cache, null);
    }

    /** The same sites, shape and rulebook cache with new features [N, C'] (spconv's replace_feature). */
    public SparseTensor withFeatures(Var f) {
        int[] s = f.shape();
        if (s.length != 2 || s[0] != n)
            throw new IllegalArgumentException("SparseTensor.withFeatures: features must be [" + n + ", C] for " + this + ", got " + Shape.str(s));
        return new SparseTensor(f, indices, n, spatialShape, batchSize, rulebooks, coordinateIndexIfBuilt());
    }

    private synchronized CoordinateIndex coordinateIndexIfBuilt() { return index; }

    // ------------------------------------------------------------------ reading

    public Var features() { return features; }

    /** The coordinates as an int32 tensor [N, 1 + ndim] (a copy). */
    public Tensor indices() { return Tensor.ofInts(indices.clone(), n, spatialShape.length + 1); }

    /** The coordinates flat [N * (1 + ndim)], shared: callers must not modify it. */
    int[] indicesArray() { return indices; }

    int[] spatialShapeRef() { return spatialShape; }

    public int[] spatialShape() { return spatialShape.clone(); }

    public int batchSize() { return batchSize; }

    /** Spatial dims (3 for voxels). */
    public int ndim() { return spatialShape.length; }

    /** Active sites N. */
    public int numActive() { return n; }

    public int channels() { return features.size(1); }

    /** The rulebooks built so far on this tensor's chain, by indice key. */
    public RulebookCache rulebooks() { return rulebooks; }

    /** The row of coordinate (batch, spatial...) or -1 when inactive or outside the grid. */
    public int find(int batch, int... spatial) { return coordinateIndex().row(batch, spatial); }

    /** The coordinate-to-row hash, built on first use (then shared by tensors with the same sites). */
    synchronized CoordinateIndex coordinateIndex() {
        if (index == null) index = CoordinateIndex.build("SparseTensor", indices, n, spatialShape);
        return index;
    }

    // ------------------------------------------------------------------ dense

    /**
     * The dense tensor [B, C, spatial...] (spconv's dense(channels_first=True)), zero off the active sites;
     * differentiable: the gradient of a feature row is the dense gradient read at its site.
     */
    public Var dense() {
        int c = channels(), nd = ndim(), w = nd + 1;
        int[] shape = new int[nd + 2];
        shape[0] = batchSize;
        shape[1] = c;
        System.arraycopy(spatialShape, 0, shape, 2, nd);
        long vol = 1;
        for (int s : spatialShape) vol *= s;
        if ((long) batchSize * c * vol > Integer.MAX_VALUE)
            throw new IllegalArgumentException("SparseTensor.dense: " + Shape.str(shape) + " holds more than 2^31 elements");
        int v = (int) vol;
        // offset of each row's site within one channel plane of its batch, and its batch start
        int[] base = new int[n];
        for (int i = 0; i < n; i++) {
            int lin = 0;
            for (int d = 0; d < nd; d++) lin = lin * spatialShape[d] + indices[i * w + 1 + d];
            base[i] = indices[i * w] * c * v + lin;
        }
        Tensor f = features.data().contiguous();
        DType dt = f.dtype();
        Tensor out;
        if (dt == DType.FLOAT64) {
            double[] src = f.storage().doubles(), dst = new double[batchSize * c * v];
            int fo = f.offset();
            for (int i = 0; i < n; i++) for (int ch = 0; ch < c; ch++) dst[base[i] + ch * v] = src[fo + i * c + ch];
            out = Tensor.of(dst, shape);
        } else {
            Tensor f32 = f.to(DType.FLOAT32).contiguous();
            float[] src = f32.storage().floats(), dst = new float[batchSize * c * v];
            int fo = f32.offset();
            for (int i = 0; i < n; i++) for (int ch = 0; ch < c; ch++) dst[base[i] + ch * v] = src[fo + i * c + ch];
            out = Tensor.ofFloats(dst, shape).to(dt);
        }
        final int cc = c, vv = v;
        return Var.record("sparse_dense", out, (g, needs) -> {
            Tensor gc = g.contiguous();
            Tensor r;
            if (gc.dtype() == DType.FLOAT64) {
                double[] src = gc.storage().doubles(), dst = new double[n * cc];
                int go = gc.offset();
                for (int i = 0; i < n; i++) for (int ch = 0; ch < cc; ch++) dst[i * cc + ch] = src[go + base[i] + ch * vv];
                r = Tensor.of(dst, n, cc);
            } else {
                Tensor g32 = gc.to(DType.FLOAT32).contiguous();
                float[] src = g32.storage().floats(), dst = new float[n * cc];
                int go = g32.offset();
                for (int i = 0; i < n; i++) for (int ch = 0; ch < cc; ch++) dst[i * cc + ch] = src[go + base[i] + ch * vv];
                r = Tensor.ofFloats(dst, n, cc);
            }
            return new Tensor[] {r};
        }, features);
    }

    @Override
    public String toString() {
        return "SparseTensor(" + n + " sites, " + (features.dim() == 2 ? features.size(1) : -1) + " channels, spatial "
                + Arrays.toString(spatialShape) + ", batch " + batchSize + ")";
    }

    static String coordString(int[] ind, int off, int w) {
        StringBuilder sb = new StringBuilder("(");
        for (int d = 0; d < w; d++) sb.append(d == 0 ? "" : ", ").append(ind[off + d]);
        return sb.append(')').toString();
    }
}
