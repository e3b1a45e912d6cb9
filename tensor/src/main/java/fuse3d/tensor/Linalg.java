package fuse3d.tensor;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Small dense linear algebra (inverses and solves of batches of small matrices, such as calibration and
 * pose matrices) through EJML in float64; results come back in the input's dtype.
 */
public final class Linalg {
    private Linalg() {}

    /** Inverse of each [n, n] matrix of a [..., n, n] tensor; a clear error for a singular one. */
    public static Tensor inverse(Tensor a) {
        checkSquare("linalg_inv", a);
        int n = a.size(-1);
        int batch = a.numel() / Math.max(n * n, 1);
        Tensor ad = a.to(DType.FLOAT64).contiguous();
        double[] src = ad.toDoubleArray();
        double[] out = new double[src.length];
        for (int b = 0; b < batch; b++) {
            DMatrixRMaj m = new DMatrixRMaj(n, n);
            System.arraycopy(src, b * n * n, m.data, 0, n * n);
            DMatrixRMaj inv = new DMatrixRMaj(n, n);
            if (!CommonOps_DDRM.invert(m, inv) || !allFinite(inv.data))
                throw new IllegalArgumentException("linalg_inv: matrix " + b + " of the batch " + Shape.str(a.shape()) + " is singular");
            System.arraycopy(inv.data, 0, out, b * n * n, n * n);
        }
        return Tensor.of(out, a.shape()).to(a.dtype());
    }

    /** X with A X = B for A [..., n, n] and B [..., n, k] (batch dims must match exactly). */
    public static Tensor solve(Tensor a, Tensor b) {
        checkSquare("linalg_solve", a);
        int n = a.size(-1);
        if (b.dim() != a.dim() || b.size(-2) != n)
            throw new IllegalArgumentException("linalg_solve: A " + Shape.str(a.shape()) + " and B " + Shape.str(b.shape()) + " must be [..., n, n] and [..., n, k] with equal batch dims");
        for (int i = 0; i < a.dim() - 2; i++)
            if (a.shape()[i] != b.shape()[i])
                throw new IllegalArgumentException("linalg_solve: batch dims of A " + Shape.str(a.shape()) + " and B " + Shape.str(b.shape()) + " differ");
        int k = b.size(-1);
        int batch = a.numel() / Math.max(n * n, 1);
        double[] as = a.toDoubleArray(), bs = b.toDoubleArray();
        double[] out = new double[bs.length];
        for (int t = 0; t < batch; t++) {
            DMatrixRMaj am = new DMatrixRMaj(n, n), bm = new DMatrixRMaj(n, k), xm = new DMatrixRMaj(n, k);
            System.arraycopy(as, t * n * n, am.data, 0, n * n);
            System.arraycopy(bs, t * n * k, bm.data, 0, n * k);
            LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.lu(n);
            if (!solver.setA(am) || solver.quality() < 1e-14)
                throw new IllegalArgumentException("linalg_solve: matrix " + t + " of the batch " + Shape.str(a.shape()) + " is singular");
            solver.solve(bm, xm);
            System.arraycopy(xm.data, 0, out, t * n * k, n * k);
        }
        return Tensor.of(out, b.shape()).to(DType.promote(a.dtype(), b.dtype()));
    }

    private static void checkSquare(String op, Tensor a) {
        if (a.dim() < 2 || a.size(-1) != a.size(-2))
            throw new IllegalArgumentException(op + ": expects square matrices [..., n, n], got " + Shape.str(a.shape()));
        if (!a.dtype().isFloating())
            throw new IllegalArgumentException(op + ": expects a floating tensor, got " + a.dtype().torchName());
    }

    private static boolean allFinite(double[] d) {
        for (double v : d) if (!Double.isFinite(v)) return false;
        return true;
    }
}
