package fuse3d.sparse.points;

import fuse3d.autograd.Var;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.Parallel;

/**
 * NeighborVoxelSAModuleMSG's max pooling in one pass: out[c, m] = max over s of relu(grouped[c, m, s] + pos[c, m, s])
 * with grouped[c, m, s] = fin[idx[m, s], c] (0 for an empty query). It replaces the composition indexSelect ->
 * maskedFill -> permute -> add -> relu -> max(3) (NeighborVoxelSAModuleMSG.groupAndPool) and its derivatives with
 * the same float arithmetic, the same first-maximum rule (NaN wins) and the same gradient bits, without the
 * [C1, M, ns] intermediates of the forward and the backward.
 */
final class GroupedMaxRelu {
    private GroupedMaxRelu() {}

    /**
     * @param fin   float32 [N, C1] voxel features after mlps_in
     * @param idx   int [M, ns] neighbour rows of the voxel query
     * @param empty bool [M] queries without neighbours
     * @param pos   float32 [1, C1, M, ns] position embedding
     * @return [1, C1, M]
     */
    static Var apply(Var fin, Tensor idx, Tensor empty, Var pos, int m, int ns) {
        Tensor fd = fin.data().contiguous(), pd = pos.data().contiguous();
        int n = fd.size(0), c1 = fd.size(1);
        if (pd.dim() != 4 || pd.size(0) != 1 || pd.size(1) != c1 || pd.size(2) != m || pd.size(3) != ns || idx.numel() != m * ns || empty.numel() != m)
            throw new IllegalArgumentException("grouped_max_relu: features " + Shape.str(fd.shape()) + ", pos " + Shape.str(pd.shape()) + ", idx "
                    + Shape.str(idx.shape()) + " and empty " + Shape.str(empty.shape()) + " do not fit M=" + m + ", ns=" + ns);
        float[] f = fd.storage().floats(), p = pd.storage().floats();
        int fo = fd.offset(), po = pd.offset();
        int[] rows = idx.toIntArray();
        boolean[] e = empty.toBoolArray();
        float[] out = new float[c1 * m];
        int[] arg = new int[c1 * m];
        // query-major: a query's ns neighbour rows are read once for all channels while they sit in cache
        Parallel.forWork(m, (long) c1 * m * ns * 3, (q0, q1) -> {
            for (int q = q0; q < q1; q++)
                for (int c = 0; c < c1; c++) {
                    int pb = po + (c * m + q) * ns, ib = q * ns;
                    float bv = 0;
                    int best = 0;
                    for (int s = 0; s < ns; s++) {
                        float h = (e[q] ? 0f : f[fo + rows[ib + s] * c1 + c]) + p[pb + s];
                        if (h < 0) h = 0f; // relu: NaN and -0.0 pass
                        if (s == 0) bv = h;
                        else if (Float.isNaN(bv)) break;
                        else if (Float.isNaN(h) || h > bv) {
                            bv = h;
                            best = s;
                        }
                    }
                    out[c * m + q] = bv;
                    arg[c * m + q] = best;
                }
        });
        return Var.record("grouped_max_relu", Tensor.ofFloats(out, 1, c1, m), (g, needs) -> {
            Tensor gc = g.contiguous().toFloat();
            float[] ga = gc.storage().floats();
            int go = gc.offset();
            // max's derivative adds g into zeros at the argmax (0f + g turns -0.0 into 0.0), then relu's keeps it where y > 0
            float[] v = new float[c1 * m];
            for (int i = 0; i < v.length; i++) v[i] = out[i] <= 0 ? 0f : 0f + ga[go + i];
            Tensor dFin = null, dPos = null;
            if (needs[1]) {
                float[] dp = new float[c1 * m * ns];
                for (int i = 0; i < v.length; i++) dp[i * ns + arg[i]] = v[i];
                dPos = Tensor.ofFloats(dp, 1, c1, m, ns);
            }
            if (needs[0]) {
                // index_add over the rows in query order; the skipped terms are +0.0, which leave every sum as it is
                float[] df = new float[n * c1];
                Parallel.forWork(c1, (long) c1 * m, (c0, cEnd) -> {
                    for (int q = 0; q < m; q++) {
                        if (e[q]) continue;
                        for (int c = c0; c < cEnd; c++) {
                            int i = c * m + q;
                            df[rows[q * ns + arg[i]] * c1 + c] += v[i];
                        }
                    }
                });
                dFin = Tensor.ofFloats(df, n, c1);
            }
            return new Tensor[] {dFin, dPos};
        }, fin, pos);
    }
}
