package fuse3d.sparse.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Random sparse inputs and dense comparisons shared by the sparse-convolution tests. */
final class SparseFixtures {
    private SparseFixtures() {}

    /** Distinct random sites of [batch] x grid with about {@code density} of the grid active, in random order. */
    static Tensor randomIndices(Generator g, int batch, int[] shape, double density) {
        int nd = shape.length;
        int vol = 1;
        for (int s : shape) vol *= s;
        List<int[]> sites = new ArrayList<>();
        for (int b = 0; b < batch; b++)
            for (int lin = 0; lin < vol; lin++)
                if (g.nextDouble() < density) {
                    int[] c = new int[nd + 1];
                    c[0] = b;
                    int r = lin;
                    for (int d = nd - 1; d >= 0; d--) {
                        c[d + 1] = r % shape[d];
                        r /= shape[d];
                    }
                    sites.add(c);
                }
        // shuffle: the row order of a sparse tensor carries no meaning
        for (int i = sites.size() - 1; i > 0; i--) {
            int j = (int) g.nextLong(i + 1);
            int[] t = sites.get(i);
            sites.set(i, sites.get(j));
            sites.set(j, t);
        }
        int[] flat = new int[sites.size() * (nd + 1)];
        for (int i = 0; i < sites.size(); i++) System.arraycopy(sites.get(i), 0, flat, i * (nd + 1), nd + 1);
        return Tensor.ofInts(flat, sites.size(), nd + 1);
    }

    /** Dyadic values q/16, q in [-32, 32]: float sums of their products stay exact in small convolutions. */
    static Tensor dyadic(Generator g, DType dt, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (g.nextLong(65) - 32) / 16.0;
        return Tensor.of(v, shape).to(dt);
    }

    /** spconv's KRSC weight [Cout, k..., Cin] as PyTorch's conv weight [Cout, Cin, k...]. */
    static Tensor krscToTorch(Tensor w) {
        int nd = w.dim() - 2;
        int[] perm = new int[nd + 2];
        perm[0] = 0;
        perm[1] = nd + 1;
        for (int d = 0; d < nd; d++) perm[2 + d] = 1 + d;
        return w.permute(perm).contiguous();
    }

    /** spconv's KRSC weight [Cout, k..., Cin] as PyTorch's transposed-conv weight [Cin, Cout, k...]. */
    static Tensor krscToTorchTransposed(Tensor w) {
        int nd = w.dim() - 2;
        int[] perm = new int[nd + 2];
        perm[0] = nd + 1;
        perm[1] = 0;
        for (int d = 0; d < nd; d++) perm[2 + d] = 1 + d;
        return w.permute(perm).contiguous();
    }

    /** Asserts that feature row i of {@code y} equals {@code dense[b, :, site]} for every site of y. */
    static void assertFeaturesAtSites(SparseTensor y, Tensor dense, double tol) {
        Tensor f = y.features().data();
        int[] ind = y.indicesArray();
        int w = y.ndim() + 1, c = y.channels();
        for (int i = 0; i < y.numActive(); i++) {
            int[] at = new int[w + 1];
            at[0] = ind[i * w];
            for (int d = 0; d < y.ndim(); d++) at[2 + d] = ind[i * w + 1 + d];
            for (int ch = 0; ch < c; ch++) {
                at[1] = ch;
                assertEquals(dense.getDouble(at), f.getDouble(i, ch), tol, () -> "site row of " + y);
            }
        }
    }

    static int[] fill(int nd, int v) {
        int[] r = new int[nd];
        java.util.Arrays.fill(r, v);
        return r;
    }
}
