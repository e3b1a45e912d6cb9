package fuse3d.autograd;

import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/** matmul, inverse and solve with their derivatives. */
public final class Linalg {
    private Linalg() {}

    private static Tensor mT(Tensor t) { return t.transpose(-2, -1); }

    /**
     * torch.matmul with its 1-D and batch-broadcast cases. The rule works on the 2-D-promoted operands:
     * dA = g B^T and dB = A^T g, each summed over the batch dims its operand was broadcast along.
     */
    public static Var matmul(Var a, Var b) {
        Tensor ad = a.data(), bd = b.data();
        Tensor y = ad.matmul(bd);
        return Var.record("matmul", y, (g, n) -> {
            Tensor a2 = ad.dim() == 1 ? ad.unsqueeze(0) : ad;
            Tensor b2 = bd.dim() == 1 ? bd.unsqueeze(1) : bd;
            int[] batch = Shape.broadcast("matmul", Arrays.copyOf(a2.shape(), a2.dim() - 2), Arrays.copyOf(b2.shape(), b2.dim() - 2));
            int[] out2 = Arrays.copyOf(batch, batch.length + 2);
            out2[batch.length] = a2.size(-2);
            out2[batch.length + 1] = b2.size(-1);
            Tensor g2 = g.reshape(out2);
            Tensor ga = n[0] ? Grads.sumTo(g2.matmul(mT(b2)), a2.shape()).reshape(ad.shape()) : null;
            Tensor gb = n[1] ? Grads.sumTo(mT(a2).matmul(g2), b2.shape()).reshape(bd.shape()) : null;
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    /** d inv(A) = -inv(A)^T g inv(A)^T. */
    public static Var inverse(Var a) {
        Tensor y = fuse3d.tensor.Linalg.inverse(a.data());
        return Var.record("linalg_inv", y, (g, n) -> new Tensor[] {mT(y).matmul(g).matmul(mT(y)).neg()}, a);
    }

    /** X = A^-1 B: dB = A^-T g, dA = -dB X^T. */
    public static Var solve(Var a, Var b) {
        Tensor ad = a.data();
        Tensor x = fuse3d.tensor.Linalg.solve(ad, b.data());
        return Var.record("linalg_solve", x, (g, n) -> {
            Tensor gb = fuse3d.tensor.Linalg.solve(mT(ad).contiguous(), g);
            Tensor ga = n[0] ? gb.matmul(mT(x)).neg() : null;
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    // ------------------------------------------------------------------ registry

    /** The Var-level twins of TensorOps' linear algebra ops. */
    static void register(VarOps r) {
        r.register("matmul", (in, a) -> List.of(matmul(in.get(0), in.get(1))));
        r.register("linalg_inv", (in, a) -> List.of(inverse(in.get(0))));
        r.register("linalg_solve", (in, a) -> List.of(solve(in.get(0), in.get(1))));
    }
}
