package fuse3d.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Derivatives of the elementwise, reduction, view and linalg families at cases the registry's samples do not
 * draw: 1-d matmul operands, negative dims, zero factors of prod, p-norms other than the sampled ones, and the tie
 * rules that finite differences cannot see (checked by value against PyTorch).
 */
class FamilyEdgeCasesTest {
    private final Generator g = new Generator(11);

    private Tensor data(int... shape) { return g.uniform(-2, 2, shape).toDouble(); }

    private static void check(String op, Function<List<Var>, List<Var>> f, Tensor... inputs) {
        Gradcheck.Report r = Gradcheck.check(op, f, List.of(inputs));
        assertTrue(r.passed(), r::toString);
    }

    @Test
    void matmulOfVectors() {
        check("matmul 1-d x 1-d", in -> List.of(in.get(0).matmul(in.get(1))), data(4), data(4));
        check("matmul 1-d x 2-d", in -> List.of(in.get(0).matmul(in.get(1))), data(4), data(4, 3));
        check("matmul batch x 1-d", in -> List.of(in.get(0).matmul(in.get(1))), data(2, 3, 4), data(4));
    }

    @Test
    void batchedSolveAndInverse() {
        Tensor a = data(2, 3, 3).add(Tensor.eye(3).toDouble().mul(5.0));
        check("linalg_solve batched", in -> List.of(Linalg.solve(in.get(0), in.get(1))), a, data(2, 3, 2));
        check("linalg_inv", in -> List.of(Linalg.inverse(in.get(0))), a);
    }

    @Test
    void reductionsOverNegativeAndSeveralDims() {
        Tensor x = data(2, 3, 4);
        check("sum", in -> List.of(in.get(0).sum(new int[] {-1, 0}, false)), x);
        check("mean", in -> List.of(in.get(0).mean(new int[] {-2}, true)), x);
        check("logsumexp", in -> List.of(in.get(0).logsumexp(new int[] {1, 2}, false)), x);
        check("std correction 0", in -> List.of(in.get(0).std(new int[] {-1}, 0, false)), x);
        check("var", in -> List.of(in.get(0).var(null, 1, false)), x);
        check("cumsum", in -> List.of(in.get(0).cumsum(-2)), x);
        check("softmax", in -> List.of(in.get(0).softmax(1)), x);
        check("norm p=-inf", in -> List.of(in.get(0).norm(Double.NEGATIVE_INFINITY, new int[] {1}, false)), x);
        check("norm p=0.5", in -> List.of(in.get(0).norm(0.5, null, false)), g.uniform(0.2, 2, 5).toDouble());
        check("norm p=0", in -> List.of(in.get(0).norm(0, null, false)), x);
    }

    @Test
    void prodAtZeroFactors() {
        // a product is multilinear, so finite differences are exact at zero factors
        check("prod one zero", in -> List.of(in.get(0).prod()), Tensor.of(new double[] {2, 0, 3}, 3));
        check("prod two zeros", in -> List.of(in.get(0).prod(1, true)), Tensor.of(new double[] {0, 0, 3, 1, 0, 2}, 2, 3));
        // torch.tensor([2., 0., 3.], requires_grad=True).prod().backward() -> grad [0., 6., 0.]
        Var x = Var.leaf(Tensor.of(new double[] {2, 0, 3}, 3));
        x.prod().backward();
        assertArrayEquals(new double[] {0, 6, 0}, x.grad().toDoubleArray());
    }

    @Test
    void viewsAndJoinsWithNegativeDims() {
        Tensor x = data(2, 3, 4);
        check("permute", in -> List.of(in.get(0).permute(-1, 0, 1)), x);
        check("transpose", in -> List.of(in.get(0).transpose(-1, 0)), x);
        check("slice", in -> List.of(in.get(0).slice(-1, -3, 4, 2)), x);
        check("select", in -> List.of(in.get(0).select(1, -1)), x);
        check("stack", in -> List.of(Var.stack(-1, in.get(0), in.get(1))), data(2, 3), data(2, 3));
        check("chunk", in -> in.get(0).chunk(2, -1), x);
        check("expand", in -> List.of(in.get(0).expand(2, 3, 4)), data(3, 1));
    }

    @Test
    void tiesShareOrPickAsPyTorchDoes() {
        // torch.tensor([1., 3., 3.], requires_grad=True).amax(0).backward() -> grad [0., .5, .5]
        Var x = Var.leaf(Tensor.of(new double[] {1, 3, 3}, 3));
        x.amax(new int[] {0}, false).backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5}, x.grad().toDoubleArray());
        // a.maximum(b) at a tie: a.grad and b.grad each .5
        Var a = Var.leaf(Tensor.of(new double[] {2}, 1)), b = Var.leaf(Tensor.of(new double[] {2}, 1));
        a.maximum(b).sum().backward();
        assertArrayEquals(new double[] {0.5}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {0.5}, b.grad().toDoubleArray());
        // x.norm(p=inf) with |x| tied at two elements of opposite sign: grad [-.5, 0., .5]
        Var n = Var.leaf(Tensor.of(new double[] {-2, 1, 2}, 3));
        n.norm(Double.POSITIVE_INFINITY, null, false).backward();
        assertArrayEquals(new double[] {-0.5, 0, 0.5}, n.grad().toDoubleArray());
    }
}
